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

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

from ..errors import DataError, Problem
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
        # exactly the one `nbgrader autograde` would use from that folder.
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


@dataclass(frozen=True)
class Submission:
    """One learner's work on one exercise, as found on disk."""

    learner: str
    exercise: str
    #: the answer file, whether or not it exists
    path: Path
    #: nbgrader has the learner's folder for this exercise
    submitted: bool
    #: nbgrader's submission time (timestamp.txt), when known
    timestamp: str | None = None


def learner_id_problem(learner: str) -> str | None:
    """Why ``learner`` cannot name a folder inside the course, or None when it can."""
    if not learner or learner in {".", ".."}:
        return f"learner id {learner!r} is not a name"
    if _BAD_ID_CHARACTERS.search(learner) or (os.altsep and os.altsep in learner):
        return f"learner id {learner!r} has a path separator or a character nbgrader refuses ('*', '+', control)"
    if learner.startswith("."):
        return f"learner id {learner!r} starts with a dot"
    return None


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def find_learners(layout: CourseLayout) -> list[str]:
    """Learner ids from the submitted folder's subfolders, sorted; hidden folders are not learners."""
    if not layout.submitted.is_dir():
        return []
    return sorted(entry.name for entry in layout.submitted.iterdir() if not entry.name.startswith(".") and entry.is_dir())


def find_submissions(
    layout: CourseLayout, exercises: Iterable[str], learners: Iterable[str] | None = None
) -> tuple[list[Submission], list[Problem]]:
    """Every learner × exercise, with its answer file; unsafe learner ids reported and skipped.

    ``learners`` restricts the search to those ids (default: every folder in
    the submitted folder).
    """
    exercises = list(exercises)
    problems: list[Problem] = []
    if learners is None:
        learners = find_learners(layout)
    submissions = []
    for learner in dict.fromkeys(learners):
        reason = learner_id_problem(learner)
        if reason is None and (layout.submitted / learner).exists() and not _inside(layout.submitted / learner, layout.submitted):
            reason = f"learner folder {learner!r} leads outside the submitted folder"
        if reason is not None:
            problems.append(Problem(layout.submitted, None, None, f"{reason}; skipped"))
            continue
        for exercise in exercises:
            folder = layout.submission_dir(learner, exercise)
            path = layout.answer_path(learner, exercise)
            if folder.exists() and not _inside(folder, layout.submitted) or path.exists() and not _inside(path, folder):
                problems.append(Problem(path, None, f"learner {learner}", "leads outside the submitted folder; skipped"))
                continue
            submitted = folder.is_dir()
            stamp = folder / "timestamp.txt"
            timestamp = stamp.read_text(encoding="utf-8").strip() or None if submitted and stamp.is_file() else None
            submissions.append(Submission(learner, exercise, path, submitted, timestamp))
    return submissions, problems
