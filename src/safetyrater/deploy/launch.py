"""How ``safetyrater start`` serves the course.

Three ways, one server each:

* **app** (the default, or ``--app``): the course as web pages through Voilà,
  with no code cells, starting at the start page;
* **learner** (``--lab``): JupyterLab at the start page, without the news
  pop-up and without nbgrader's instructor panels (formgrader, create
  assignment, course list) or Validate (it checks code cells; the course's
  exercises have none to check); the learner's *Assignments* list stays when an
  nbgrader exchange is configured and is hidden when there is none
  (``jupyter_config/no-exchange/``), since it could only say the exchange is missing;
* **instructor** (``--instructor``): JupyterLab with every nbgrader panel,
  run from the folder that holds the course's ``nbgrader_config.py``
  (``graders/``), which nbgrader reads from the working folder, so the
  formgrader lists the course's exercises and collected learners; the
  exchange is ``graders/cohort/exchange`` unless ``SAFETYRATER_EXCHANGE``
  names another (the config reads that variable), so the formgrader's
  release and collect buttons use the course's own exchange;

Each set-up is data in this package's ``jupyter_config/<mode>/`` folder, which
``start`` puts first on ``JUPYTER_CONFIG_PATH``: ``labconfig/page_config.json``
lists the JupyterLab plugins a mode disables; ``app/voila.json`` says that
Voilà hides code and tracebacks, skips nbgrader's JupyterLab-only panels and
renders with the ``safetyrater`` template (``jupyter_data/voila/templates/``, on
``JUPYTER_PATH``: Voilà's lab template without Font Awesome from a CDN, so a page
fetches nothing from the internet), and ``app/jupyter_server_config.json`` gives the app its warm kernels and the
culling of kernels whose page is gone (:mod:`safetyrater.deploy.kernels`).
Both JupyterLab modes save the course's notebooks without outputs
(``<mode>/jupyter_server_config.py``, :mod:`safetyrater.deploy.notebooks`).
A learner's own Jupyter settings are left alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..paths import COURSE, project_root

CONFIG_ROOT = Path(__file__).resolve().parent / "jupyter_config"
#: Jupyter data the app adds (JUPYTER_PATH): the Voilà template ``safetyrater``, which loads nothing from a CDN
DATA_ROOT = Path(__file__).resolve().parent / "jupyter_data"
#: JupyterLab extensions the learner's JupyterLab adds: ``safetyrater-lab`` runs a course notebook when it opens
LABEXTENSIONS = Path(__file__).resolve().parent / "labextensions"
START_NOTEBOOK = "00-start-here.ipynb"
MODES = ("learner", "instructor", "app")
#: added for learners when no nbgrader exchange exists: hides the Assignment List
NO_EXCHANGE = "no-exchange"
#: the environment variable graders/nbgrader_config.py reads for the exchange's folder
EXCHANGE_ENV = "SAFETYRATER_EXCHANGE"


@dataclass(frozen=True)
class Launch:
    """A server command, the folder to run it in and its environment."""

    command: list[str]
    cwd: Path
    env: dict[str, str]
    start_url: str


def config_dir(mode: str) -> Path:
    """The Jupyter config folder ``start`` puts first on JUPYTER_CONFIG_PATH for ``mode``."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    return CONFIG_ROOT / mode


def disabled_plugins(mode: str) -> list[str]:
    """JupyterLab plugins a JupyterLab mode turns off (read from its page_config.json)."""
    data = json.loads((config_dir(mode) / "labconfig" / "page_config.json").read_text(encoding="utf-8"))
    return sorted(name for name, off in data.get("disabledExtensions", {}).items() if off)


def _has_exchange(root: Path, environ: Mapping[str, str]) -> bool:
    """Whether nbgrader, run from the course with this environment's Jupyter config, finds an exchange."""
    # nbgrader loads only for the learner's JupyterLab
    from ..nbgrader.exchange import exchange_configured

    return exchange_configured(root, [p for p in environ.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p])


def nbgrader_folder(root: Path) -> Path:
    """Where the course's nbgrader_config.py is: ``graders/`` in this kit's layout, else the course root."""
    graders = root / "graders"
    return graders if (graders / "nbgrader_config.py").is_file() else root


def exchange_folder(root: Path, environ: Mapping[str, str]) -> Path:
    """The exchange the instructor's server uses: ``SAFETYRATER_EXCHANGE``, else the course's own."""
    named = environ.get(EXCHANGE_ENV)
    return Path(named) if named else root / "graders" / "cohort" / "exchange"


def build_launch(
    mode: str,
    root: Path,
    *,
    port: int = 8888,
    open_browser: bool = True,
    environ: dict[str, str] | None = None,
    page: str | None = None,
) -> Launch:
    """The server that ``safetyrater start`` runs for ``mode`` over the course at ``root``.

    ``page`` is the notebook to open, relative to ``root`` (default: the start page).
    """
    page = page or f"{COURSE}/{START_NOTEBOOK}"
    config_path = [str(config_dir(mode))]
    environ = dict(os.environ if environ is None else environ)
    if mode == "learner" and not _has_exchange(root, environ):
        config_path.append(str(CONFIG_ROOT / NO_EXCHANGE))
    if environ.get("JUPYTER_CONFIG_PATH"):
        config_path.append(environ["JUPYTER_CONFIG_PATH"])
    env = dict(environ, SAFETYRATER_ROOT=str(root), JUPYTER_CONFIG_PATH=os.pathsep.join(config_path))
    common = [f"--ServerApp.port={port}", "--ServerApp.ip=127.0.0.1"]
    if not open_browser:
        common.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # containers and CI often run as root; Jupyter refuses that unless told
        common.append("--allow-root")

    if mode == "app":
        env["JUPYTER_PATH"] = os.pathsep.join([str(DATA_ROOT), *[p for p in environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]])
        # Voilà as a Jupyter server extension: the server's front door redirects
        # to the start page, and every notebook is /voila/render/<path>, so the
        # lessons' links reach course/ and exercises/ alike.
        start_url = f"/voila/render/{page}"
        command = [
            sys.executable,
            "-m",
            "jupyter_server",
            f"--ServerApp.root_dir={root}",
            f"--ServerApp.default_url={start_url}",
            *common,
        ]
        return Launch(command, root, env, start_url)

    start_url = f"/lab/tree/{page}"
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.default_url={start_url}",
        *common,
    ]
    if mode == "instructor":
        # nbgrader (and so the formgrader) reads nbgrader_config.py from the working folder
        env[EXCHANGE_ENV] = str(exchange_folder(root, env))
        return Launch(command, nbgrader_folder(root), env, start_url)
    return Launch(command, root, env, start_url)


def start(mode: str, *, port: int = 8888, open_browser: bool = True, page: str | None = None, env: Mapping[str, str] | None = None) -> int:
    """``safetyrater start``: serve this course in ``mode`` until the server stops (Ctrl+C ends it quietly)."""
    launch = build_launch(mode, project_root(), port=port, open_browser=open_browser, page=page, environ=dict(os.environ, **(env or {})))
    if mode == "instructor":
        exchange = Path(launch.env[EXCHANGE_ENV])
        exchange.mkdir(parents=True, exist_ok=True)
        print(f"nbgrader: {launch.cwd / 'nbgrader_config.py'}; exchange: {exchange} (set {EXCHANGE_ENV} for another)")
    try:
        return subprocess.call(launch.command, cwd=launch.cwd, env=launch.env)
    except KeyboardInterrupt:
        return 0
