"""nbgrader's exchange, made safe between accounts: private submissions, checked collection.

**Submit.** nbgrader's default ``submit`` copies a learner's work into the
exchange's ``inbound/`` folder and makes every file readable by all accounts;
what keeps it from other learners is only that ``inbound/`` cannot be listed
and the submission's folder name ends in a random string. On a shared machine
that is one leaked name away from a copied answer. :class:`PrivateExchangeSubmit`
takes read access away from other accounts. ``inbound/`` belongs to the
instructor's group and has the set-group-id bit (nbgrader creates it so), so a
submission's files belong to that group too: the instructor still collects
them, other learners cannot open them even by name. Where the group is not the
instructor's (an exchange laid out by hand), nbgrader's own permissions are kept
and a warning says why. Learners' nbgrader configuration selects it
(``deploy/hub/jupyter/learner``).

**Collect.** A learner controls everything on their side of the exchange: their
configuration, the ``--student`` option (``nbgrader submit --student=bob`` files
a submission under bob's name) and the files in their submission, which they
may replace after submitting (a symbolic link to a file only the instructor can
read, a FIFO that never ends). nbgrader's ``collect`` only warns ("cheating
attempt?") and then copies, following links. :class:`OwnerCheckedCollect` takes
a submission only when it is what it claims to be:

* the learner id is a plain name (letters, digits, ``._@-``), and every folder
  and file in the submission belongs to the account of that name, or to the
  account collecting (an instructor trying the cycle from one account, with
  ``--student``, as the README shows);
* it holds nothing but folders and regular files: no links, FIFOs, sockets or
  devices, at most :data:`MAX_DEPTH` folders deep and :data:`MAX_ENTRIES` entries.

A refused submission is named in the log with the reason and skipped; the
learner's latest acceptable submission is collected instead, so a learner who
files one under another's name leaves that learner's own work in place. The
copy itself opens every entry without following links and checks it again on
the open file, so a link swapped in after the check is still refused. The
instructor's configuration selects it (``graders/nbgrader_config.py``)::

    c.ExchangeFactory.collect = "safetyrater.nbgrader.exchange.OwnerCheckedCollect"

``ExchangeCollect.check_owner = False`` turns the ownership check off (for a
deployment whose learner ids are not local account names, where only the
collector's own files would pass); links and special files are refused all the same.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import pwd
import re
import shutil
import stat
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.exchange.abc.exchange import ExchangeError
from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.exchange.default.submit import ExchangeSubmit
from nbgrader.utils import check_mode

from ..errors import SafetyraterError

#: files: the learner reads and writes, the instructor's group reads, others nothing
FILE_MODE = 0o640
#: folders: closed to others; the instructor's group may delete them after collecting (as nbgrader intends)
DIR_MODE = 0o770
#: a learner id the collector accepts: what account names are made of, never a path, markup or a formula
LEARNER_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._@-]{0,127}")
#: how deep a submission's folders may go, and how many entries it may hold
MAX_DEPTH = 16
MAX_ENTRIES = 10_000


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


class SubmissionRefused(Exception):
    """Why a submission in the exchange is not collected, in a few words."""


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file or folder"


def _owner_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


class SubmissionWalk:
    """Every entry of a submission folder, opened without following links and checked on the open file.

    ``owners`` are the accounts (uids) whose files are accepted, or None for any;
    ``skip(name, is_dir)`` leaves an entry out (nbgrader's ignore and include globs);
    ``max_file_bytes`` leaves out a larger file, ``max_total_bytes`` refuses the whole.
    With ``dest``, the files are copied there as they are read.
    """

    def __init__(
        self,
        owners: set[int] | None,
        skip: Callable[[str, bool], bool] = lambda name, is_dir: False,
        max_file_bytes: float | None = None,
        max_total_bytes: float | None = None,
        warn: Callable[[str], None] = lambda message: None,
    ):
        self.owners, self.skip, self.warn = owners, skip, warn
        self.max_file_bytes, self.max_total_bytes = max_file_bytes, max_total_bytes
        self.entries = 0
        self.total = 0

    def run(self, folder: str | Path, dest: str | Path | None = None) -> None:
        """Check (and with ``dest``, copy) the whole submission; raise :class:`SubmissionRefused` at the first problem."""
        try:
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError as exc:
            raise SubmissionRefused(f"the submission is not a folder that can be opened ({exc.strerror})") from None
        try:
            self._check(os.fstat(fd), ".", want_dir=True)
            self._folder(fd, Path(dest) if dest is not None else None, "", 1)
        finally:
            os.close(fd)

    def _check(self, info: os.stat_result, where: str, *, want_dir: bool) -> None:
        if not (stat.S_ISDIR(info.st_mode) if want_dir else stat.S_ISREG(info.st_mode)):
            raise SubmissionRefused(f"{where} is {_kind(info.st_mode)}")
        if self.owners is not None and info.st_uid not in self.owners:
            raise SubmissionRefused(f"{where} was written by {_owner_name(info.st_uid)}")

    def _folder(self, fd: int, dest: Path | None, prefix: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise SubmissionRefused(f"{prefix.rstrip('/')} is more than {MAX_DEPTH} folders deep")
        if dest is not None:
            dest.mkdir(parents=True)
        for name in sorted(os.listdir(fd)):
            self.entries += 1
            if self.entries > MAX_ENTRIES:
                raise SubmissionRefused(f"it holds more than {MAX_ENTRIES} files and folders")
            where = prefix + name
            info = os.stat(name, dir_fd=fd, follow_symlinks=False)
            is_dir = stat.S_ISDIR(info.st_mode)
            if self.skip(name, is_dir):
                continue
            if not is_dir and not stat.S_ISREG(info.st_mode):
                raise SubmissionRefused(f"{where} is {_kind(info.st_mode)}")
            flags = os.O_RDONLY | os.O_NOFOLLOW | (os.O_DIRECTORY if is_dir else os.O_NONBLOCK)
            try:
                child = os.open(name, flags, dir_fd=fd)
            except OSError as exc:  # swapped for a link or a FIFO since it was listed
                raise SubmissionRefused(f"{where} cannot be opened as it was listed ({exc.strerror})") from None
            try:
                opened = os.fstat(child)
                self._check(opened, where, want_dir=is_dir)
                if is_dir:
                    self._folder(child, dest / name if dest is not None else None, where + "/", depth + 1)
                else:
                    self._file(child, opened, dest / name if dest is not None else None, where)
            finally:
                os.close(child)

    def _file(self, fd: int, info: os.stat_result, dest: Path | None, where: str) -> None:
        if self.max_file_bytes is not None and info.st_size > self.max_file_bytes:
            self.warn(f"Ignoring file too large '{where}' (see config option CourseDirectory.max_file_size)")
            return
        self.total += info.st_size
        if self.max_total_bytes is not None and self.total > self.max_total_bytes:
            raise SubmissionRefused(f"it is larger than {self.max_total_bytes:g} bytes (CourseDirectory.max_dir_size)")
        if dest is not None:
            with os.fdopen(os.dup(fd), "rb") as source, open(dest, "xb") as target:
                shutil.copyfileobj(source, target)


class OwnerCheckedCollect(ExchangeCollect):
    """``nbgrader collect`` that takes a submission only from the account it names, and only plain files."""

    def init_src(self) -> None:
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.inbound_path = os.path.join(self.course_path, "inbound")
        if not os.path.isdir(self.inbound_path):
            self.fail(f"Course not found: {self.inbound_path}")
        if not check_mode(self.inbound_path, read=True, execute=True):
            self.fail(f"You don't have read permissions for the directory: {self.inbound_path}")
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gradebook:
            try:
                self.duedate = gradebook.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                self.duedate = None
        student = self.coursedir.student_id or "*"
        by_learner: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for path in sorted(glob.glob(os.path.join(glob.escape(self.inbound_path), f"{student}+{self.coursedir.assignment_id}+*"))):
            name = os.path.basename(path)
            try:
                record = self._path_to_record(path)
                self._inspect(path, record["username"])
            except (ExchangeError, ValueError, OverflowError) as exc:
                self.log.error("Refused %s: its name is not a submission's (%s)", name, exc)
                continue
            except SubmissionRefused as exc:
                self.log.error("Refused %s: %s; not collected (an earlier submission of the learner's is, if any)", name, exc)
                continue
            by_learner[record["username"]].append(record)
        self.src_records = [self._chosen(records) for records in by_learner.values()]

    def _chosen(self, records: Sequence[dict[str, Any]]) -> dict[str, Any]:
        """nbgrader's choice among one learner's submissions: the latest, or the latest before the due date."""
        latest_first: list[dict[str, Any]] = self._sort_by_timestamp(records)
        if self.duedate is not None and self.before_duedate:
            on_time = [record for record in latest_first if record["timestamp"] <= self.duedate]
            if on_time:
                return on_time[0]
        return latest_first[0]

    def _owners(self, learner: str) -> set[int] | None:
        """The accounts whose files may make up ``learner``'s submission: theirs and the collector's."""
        if not LEARNER_ID.fullmatch(learner):
            raise SubmissionRefused(f"{learner!r} is not a learner id (letters, digits and ._@- only)")
        if not self.check_owner:
            return None
        owners = {os.geteuid()}
        try:
            owners.add(pwd.getpwnam(learner).pw_uid)
        except KeyError:
            pass  # no such account: only the collector's own files (one account trying the cycle)
        return owners

    def _walk(self, learner: str) -> SubmissionWalk:
        ignore, include = list(self.coursedir.ignore), list(self.coursedir.include)

        def skip(name: str, is_dir: bool) -> bool:
            if any(fnmatch.fnmatch(name, pattern) for pattern in ignore):
                return True
            return not is_dir and bool(include) and not any(fnmatch.fnmatch(name, pattern) for pattern in include)

        def kilobytes(value: Any) -> float | None:
            return 1000.0 * value if value else None

        return SubmissionWalk(
            self._owners(learner), skip, kilobytes(self.coursedir.max_file_size), kilobytes(self.coursedir.max_dir_size), self.log.warning
        )

    def _inspect(self, path: str, learner: str) -> None:
        self._walk(learner).run(path)

    def do_copy(self, src: str, dest: str, log: Any = None) -> None:
        """Copy a submission as checked: every entry opened without following links and checked again."""
        learner = self._path_to_record(src)["username"]
        try:
            self._walk(learner).run(src, dest)
        except SubmissionRefused as exc:
            shutil.rmtree(dest, ignore_errors=True)
            self.log.error("Refused %s while copying it: %s; not collected", os.path.basename(src), exc)
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
