"""Find every learner's answer file in an nbgrader course folder.

nbgrader keeps a submission at ``<submitted>/<learner>/<exercise>/``, and the
cards save a learner's answers there as ``<exercise>.answers.json``. Where
``<submitted>`` is and where the gradebook lives come from the course's
``nbgrader_config.py`` (``graders/nbgrader_config.py`` in this kit:
``graders/cohort/submitted`` and ``graders/cohort/gradebook.db``), read the
way nbgrader reads it. A folder without a configuration is taken to use the
kit's layout, which is how ``safetyrater cohort demo`` writes one.

Learner ids come from folder names or from the command line. An id that could
lead outside the course folder (``..``, a path separator, a link that points
elsewhere) is reported and skipped: nothing outside the course is read.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from ..errors import DataError, Problem
from ..io import FORMULA_STARTS, read_handed_in
from ..paths import GRADERS, answers_filename, graders_dir

CONFIG_FILE = "nbgrader_config.py"
#: the kit's layout, relative to the course root (see graders/nbgrader_config.py)
WORKSPACE = Path(GRADERS) / "cohort"
SUBMITTED = "submitted"
GRADEBOOK = "gradebook.db"
DEFAULT_STRUCTURE = "{nbgrader_step}/{student_id}/{assignment_id}"

# nbgrader's exchange refuses '*' and '+' in a student id; separators and
# control characters would let a name reach outside the submitted folder.
_BAD_ID_CHARACTERS = re.compile(r"[/\\*+\x00-\x1f\x7f]")


@dataclass(frozen=True)
class CourseLayout:
    """Where an nbgrader course keeps its submissions and gradebook."""

    root: Path
    submitted: Path
    db_url: str
    course_id: str
    config_file: Path | None = None

    @classmethod
    def find(cls, course_dir: Path | str) -> CourseLayout:
        """The layout of the course in ``course_dir`` (its root or its ``graders/`` folder).

        The first ``nbgrader_config.py`` found in ``course_dir`` or
        ``course_dir/graders`` decides, as it does for ``nbgrader`` run there.
        """
        course_dir = Path(course_dir).resolve()
        if not course_dir.is_dir():
            raise DataError([Problem(course_dir, None, None, "course folder not found")])
        for candidate in (course_dir / CONFIG_FILE, graders_dir(course_dir) / CONFIG_FILE):
            if candidate.is_file():
                return cls._from_config(candidate)
        workspace = course_dir / WORKSPACE
        if not (workspace / SUBMITTED).is_dir() and (course_dir / SUBMITTED).is_dir():
            workspace = course_dir  # a cohort workspace given directly
        return cls(
            root=course_dir,
            submitted=workspace / SUBMITTED,
            db_url=f"sqlite:///{workspace / GRADEBOOK}",
            course_id="safetyrater",
        )

    @classmethod
    def _from_config(cls, path: Path) -> CourseLayout:
        # nbgrader's own classes resolve the configuration, so the layout is
        # exactly the one `nbgrader autograde` would use from that folder. Imported here, for a
        # course with a configuration only: importing nbgrader takes about a second of start-up.
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

        try:
            # the file is Python: whatever it raises (or a SystemExit) means it cannot be used
            config = PyFileConfigLoader(path.name, path=str(path.parent)).load_config()
            coursedir = CourseDirectory(config=config)
        except (Exception, SystemExit) as exc:
            reason = f"{type(exc).__name__}: {exc}" if not isinstance(exc, (ConfigFileNotFound, SyntaxError, OSError)) else str(exc)
            raise DataError([Problem(path, None, None, f"cannot load the nbgrader configuration ({reason})")]) from None
        if coursedir.directory_structure != DEFAULT_STRUCTURE:
            raise DataError(
                [Problem(path, None, "CourseDirectory.directory_structure", f"must be {DEFAULT_STRUCTURE!r} for the cohort tools")]
            )
        root = Path(coursedir.root).resolve()
        return cls(
            root=root,
            submitted=root / coursedir.submitted_directory,
            db_url=coursedir.db_url,
            course_id=coursedir.course_id or "default_course",
            config_file=path,
        )

    def submission_dir(self, learner: str, exercise: str) -> Path:
        return self.submitted / learner / exercise

    def answer_path(self, learner: str, exercise: str) -> Path:
        return self.submission_dir(learner, exercise) / answers_filename(exercise)

    @property
    def gradebook_file(self) -> Path | None:
        """The gradebook's file when it is SQLite, else None."""
        prefix = "sqlite:///"
        return Path(self.db_url[len(prefix):]) if self.db_url.startswith(prefix) else None


class Submission(NamedTuple):
    """One learner's work on one exercise, as found on disk.

    A named tuple holding its path as text: a cohort has one per learner and
    exercise, and a dataclass with a :class:`~pathlib.Path` each was a fifth
    of finding them.
    """

    learner: str
    exercise: str
    #: the answer file, whether or not it exists
    answer_file: str
    #: nbgrader has the learner's folder for this exercise
    submitted: bool
    #: nbgrader's submission time (timestamp.txt), when known
    timestamp: str | None = None

    @property
    def path(self) -> Path:
        """The answer file as a Path."""
        return Path(self.answer_file)


