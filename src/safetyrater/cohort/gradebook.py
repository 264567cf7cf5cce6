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

:func:`read_gradebook` reads every grade back in one query (at 1,000 learners
a gradebook holds some 100,000): the points nbgrader counts for each cell
(the instructor's manual score when there is one, else the automatic one, plus
any extra credit), so :mod:`.record` can make it the one set of numbers.
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

import pandas as pd

from ..errors import DataError, Problem
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
    # nbgrader is imported when a gradebook is opened: importing it takes about a second, which
    # `cohort report` on a course without a gradebook need not spend
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning, SQLAlchemyError

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
    except SQLAlchemyError as exc:  # not a database, a damaged one, or one nbgrader cannot open
        reason = str(getattr(exc, "orig", None) or type(exc).__name__)
        raise DataError([Problem(db_url, None, None, f"nbgrader's gradebook cannot be used ({reason})")]) from None
    finally:
        os.environ["PATH"] = path


def write_gradebook(grades: CohortGrades, db_url: str | None = None, course_id: str | None = None) -> GradebookWrite:
    """Record every submitted learner × exercise of ``grades`` in the gradebook.

    ``db_url`` and ``course_id`` default to the course layout the grades
    came from. Learners who submitted nothing are not added.
    """
    from nbgrader.api import MissingEntry  # see open_gradebook

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



#: one row per grade of :func:`read_gradebook`
GRADE_COLUMNS = ["learner", "exercise", "cell", "task", "points", "max", "manual", "needs_manual_grade"]


@dataclass
class GradebookGrades:
    """Every grade in nbgrader's gradebook, the exercises' maxima and who the learners are."""

    #: learner, exercise, cell, task (a manually graded task cell), points (what nbgrader counts),
    #: max, manual (an instructor's score), needs_manual_grade
    grades: pd.DataFrame
    #: exercise -> maximum points, for every exercise in the gradebook (in nbgrader's order)
    max_points: dict[str, float]
    #: learners (index): first_name, last_name, email (may be empty)
    people: pd.DataFrame
    #: (learner, exercise) -> nbgrader's submission time (ISO), for submissions it holds
    timestamps: dict[tuple[str, str], str | None]
    db_url: str

    @property
    def submissions(self) -> set[tuple[str, str]]:
        """The (learner, exercise) pairs the gradebook holds."""
        return set(self.timestamps)


def read_gradebook(db_url: str, course_id: str = "default_course") -> GradebookGrades:
    """Every grade, as the points nbgrader's ``export`` and formgrader count."""
    from nbgrader.api import Assignment, BaseCell, Grade, SubmittedAssignment, SubmittedNotebook  # see open_gradebook

    with open_gradebook(db_url, course_id) as gradebook:
        assignments = sorted(gradebook.assignments, key=lambda a: (a.duedate is None, a.duedate, a.name))
        max_points = {a.name: float(a.max_score) for a in assignments}
        students = sorted(gradebook.students, key=lambda s: s.id)
        people = pd.DataFrame(
            {
                "first_name": [s.first_name or "" for s in students],
                "last_name": [s.last_name or "" for s in students],
                "email": [s.email or "" for s in students],
            },
            index=pd.Index([s.id for s in students], name="learner"),
        )
        # one query for every grade: nbgrader's own objects would load them one by one
        rows = (
            gradebook.db.query(
                SubmittedAssignment.student_id,
                Assignment.name,
                BaseCell.name,
                BaseCell.type,
                Grade.auto_score,
                Grade.manual_score,
                Grade.extra_credit,
                Grade.max_score,
                Grade.needs_manual_grade,
            )
            .select_from(Grade)
            .join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
            .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
            .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
            .join(BaseCell, Grade.cell_id == BaseCell.id)
            .all()
        )
        submitted = gradebook.db.query(SubmittedAssignment.student_id, Assignment.name, SubmittedAssignment.timestamp).join(
            Assignment, SubmittedAssignment.assignment_id == Assignment.id
        )
        timestamps = {(str(learner), str(name)): stamp.isoformat() if stamp is not None else None for learner, name, stamp in submitted}
    frame = pd.DataFrame(
        rows, columns=["learner", "exercise", "cell", "type", "auto", "manual_score", "extra_credit", "max", "needs_manual_grade"]
    )
    # nbgrader's Grade.score: the manual score when set, else the automatic one, else 0; plus extra credit
    chosen = frame["manual_score"].where(frame["manual_score"].notna(), frame["auto"]).astype(float).fillna(0.0)
    frame["points"] = (chosen + frame["extra_credit"].astype(float).fillna(0.0)).round(4)
    frame["manual"] = frame["manual_score"].notna()
    frame["task"] = frame["type"] == "TaskCell"
    frame["max"] = frame["max"].astype(float)
    frame["needs_manual_grade"] = frame["needs_manual_grade"].astype(bool)
    return GradebookGrades(frame[GRADE_COLUMNS], max_points, people, timestamps, db_url)
