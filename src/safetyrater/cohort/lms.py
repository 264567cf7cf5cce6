"""Gradebook CSVs for a learning-management system: one row per learner, one column per exercise.

Two shapes, as each system's gradebook import reads them:

Canvas (Grades > Import)
    ``Student, ID, SIS User ID, SIS Login ID, Section, <exercise>...``, then a
    ``Points Possible`` row under the header, as in Canvas's own gradebook
    export. Canvas matches a learner by ``ID``, ``SIS User ID`` or ``SIS Login
    ID``; the nbgrader student id goes in ``SIS Login ID`` (nbgrader ids are
    usually the learners' logins), ``ID`` and ``SIS User ID`` stay empty.
    ``Section`` must be present and may be empty. An exercise column whose
    name matches no Canvas assignment creates one.

Moodle (Grades > Import > CSV file)
    ``First name, Last name, Username, Email address, <exercise>...``. At import,
    map ``Username`` (or ``Email address``) to the matching user field and each
    exercise column to a grade item or "new grade item". Moodle gives a new
    grade item a maximum of 100, so export with ``scale="percent"`` unless the
    items already carry the exercise's maximum.

Scores come from the course's record (:mod:`.record`): nbgrader's gradebook
for every submission it holds (so grades an instructor changed in the
formgrader count), the fast lane's grading of the answer file otherwise; or
from the gradebook alone, as ``nbgrader export`` gives them. A learner who did
not submit an exercise gets 0, as ``nbgrader export`` gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from ..io import write_csv
from .grade import CohortGrades
from .gradebook import read_gradebook
from .record import CourseRecord, source_line

LMS = ("canvas", "moodle")
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_COLUMNS = ["First name", "Last name", "Username", "Email address"]
POINTS_POSSIBLE = "Points Possible"


@dataclass
class CourseTotals:
    """Each learner's points per exercise, the exercises' maxima, and who the learners are."""

    #: learners (index) × exercises (columns): points
    points: pd.DataFrame
    #: exercise -> maximum points
    max_points: dict[str, float]
    #: learners (index): first_name, last_name, email (may be empty)
    people: pd.DataFrame
    #: where the scores came from, for the person running the export
    source: str


def _people(learners: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"first_name": "", "last_name": "", "email": ""}, index=pd.Index(learners, name="learner"))


def totals_from_grades(grades: CohortGrades) -> CourseTotals:
    """Totals from graded answer files, or from the course's record (with the gradebook's names and emails)."""
    points = grades.totals()
    gradebook = grades.gradebook if isinstance(grades, CourseRecord) else None
    if gradebook is None:
        return CourseTotals(points, grades.max_points(), _people(list(points.index)), "the answer files (fast lane)")
    people = gradebook.people.reindex(points.index).fillna("")
    maxima = {**grades.max_points(), **{e: m for e, m in gradebook.max_points.items() if e in points.columns}}
    return CourseTotals(points, maxima, people, source_line(grades).removeprefix("points: "))


def totals_from_gradebook(db_url: str, course_id: str = "default_course") -> CourseTotals:
    """Totals from nbgrader's gradebook alone: the same numbers ``nbgrader export`` writes."""
    gradebook = read_gradebook(db_url, course_id)
    assignments = list(gradebook.max_points)
    points = pd.DataFrame(0.0, index=gradebook.people.index, columns=assignments)
    summed = gradebook.grades.groupby(["learner", "exercise"], as_index=False)["points"].sum()
    for learner, exercise, total in summed.itertuples(index=False):
        points.loc[learner, exercise] = round(float(total), 4)
    return CourseTotals(points, gradebook.max_points, gradebook.people, f"nbgrader's gradebook alone ({db_url})")


def lms_table(totals: CourseTotals, lms: Literal["canvas", "moodle"], scale: Literal["points", "percent"] = "points") -> pd.DataFrame:
    """The rows an LMS imports (strings, ready for CSV)."""
    if lms not in LMS:
        raise ValueError(f"unknown LMS {lms!r} (expected one of {', '.join(LMS)})")
    exercises = list(totals.points.columns)
    values = totals.points.copy()
    maxima = pd.Series({e: totals.max_points.get(e, 0.0) for e in exercises}, dtype=float)
    if scale == "percent":
        values = values.div(maxima.where(maxima > 0), axis=1).mul(100).fillna(0.0)
        maxima = pd.Series(100.0, index=exercises)
    elif scale != "points":
        raise ValueError(f"unknown scale {scale!r} (expected points or percent)")
    scores = values.round(2).map(lambda v: f"{v:g}")
    people = totals.people.reindex(values.index).fillna("")
    learners = list(values.index)
    if lms == "canvas":
        names = [
            f"{last}, {first}" if first and last else (first or last or learner)
            for learner, first, last in zip(learners, people["first_name"], people["last_name"], strict=True)
        ]
        head = pd.DataFrame({"Student": names, "ID": "", "SIS User ID": "", "SIS Login ID": learners, "Section": ""}, index=values.index)
        table = pd.concat([head, scores], axis=1)
        points_possible = {
            "Student": POINTS_POSSIBLE,
            **{column: "" for column in CANVAS_COLUMNS[1:]},
            **{e: f"{maxima[e]:g}" for e in exercises},
        }
        return pd.concat([pd.DataFrame([points_possible]), table], ignore_index=True)[CANVAS_COLUMNS + exercises]
    head = pd.DataFrame(
        {"First name": people["first_name"], "Last name": people["last_name"], "Username": learners, "Email address": people["email"]},
        index=values.index,
    )
    return pd.concat([head, scores], axis=1).reset_index(drop=True)[MOODLE_COLUMNS + exercises]


def write_lms_csv(table: pd.DataFrame, path: Path | str) -> Path:
    """Write ``table`` as UTF-8 CSV with a header row, as both systems import it."""
    path = Path(path)
    write_csv(table, path)  # no cell a spreadsheet runs: names and ids are the learners' own text
    return path