def learner_id_problem(learner: str) -> str | None:
    """Why ``learner`` cannot name a folder inside the course, or go into a spreadsheet as it is, or None when it can."""
    if not learner or learner in {".", ".."}:
        return f"learner id {learner!r} is not a name"
    if _BAD_ID_CHARACTERS.search(learner) or (os.altsep and os.altsep in learner):
        return f"learner id {learner!r} has a path separator or a character nbgrader refuses ('*', '+', control)"
    if learner.startswith("."):
        return f"learner id {learner!r} starts with a dot"
    if learner.startswith(FORMULA_STARTS):
        # a spreadsheet opening the exports would run it as a formula (CSV injection)
        return f"learner id {learner!r} starts with {learner[0]!r}, which a spreadsheet reads as a formula"
    if not _is_text(learner):
        return f"learner folder {learner!r} is not a UTF-8 name"
    return None


def _is_text(name: str) -> bool:
    """Whether a name read from the disk is text (a byte that is not UTF-8 comes back as a lone surrogate)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _inside(path: str, folder: str) -> bool:
    """Whether ``path``, links followed, lies in the real folder ``folder``."""
    return os.path.realpath(path).startswith(folder.rstrip(os.sep) + os.sep)


def find_learners(layout: CourseLayout) -> list[str]:
    """Learner ids from the submitted folder's subfolders, sorted; hidden folders are not learners."""
    if not layout.submitted.is_dir():
        return []
    with os.scandir(layout.submitted) as entries:
        return sorted(entry.name for entry in entries if not entry.name.startswith(".") and entry.is_dir())


def find_submissions(
    layout: CourseLayout, exercises: Iterable[str], learners: Iterable[str] | None = None
) -> tuple[list[Submission], list[Problem]]:
    """Every learner × exercise, with its answer file; unsafe learner ids reported and skipped.

    ``learners`` restricts the search to those ids (default: every folder in
    the submitted folder). Links are looked for once per learner folder (one
    listing of it); only a link is followed, to check it stays in the course.
    The answer file itself is checked as it is read (:func:`link_leads_outside`).
    """
    exercises = list(exercises)
    problems: list[Problem] = []
    if learners is None:
        learners = find_learners(layout)
    submitted_root = os.path.realpath(layout.submitted)
    submitted = str(layout.submitted)
    file_names = {exercise: answers_filename(exercise) for exercise in exercises}
    submissions = []
    for learner in dict.fromkeys(learners):
        reason = learner_id_problem(learner)
        folder = os.path.join(layout.submitted, learner)
        entries: dict[str, os.DirEntry[str]] = {}
        if reason is None:
            if os.path.islink(folder) and not _inside(folder, submitted_root):
                reason = f"learner folder {learner!r} leads outside the submitted folder"
            elif os.path.isdir(folder):
                with os.scandir(folder) as listing:
                    entries = {entry.name: entry for entry in listing if entry.name in exercises}
        if reason is not None:
            problems.append(Problem(layout.submitted, None, None, f"{reason}; skipped"))
            continue
        # paths joined as text, one Path per submission: pathlib's joins were a third of the fast lane's search
        learner_dir = os.path.join(submitted, learner)
        for exercise in exercises:
            entry = entries.get(exercise)
            exercise_dir = os.path.join(learner_dir, exercise)
            answer_path = os.path.join(exercise_dir, file_names[exercise])
            if entry is not None and entry.is_symlink() and not _inside(entry.path, submitted_root):
                problems.append(Problem(Path(answer_path), None, f"learner {learner}", "leads outside the submitted folder; skipped"))
                continue
            if entry is None or not entry.is_dir():
                submissions.append(Submission(learner, exercise, answer_path, False))
                continue
            timestamp, problem = _timestamp(os.path.join(exercise_dir, "timestamp.txt"), learner)
            if problem is not None:
                problems.append(problem)
            submissions.append(Submission(learner, exercise, answer_path, True, timestamp))
    return submissions, problems


def link_leads_outside(path: str) -> bool:
    """Whether the link at ``path`` leads outside the folder it is in.

    An answer file may link only within its own submission folder (where
    nbgrader's feedback step may leave one); anything else could read another
    learner's answers or a key. The fast lane opens answer files without
    following links and asks this only of a file that is one.
    """
    return not _inside(path, os.path.realpath(os.path.dirname(path)))


def _timestamp(path: str, learner: str) -> tuple[str | None, Problem | None]:
    """nbgrader's submission time in ``timestamp.txt`` (None when there is none), or the problem reading it."""
    try:
        # a learner's file: not a link, a FIFO or a device (each could stop the cohort's grading), and short
        raw = read_handed_in(path, limit=4096)
    except (FileNotFoundError, NotADirectoryError):
        return None, None
    except OSError as exc:
        reason = f"cannot read nbgrader's submission time ({'a link' if exc.errno == errno.ELOOP else exc.strerror}); graded without it"
        return None, Problem(Path(path), None, f"learner {learner}", reason)
    try:
        return raw.decode("utf-8").strip() or None, None
    except UnicodeDecodeError:
        return None, Problem(Path(path), None, f"learner {learner}", "nbgrader's submission time is not UTF-8 text; graded without it")
