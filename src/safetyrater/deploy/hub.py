"""A JupyterHub trial of the course on this machine: ``safetyrater hub up``.

It lays out what ``deploy/hub/jupyterhub_config.py`` expects and runs JupyterHub
in the foreground on 127.0.0.1:

* local accounts: one instructor and a few learners, each with a home only they
  can read and a random password (printed, and kept in a root-only file);
* the instructor's copy of the course (solutions, case bank with its keys,
  nbgrader configuration) in the instructor's home;
* a learner kit (:mod:`safetyrater.learnerkit`) that learners' servers read;
* nbgrader's exchange: a folder every account may write to, with the sticky bit
  so no one removes another's files (nbgrader sets the modes inside it);
* the hub's own state (database, cookie secret, proxy pid, an admin API token)
  in a folder only root can read.

Learners' servers never reach into the instructor's checkout, which holds every key
(pool cases, references, ``solutions/``, collected work): their environment
(:func:`env_dir`) and the trial's folder (kit, exchange, Jupyter configuration;
:func:`default_trial_dir`) live under :data:`STATE_ROOT`, and ``hub up`` closes
the checkout to other accounts (``chmod o-rwx`` on its top folder) and says so.

JupyterHub's proxy, configurable-http-proxy, is a Node.js program: it is
installed from the npm registry into ``deploy/hub/node/`` (``npm ci``) the first
time it is needed. Everything here needs root: it creates accounts and
JupyterHub starts each person's server as their own account.
"""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import secrets
import shutil
import socket
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import SafetyraterError
from ..paths import graders_dir, project_root
from .learnerkit import IGNORED_FILES, build_learner_kit

DEFAULT_INSTRUCTOR = "sr-instructor"
DEFAULT_LEARNERS = ("sr-learner1", "sr-learner2", "sr-learner3")
COURSE_ID = "safetyrater"
#: what the instructor's copy of the course holds (the whole course, keys included)
COURSE_PARTS = ("course", "solutions", "exercises", "datasets", "graders")
_IGNORE = shutil.ignore_patterns(*IGNORED_FILES)
_IGNORE_WITH_COHORT = shutil.ignore_patterns(*IGNORED_FILES, "cohort")
#: where the hub's environment and trials live: outside any checkout, made and owned by root
#: (not /var/tmp, where another account could make the folder first and own what runs)
STATE_ROOT = Path("/var/lib/safetyrater")
#: the file ``hub up`` writes in a trial's folder; ``hub remove`` deletes only a folder holding it
TRIAL_MARKER = ".safetyrater-trial"


class HubError(SafetyraterError):
    """Why the trial hub cannot start, in one line."""


def hub_dir() -> Path:
    return project_root() / "deploy" / "hub"


def proxy_path(hub: Path | None = None) -> Path:
    return (hub or hub_dir()) / "node" / "node_modules" / ".bin" / "configurable-http-proxy"


