"""Drive the course in a real browser: servers, Chromium and the pages' controls.

Shared by the browser tests and ``scripts/screenshots.py``. Everything waits
for something it can see (a server answering, a selector, the kernel going
idle, a file holding a value); nothing sleeps blindly.

The servers are the ones a learner gets: ``safetyrater start`` (JupyterLab)
and ``safetyrater start --app`` (Voilà), run over a temporary copy of the
course so the answer files they write never land in the repository.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Generous ceilings: each wait ends as soon as its condition holds.
SERVER_START_SECONDS = 90
PAGE_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def course_copy(dest: Path) -> Path:
    """A course checkout in ``dest``: its own copies of course/ and exercises/
    (where answer files are written), the real datasets/ and graders/."""
    dest.mkdir(parents=True, exist_ok=True)
    skip = shutil.ignore_patterns("*.answers.json*", ".ipynb_checkpoints")
    for name in ("course", "exercises"):
        shutil.copytree(REPO / name, dest / name, ignore=skip)
    for name in ("datasets", "graders"):
        (dest / name).symlink_to(REPO / name, target_is_directory=True)
    return dest


def wait_until(condition: Callable[[], Any], timeout: float, what: str, interval: float = 0.1) -> Any:
    """Poll ``condition`` until it returns something truthy; fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


class CourseServer:
    """``safetyrater start [--app|--instructor]`` on 127.0.0.1, a free port and a token."""

    def __init__(self, root: Path, workdir: Path, *flags: str):
        self.root = root
        self.flags = flags
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = workdir / "server.log"
        # Everything Jupyter keeps per user goes to workdir, so a developer's own
        # settings and open tabs do not leak in, and each run starts clean.
        self.env = dict(
            os.environ,
            SAFETYRATER_ROOT=str(root),
            JUPYTER_TOKEN=self.token,
            JUPYTER_CONFIG_DIR=str(workdir / "config"),
            JUPYTER_RUNTIME_DIR=str(workdir / "runtime"),
            JUPYTER_DATA_DIR=str(workdir / "data"),
            JUPYTERLAB_SETTINGS_DIR=str(workdir / "lab-settings"),
            JUPYTERLAB_WORKSPACES_DIR=str(workdir / "lab-workspaces"),
            JUPYTER_PLATFORM_DIRS="1",
            PYTHONWARNINGS="ignore",
        )
        self.env.pop("JUPYTER_CONFIG_PATH", None)
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        return [sys.executable, "-m", "safetyrater", "start", "--no-browser", "--port", str(self.port), *self.flags]

    def start(self) -> CourseServer:
        command = self.command()
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=self.env, cwd=self.root, start_new_session=True
            )
        wait_until(self._ready, SERVER_START_SECONDS, f"`{' '.join(command[2:])}` to answer")
        return self

    def _ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"server exited with {self.process.returncode}:\n{self.log()}")
        try:
            with urllib.request.urlopen(self.url("/api/status"), timeout=2) as response:
                return bool(json.load(response).get("started"))
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def url(self, path: str) -> str:
        separator = "&" if "?" in path else "?"
        return f"{self.base}{path}{separator}token={self.token}"

    def get(self, path: str) -> tuple[str, str]:
        """The final URL and body of ``path`` (following redirects)."""
        with urllib.request.urlopen(self.url(path), timeout=30) as response:
            return response.url, response.read().decode("utf-8")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


class FormgraderServer(CourseServer):
    """The instructor's Jupyter server with nbgrader's formgrader, over an nbgrader course folder
    (one whose ``nbgrader_config.py`` is at its root, as tests/support/nbgrader_course.py makes)."""

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "jupyter_server", "--no-browser", f"--ServerApp.port={self.port}",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={self.root}", "--allow-root",
        ]


@contextmanager
def running(server: CourseServer) -> Iterator[CourseServer]:
    try:
        yield server.start()
    finally:
        server.stop()


def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium (never a downloaded browser), headless."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


# --- pages -----------------------------------------------------------------

#: a case card (check questions share the card style but are not cases)
CARD = ".sr-card:not(.sr-question)"
QUESTION = ".sr-question"


