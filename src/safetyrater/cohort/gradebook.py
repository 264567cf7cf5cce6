"""Write the fast lane's scores into nbgrader's gradebook.

Each exercise notebook has one grade cell per case, named ``case-<case id>``
(see ``solutions/``). The fast lane's points for a case go into that cell's
automatic score, scaled to the cell's points exactly as
:func:`safetyrater.exercise.grade_item` scales them, so the formgrader,
``nbgrader export`` and the LMS export see what ``nbgrader autograde`` would
have recorded. A score an instructor set by hand in the formgrader takes
precedence in nbgrader and is left alone.

The ``written-feedback`` row goes into the cell of that name, the feedback
coach's pre-score as its automatic score. As after ``nbgrader autograde``
(see :class:`safetyrater.nbgrader.preprocessors.FlagNotesForReview`), the cell is flagged as needing
manual grading when the learner wrote a note, unless the instructor has
already given it a score by hand.

If ``generate_assignment`` has not yet put an exercise in the gradebook, the
exercise, its notebook and its grade cells are added with the policy's points
per case.
"""

from __future__ import annotations

import os
import shutil
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy.exc import SAWarning

from ..errors import Problem
from ..nbgrader.cells import nbgrader_points
from .grade import NOT_SUBMITTED, NOTES_CASE, CohortGrades

#: the grade cell of a case in an exercise notebook
CELL_PREFIX = "case-"


def grade_cell_name(case_id: str, kind: str | None = None) -> str:
    """The grade cell of a row of the scores table: ``case-<id>``, ``written-feedback`` (notes), ``pair-N-checks`` (a probe pair)."""
    if case_id == NOTES_CASE:
        return case_id
    return f"{case_id}-checks" if kind == "probe" else f"{CELL_PREFIX}{case_id}"


@dataclass
class GradebookWrite:
    """What a write changed."""

    submissions: int = 0
    grades: int = 0
    created_exercises: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@contextmanager
def open_gradebook(db_url: str, course_id: str) -> Iterator[Any]:
    """nbgrader's Gradebook; a new database needs the ``alembic`` command, found beside Python."""
    path = os.environ.get("PATH", "")
    here = str(Path(sys.executable).parent)
    if shutil.which("alembic") is None and shutil.which("alembic", path=here):
        os.environ["PATH"] = os.pathsep.join([here, path])
    try:
        with warnings.catch_warnings(), Gradebook(db_url, course_id=course_id) as gradebook:
            # nbgrader's add_submission builds rows while autoflush runs, which
            # SQLAlchemy 2 warns about; the rows are added all the same
            warnings.simplefilter("ignore", SAWarning)
            yield gradebook
    finally:
        os.environ["PATH"] = path


def write_gradebook(grades: CohortGrades, db_url: str | None = None, course_id: str | None = None) -> GradebookWrite:
    """Record every submitted learner × exercise of ``grades`` in the gradebook.

    ``db_url`` and ``course_id`` default to the course layout the grades
    came from. Learners who submitted nothing are not added.
    """
    layout = grades.layout
    db_url = db_url or (layout.db_url if layout else None)
    if db_url is None:
        raise ValueError("no gradebook: give db_url or grades read from a course folder")
    course_id = course_id or (layout.course_id if layout else "default_course")
    if layout and layout.gradebook_file is not None:
        layout.gradebook_file.parent.mkdir(parents=True, exist_ok=True)

    result = GradebookWrite()
    scores = grades.scores[grades.scores["status"] != NOT_SUBMITTED]
    submissions = grades.submissions.set_index(["learner", "exercise"])
    with open_gradebook(db_url, course_id) as gradebook:
        for exercise, rows in scores.groupby("exercise", sort=False):
            try:
                gradebook.find_assignment(exercise)
            except MissingEntry:
                gradebook.update_or_create_assignment(exercise)
                gradebook.update_or_create_notebook(exercise, exercise)
                for case, maximum, kind in rows.drop_duplicates("case")[["case", "max", "kind"]].itertuples(index=False):
                    gradebook.update_or_create_grade_cell(
                        grade_cell_name(case, kind), exercise, exercise, max_score=float(maximum), cell_type="code"
                    )
                result.created_exercises.append(str(exercise))
            for learner, learner_rows in rows.groupby("learner", sort=False):
                gradebook.update_or_create_student(learner)
                path, timestamp = submissions.loc[(learner, exercise), ["path", "timestamp"]]
                # a submission without nbgrader's timestamp.txt: pandas may hold its missing time as NaN
                extra = {"timestamp": timestamp} if timestamp and timestamp == timestamp else {}
                submission = gradebook.update_or_create_submission(exercise, learner, **extra)
                cells = {grade.cell.name: grade for notebook in submission.notebooks for grade in notebook.grades}
                columns = ["case", "points", "max", "answered", "kind"]
                for case, points, maximum, answered, kind in learner_rows[columns].itertuples(index=False):
                    grade = cells.get(grade_cell_name(case, kind))
                    if grade is None:
                        result.problems.append(
                            Problem(
                                str(path),
                                None,
                                f"learner {learner}",
                                f"the gradebook has no grade cell {grade_cell_name(case, kind)!r} in {exercise!r}; not written",
                            )
                        )
                        continue
                    cell_points = float(grade.max_score)
                    grade.auto_score = nbgrader_points(points / maximum * cell_points if maximum else 0.0, cell_points)
                    # a note waits for the instructor, as FlagNotesForReview marks it after autograde
                    grade.needs_manual_grade = case == NOTES_CASE and bool(answered) and grade.manual_score is None
                    result.grades += 1
                result.submissions += 1
            gradebook.db.commit()
    return result