def ensure_proxy(hub: Path | None = None) -> Path:
    """configurable-http-proxy, installed from the npm registry with ``npm ci`` when missing."""
    hub = hub or hub_dir()
    proxy = proxy_path(hub)
    if proxy.exists():
        return proxy
    npm = shutil.which("npm")
    if npm is None:
        raise HubError("npm not found: JupyterHub's proxy needs Node.js (20 or newer) and npm (Debian: apt-get install nodejs npm)")
    result = subprocess.run(
        [npm, "ci", "--prefix", str(hub / "node"), "--no-audit", "--no-fund", "--loglevel=error"],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0 or not proxy.exists():
        raise HubError(f"npm ci in {hub / 'node'} failed: {(result.stderr or result.stdout).strip()[-500:]}")
    return proxy


def _checkout_tag() -> str:
    return hashlib.sha256(str(project_root()).encode()).hexdigest()[:12]


def env_dir() -> Path:
    """The single-user environment of this checkout, outside it: learners run it, never the checkout."""
    return STATE_ROOT / f"hub-env-{_checkout_tag()}"


def default_trial_dir() -> Path:
    """The trial's folder of this checkout, outside it (learners read its kit and write its exchange)."""
    return STATE_ROOT / f"trial-{_checkout_tag()}"


def _state_root() -> Path:
    """:data:`STATE_ROOT`, made by this account and open only to be passed through."""
    try:
        STATE_ROOT.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HubError(f"cannot make {STATE_ROOT} ({exc.strerror}): the hub's environment and trials live there; run as root") from None
    info = STATE_ROOT.stat()
    if info.st_uid != os.geteuid() or info.st_mode & 0o022:
        raise HubError(f"{STATE_ROOT} belongs to another account or others may write to it; remove it and run again")
    STATE_ROOT.chmod(0o755)
    return STATE_ROOT


def inside(path: Path, folder: Path) -> bool:
    return Path(path).resolve().is_relative_to(Path(folder).resolve())


def close_checkout() -> Path | None:
    """Take other accounts' access to the checkout away (its top folder only); return it when it was open."""
    root = project_root()
    if not os.stat(root).st_mode & 0o007:
        return None
    root.chmod(os.stat(root).st_mode & ~0o007)
    return root


def runnable_by_everyone(path: Path) -> bool:
    """True when every account can run ``path``: the file and each folder above it allow others in."""
    path = Path(path).resolve()
    if not path.exists() or not os.stat(path).st_mode & stat.S_IXOTH:
        return False
    return all(os.stat(folder).st_mode & stat.S_IXOTH for folder in path.parents)


def python_for_everyone() -> Path:
    """A Python 3.11+ that every account can run, for the single-user environment."""
    candidates = [Path(getattr(sys, "_base_executable", sys.executable)), Path(sys.executable), Path("/usr/bin/python3")]
    for candidate in candidates:
        if not runnable_by_everyone(candidate):
            continue
        version = subprocess.run(
            [str(candidate), "-c", "import sys, venv; print(sys.version_info >= (3, 11))"], capture_output=True, text=True
        )
        if version.stdout.strip() == "True":
            return candidate
    raise HubError(
        f"no Python 3.11+ with venv that every account can run (tried {', '.join(map(str, candidates))}); "
        "install one (Debian: apt-get install python3 python3-venv) or pass --python"
    )


def ensure_singleuser_env(env: Path | None = None, python: Path | None = None) -> Path:
    """The environment every person's server runs in: the kit installed from a wheel, with JupyterHub.

    It is built once with a Python every account can run (a virtual environment
    made from a Python under /root would not start for them) and refreshed when
    the package's source changes. A non-editable install carries the package's
    code only: no case bank, solutions or grading configuration.
    """
    if env is None:
        _state_root()
        env = env_dir()
    root = project_root()
    stamp = env / "safetyrater-source.sha256"
    wanted = _source_digest(root)
    env_python = env / "bin" / "python"
    if not env_python.exists():
        base = python or python_for_everyone()
        _run([str(base), "-m", "venv", str(env)], f"creating {env}")
        _run([str(env_python), "-m", "pip", "install", "-q", "--upgrade", "pip"], "upgrading pip")
        stamp.unlink(missing_ok=True)
    if not stamp.exists() or stamp.read_text().strip() != wanted:
        # --force-reinstall --no-deps refreshes the kit's own code; the first install brings the rest
        first = not (env / "bin" / "jupyterhub-singleuser").exists()
        command = [str(env_python), "-m", "pip", "install", "-q", f"{root}[hub]"]
        if not first:
            command[4:4] = ["--force-reinstall", "--no-deps"]
        _run(command, f"installing safetyrater into {env}")
        if not first:
            _run([str(env_python), "-m", "pip", "install", "-q", f"{root}[hub]"], f"checking dependencies in {env}")
        stamp.write_text(wanted + "\n")
    return env


def _source_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in [root / "pyproject.toml", *sorted((root / "src" / "safetyrater").rglob("*.py"))]:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise HubError(f"{what} failed: {(result.stderr or result.stdout).strip()[-800:]}")


@dataclass
class Trial:
    """Where a trial lives and who is in it."""

    folder: Path
    instructor: str = DEFAULT_INSTRUCTOR
    learners: tuple[str, ...] = DEFAULT_LEARNERS
    port: int = 8000

    @property
    def state_dir(self) -> Path:
        return self.folder / "hub"

    @property
    def settings_path(self) -> Path:
        return self.state_dir / "hub.json"

    @property
    def token_path(self) -> Path:
        return self.state_dir / "api-token"

    @property
    def passwords_path(self) -> Path:
        return self.state_dir / "passwords.json"

    @property
    def accounts_path(self) -> Path:
        return self.state_dir / "accounts.json"

    @property
    def exchange(self) -> Path:
        return self.folder / "exchange"

    @property
    def kit(self) -> Path:
        return self.folder / "kit"

    @property
    def accounts(self) -> list[str]:
        return [self.instructor, *self.learners]

    def course_dir(self) -> Path:
        return Path(pwd.getpwnam(self.instructor).pw_dir) / "safetyrater-course"


def require_root() -> None:
    if os.geteuid() != 0:
        raise HubError("the trial hub must run as root: it creates local accounts and starts each one's server as that account")


def prepare(trial: Trial) -> dict[str, Any]:
    """Create (or reuse) the trial's accounts, course copy, kit, exchange and settings; return the settings."""
    require_root()
    try:
        import jupyterhub  # noqa: F401
    except ImportError:
        raise HubError("JupyterHub is not installed: pip install -e '.[hub]'") from None
    if inside(trial.folder, project_root()):
        raise HubError(
            f"the trial folder {trial.folder} is inside the checkout, which learners must not reach; choose --trial-dir elsewhere"
        )
    _claim_trial_folder(trial.folder)
    proxy = ensure_proxy()
    env = ensure_singleuser_env()
    for needed in (env / "bin" / "python", trial.folder.parent):
        if not runnable_by_everyone(needed):
            raise HubError(
                f"{needed} is out of reach of other accounts (a folder above it is private); move the checkout or choose --trial-dir"
            )
    for name in trial.accounts:
        if not name.replace("-", "").isalnum() or not name[0].isalpha() or name != name.lower() or len(name) > 32:
            raise HubError(f"{name!r} is not a usable account name (lowercase letters, digits and dashes, starting with a letter)")

    trial.folder.chmod(0o755)  # learners pass through it to the kit and the exchange
    trial.state_dir.mkdir(exist_ok=True)
    trial.state_dir.chmod(0o700)
    passwords = _create_accounts(trial)

    root = project_root()
    course = trial.course_dir()
    if not course.exists():
        course.mkdir()
        for part in COURSE_PARTS:
            # the checkout's own cohort workspace (real learners' work) stays where it is
            ignore = _IGNORE_WITH_COHORT if part == "graders" else _IGNORE
            shutil.copytree(root / part, course / part, ignore=ignore)
        (graders_dir(course) / "cohort").mkdir(exist_ok=True)
        account = pwd.getpwnam(trial.instructor)
        for path in [course, *course.rglob("*")]:
            os.chown(path, account.pw_uid, account.pw_gid, follow_symlinks=False)

    build_learner_kit(trial.kit, root)
    # the roles' Jupyter configuration, where every account can read it
    shutil.copytree(hub_dir() / "jupyter", trial.folder / "jupyter", dirs_exist_ok=True)
    trial.exchange.mkdir(exist_ok=True)
    # everyone writes here; the sticky bit keeps anyone from removing another's files
    trial.exchange.chmod(0o1777)

    if not trial.token_path.exists():
        _write_private(trial.token_path, secrets.token_hex(32) + "\n")
    settings = {
        "instructor": trial.instructor,
        "learners": list(trial.learners),
        "course_id": COURSE_ID,
        "course_dir": str(course),
        "kit": str(trial.kit),
        "exchange": str(trial.exchange),
        "state_dir": str(trial.state_dir),
        "ip": "127.0.0.1",
        "port": trial.port,
        "hub_port": free_port(),
        "proxy_api_port": free_port(),
        "proxy": str(proxy),
        "singleuser": str(env / "bin" / "jupyterhub-singleuser"),
        "api_token_file": str(trial.token_path),
        "jupyter_config": str(trial.folder / "jupyter"),
    }
    _write_private(trial.settings_path, json.dumps(settings, indent=2) + "\n")
    _write_private(trial.passwords_path, json.dumps(passwords, indent=2) + "\n")
    closed = close_checkout()
    if closed is not None:
        print(f"closed {closed} to other accounts (chmod o-rwx): it holds the keys and learners have accounts here", flush=True)
    return settings


def _claim_trial_folder(folder: Path) -> None:
    """Make ``folder`` a trial's (new, or empty, or already a trial's) and mark it; refuse anything else."""
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise HubError(f"--trial-dir {folder} is not a folder")
    if folder.is_dir() and not (folder / TRIAL_MARKER).is_file() and any(folder.iterdir()):
        raise HubError(f"--trial-dir {folder} already holds files and was not made by `safetyrater hub up`; choose a new or empty folder")
    if folder.parent == STATE_ROOT:
        _state_root()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / TRIAL_MARKER).write_text("made by `safetyrater hub up`; `safetyrater hub remove` deletes this folder\n")


