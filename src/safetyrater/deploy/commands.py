"""``safetyrater hub kit|install|up|remove``: the learner kit and the trial hub on this machine."""

from __future__ import annotations

import json
from pathlib import Path

from . import hub
from .learnerkit import build_learner_kit


def kit(dest: str) -> int:
    """Write the learner kit to ``dest``."""
    print(build_learner_kit(dest).line())
    return 0


def install(python: str | None = None) -> int:
    """Install (or refresh) the hub's proxy and the single-user environment."""
    print(f"proxy: {hub.ensure_proxy()}")
    print(f"single-user environment: {hub.ensure_singleuser_env(python=Path(python) if python else None)}")
    return 0


def up(
    *,
    port: int = 8000,
    instructor: str = hub.DEFAULT_INSTRUCTOR,
    learners: str = ",".join(hub.DEFAULT_LEARNERS),
    trial_dir: str | None = None,
) -> int:
    """Start a trial hub on 127.0.0.1 with local accounts and print their passwords; this process becomes JupyterHub."""
    names = tuple(name.strip() for name in learners.split(",") if name.strip())
    trial = hub.Trial(Path(trial_dir) if trial_dir else hub.default_trial_dir(), instructor, names, port)
    hub.prepare(trial)
    passwords = json.loads(trial.passwords_path.read_text())
    print(f"Trial hub at http://127.0.0.1:{port}/ (Ctrl+C stops it and every server it started)")
    print(f"  instructor {trial.instructor}  password {passwords[trial.instructor]}  (formgrader: Nbgrader > Formgrader)")
    for name in names:
        print(f"  learner    {name}  password {passwords[name]}")
    print(f"  state, passwords and admin API token: {trial.state_dir} (root only); exchange: {trial.exchange}")
    print(f"  remove the accounts afterwards: safetyrater hub remove --trial-dir {trial.folder}", flush=True)
    hub.run(trial)
    return 0  # not reached: run() becomes JupyterHub


def remove(trial_dir: str | None = None) -> int:
    """Delete a trial's accounts (with their homes) and its folder."""
    folder = Path(trial_dir) if trial_dir else hub.default_trial_dir()
    removed = hub.remove(folder)
    print(f"removed {len(removed)} account(s){': ' + ', '.join(removed) if removed else ''} and {folder}")
    return 0
