"""nbgrader's exchange with submissions private to their learner and the instructor.

nbgrader's default ``submit`` copies a learner's work into the exchange's
``inbound/`` folder and makes every file readable by all accounts; what keeps
it from other learners is only that ``inbound/`` cannot be listed and the
submission's folder name ends in a random string. On a shared machine that is
one leaked name away from a copied answer.

:class:`PrivateExchangeSubmit` then takes read access away from other
accounts. ``inbound/`` belongs to the instructor's group and has the set-group-id
bit (nbgrader creates it so), so a submission's files belong to that group
too: the instructor still collects them, other learners cannot open them even
by name. Where the group is not the instructor's (an exchange laid out by
hand), nbgrader's own permissions are kept and a warning says why.

Learners' nbgrader configuration selects it (``deploy/hub/jupyter/learner``)::

    c.ExchangeFactory.submit = "safetyrater.hubexchange.PrivateExchangeSubmit"
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from nbgrader.exchange.default.submit import ExchangeSubmit

from ..errors import SafetyraterError

#: files: the learner reads and writes, the instructor's group reads, others nothing
FILE_MODE = 0o640
#: folders: closed to others; the instructor's group may delete them after collecting (as nbgrader intends)
DIR_MODE = 0o770


class PrivateExchangeSubmit(ExchangeSubmit):
    """``nbgrader submit`` whose submission other learners cannot read."""

    def copy_files(self) -> None:
        super().copy_files()
        submission = os.path.join(self.inbound_path, self.assignment_filename)
        inbound_group = os.stat(self.inbound_path).st_gid
        if os.stat(submission).st_gid != inbound_group or inbound_group == os.getgid():
            self.log.warning(
                "Submission %s does not belong to the instructor's group; keeping nbgrader's permissions", submission
            )
            return
        # The submission's folder shuts out other accounts. Files nbgrader writes after
        # copying (timestamp.txt, submission_secret.txt) may carry the learner's own
        # group, which the instructor must still read: those keep nbgrader's mode and
        # are reached only through the closed folder.
        for dirpath, _, filenames in os.walk(submission):
            for name in filenames:
                path = os.path.join(dirpath, name)
                if os.stat(path).st_gid == inbound_group:
                    os.chmod(path, FILE_MODE)
            os.chmod(dirpath, DIR_MODE | (os.stat(dirpath).st_mode & stat.S_ISGID))


#: where nbgrader looks for the exchange when nothing configures it (``Exchange.root``'s default)
DEFAULT_EXCHANGE_ROOT = "/usr/local/share/nbgrader/exchange"
#: a submission copies a folder of a few files; a stuck exchange must not hang the page
SUBMIT_SECONDS = 120


def exchange_root(folder: Path | str, config_paths: Sequence[str] = ()) -> Path:
    """The exchange nbgrader uses from ``folder``: its config there, in ``config_paths`` and on Jupyter's config path,
    as the Assignment List reads it."""
    from nbgrader.apps import NbGrader
    from traitlets.config.application import Application

    app = NbGrader()
    app.log.setLevel("ERROR")  # "no nbgrader_config.py found" is an answer here, not a warning
    app.load_config_file()
    # then the given paths and the course's own config, each overriding the ones before (nbgrader reads only
    # the current folder's; the Assignment List changes folder to get it)
    for path in [*reversed(config_paths), str(folder)]:
        Application.load_config_file(app, "nbgrader_config", path=path)
    root = app.config.Exchange.get("root", DEFAULT_EXCHANGE_ROOT)
    return Path(str(root))


def exchange_configured(folder: Path | str, config_paths: Sequence[str] = ()) -> bool:
    """Whether a learner working in ``folder`` has an exchange to submit to (it must exist: nbgrader never creates it)."""
    try:
        return exchange_root(folder, config_paths).is_dir()
    except Exception:  # a learner's broken nbgrader config means no exchange to offer, not a traceback
        return False


def submit_assignment(assignment: Path) -> str:
    """``nbgrader submit`` the folder ``assignment`` (the exchange's Submit, as the Assignment List calls it); nbgrader's last words.

    Raises :class:`~safetyrater.errors.SafetyraterError` with nbgrader's own
    message when the submission fails.
    """
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", "submit", assignment.name],
        cwd=assignment.parent,
        capture_output=True,
        text=True,
        timeout=SUBMIT_SECONDS,
        check=False,
    )
    said = [line.split("]", 1)[-1].strip() for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    if result.returncode != 0:
        reason = next((line for line in reversed(said) if "rror" in line or "not" in line), said[-1] if said else "no message")
        raise SafetyraterError(f"nbgrader could not submit {assignment.name}: {reason}")
    return said[-1] if said else f"Submitted {assignment.name}."