def answers_on_disk(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("answers", {})
    except (OSError, ValueError):
        return {}


def wait_for_answer(path: Path, case_id: str, field: str, value: Any) -> None:
    wait_until(
        lambda: answers_on_disk(path).get(case_id, {}).get(field) == value,
        PAGE_SECONDS,
        f"{path.name} to hold {field}={value!r} for {case_id}",
    )


def lab_open(page: Any, server: CourseServer, notebook: str) -> None:
    """Open a notebook in JupyterLab and wait for its kernel to be idle."""
    page.goto(server.url(f"/lab/tree/{notebook}"))
    lab_wait_idle(page)


#: The visible notebook's kernel is connected and idle: the status bar names the
#: kernel (not "No Kernel") and says "Idle" (it says "Idle" only once connected).
LAB_KERNEL_IDLE = r"""() => {
  const bar = document.querySelector('#jp-main-statusbar');
  return !!bar && /\(ipykernel\) \| Idle/.test(bar.innerText);
}"""

#: No code cell of the visible notebook has run: every prompt is empty ("[ ]:").
LAB_NONE_RAN = r"""() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const prompts = panel ? [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')] : [];
  return prompts.length > 0 && prompts.every(p => /^\[ \]:$/.test(p.textContent.trim()));
}"""

#: Every code cell of the visible notebook has run: its prompt shows a number.
#: textContent, not innerText: JupyterLab skips rendering cells scrolled out of
#: view (content-visibility), and their innerText is then empty.
LAB_ALL_RAN = r"""() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return false;
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
  return prompts.length > 0 && prompts.every(p => /^\[\d+\]:$/.test(p.textContent.trim()));
}"""


def lab_wait_idle(page: Any) -> None:
    page.wait_for_function(LAB_KERNEL_IDLE, timeout=PAGE_SECONDS * 1000)


def lab_wait_cards(page: Any) -> None:
    """Wait until the open notebook has run by itself (the learner's JupyterLab runs a course notebook when it opens)."""
    # a lesson's whole run: a generous ceiling (the machine may be busy); it ends when done
    page.wait_for_function(LAB_ALL_RAN, timeout=3 * PAGE_SECONDS * 1000)
    lab_wait_idle(page)


def voila_open(page: Any, server: CourseServer, notebook: str) -> None:
    """Open a lesson as an app page and wait until Voilà has run all of it."""
    page.goto(server.url(f"/voila/render/{notebook}"))
    voila_wait_rendered(page)


def voila_wait_rendered(page: Any) -> None:
    # Voilà shows a spinner while it executes the notebook; the page is done when
    # the spinner is gone and every widget output has been rendered.
    page.locator("#loading").wait_for(state="detached", timeout=PAGE_SECONDS * 1000)
    page.wait_for_load_state("load")


def show_all_cases(page: Any) -> None:
    """Switch a deck from one case at a time (its default view) to every card on one page."""
    page.get_by_role("button", name="All cases on one page", exact=True).click()
    page.locator(CARD).nth(1).wait_for(timeout=PAGE_SECONDS * 1000)


def card(page: Any, index: int) -> Any:
    return page.locator(CARD).nth(index)


def case_id_of(card_locator: Any) -> str:
    """The case id a card gives a learner who asks for it: its heading's hover text ("Case id: core-001")."""
    return card_locator.locator("h4").first.get_attribute("title").removeprefix("Case id: ")


def rate(card_locator: Any, label: str) -> None:
    """Click a rating and wait until the page shows it as chosen."""
    card_locator.locator(".sr-rating").get_by_role("button", name=label, exact=True).click()
    chosen_rating(card_locator, label).wait_for(timeout=PAGE_SECONDS * 1000)


def chosen_rating(card_locator: Any, label: str) -> Any:
    """The rating button as a screen reader names it once chosen ("✓ Risky")."""
    return card_locator.locator(".sr-rating").get_by_role("button", name=f"✓ {label}", exact=True)


def press_check(card_locator: Any) -> Any:
    card_locator.get_by_role("button", name="Check", exact=True).click()
    feedback = card_locator.locator(".sr-feedback")
    feedback.wait_for(timeout=PAGE_SECONDS * 1000)
    return feedback