def run(trial: Trial) -> None:
    """Become JupyterHub, in the foreground: Ctrl+C or SIGTERM stops it and every server it started."""
    env = dict(os.environ, SAFETYRATER_HUB_SETTINGS=str(trial.settings_path))
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    config = hub_dir() / "jupyterhub_config.py"
    os.chdir(trial.state_dir)
    # exec, not a child process: signals reach the hub itself, which then stops the servers and the proxy
    os.execve(sys.executable, [sys.executable, "-m", "jupyterhub", "-f", str(config)], env)


def remove(trial_folder: Path) -> list[str]:
    """Delete the accounts a trial created (with their homes) and its folder; return the accounts removed."""
    require_root()
    if trial_folder.is_symlink() or not (trial_folder / TRIAL_MARKER).is_file():
        raise HubError(f"{trial_folder} is not a trial folder made by `safetyrater hub up` (no {TRIAL_MARKER} in it); nothing removed")
    trial = Trial(trial_folder)
    created = json.loads(trial.accounts_path.read_text()) if trial.accounts_path.exists() else []
    removed = []
    for name in created:
        try:
            home = pwd.getpwnam(name).pw_dir
        except KeyError:
            continue
        result = subprocess.run(["userdel", "--remove", name], capture_output=True, text=True)
        if result.returncode != 0:
            raise HubError(f"userdel {name} failed: {result.stderr.strip()} (is the hub still running?)")
        shutil.rmtree(home, ignore_errors=True)
        removed.append(name)
    shutil.rmtree(trial_folder, ignore_errors=True)
    return removed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _create_accounts(trial: Trial) -> dict[str, str]:
    """Accounts for the trial, each with a random password; never touches an account it did not create."""
    created: list[str] = json.loads(trial.accounts_path.read_text()) if trial.accounts_path.exists() else []
    passwords: dict[str, str] = json.loads(trial.passwords_path.read_text()) if trial.passwords_path.exists() else {}
    for name in trial.accounts:
        try:
            pwd.getpwnam(name)
            exists = True
        except KeyError:
            exists = False
        if exists and name not in created:
            raise HubError(f"account {name!r} already exists and was not made by this trial; choose other names")
        if not exists:
            result = subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], capture_output=True, text=True)
            if result.returncode != 0:
                raise HubError(f"useradd {name} failed: {result.stderr.strip()}")
            created.append(name)
            _write_private(trial.accounts_path, json.dumps(created) + "\n")
        # a home only its owner can read (Debian's useradd leaves it readable by all)
        Path(pwd.getpwnam(name).pw_dir).chmod(0o700)
        if name not in passwords:
            passwords[name] = secrets.token_urlsafe(12)
            subprocess.run(["chpasswd"], input=f"{name}:{passwords[name]}\n", text=True, check=True, capture_output=True)
    return passwords


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    path.chmod(0o600)
