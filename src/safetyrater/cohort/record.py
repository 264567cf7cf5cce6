"""One set of numbers: each learner's points as the gradebook records them, else as the fast lane grades them.

nbgrader's gradebook is the record once it exists: autograde's scores, the
fast lane's ``--gradebook`` writes and every score an instructor set by hand in
the formgrader (the written-feedback cell above all: the kit only pre-scores
notes). A submission the gradebook does not hold yet is counted from the fast
lane's grading of its answer file. ``safetyrater cohort grade``, the
calibration report and the LMS export all read :func:`course_record`, so a
score changed in the formgrader shows in all three.

The record is a :class:`~safetyrater.cohort.grade.CohortGrades` like the fast
lane's: the same rows (learner × exercise × case, and the ``written-feedback``
row), with the gradebook's points and maxima where it has them and three more
columns: ``source`` (:data:`FROM_GRADEBOOK` or :data:`FROM_ANSWERS`),
``manual`` (an instructor's score) and ``needs_manual_grade``. A grade cell
only the gradebook knows (a probe exercise's pairs and review tasks, while the
fast lane does not grade them; an exercise nobody collected into the
submitted folder) becomes a row of kind :data:`GRADEBOOK_KIND`, so every graded
exercise with a score anywhere appears in every view. Rating statistics, which
need the answers themselves, come from the answer files as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path

import pandas as pd

from ..bank.casebank import CaseBank
from ..errors import DataError
from ..probes.data import load_probe_course
from .collect import CourseLayout
from .grade import GRADED, NOT_SUBMITTED, CohortGrades, grade_course, graded_exercises
from .gradebook import CELL_PREFIX, GradebookGrades, grade_cell_name, read_gradebook

FROM_GRADEBOOK = "gradebook"
FROM_ANSWERS = "answer file"
#: the kind of a row known only from the gradebook (no answer file was graded for it)
GRADEBOOK_KIND = "nbgrader"


@dataclass
class CourseRecord(CohortGrades):
    """The fast lane's grades with the gradebook's points over them, and the gradebook they came from."""

    gradebook: GradebookGrades | None = None


def _record(grades: CohortGrades, gradebook: GradebookGrades | None, **changes: object) -> CourseRecord:
    values = {f.name: getattr(grades, f.name) for f in fields(CohortGrades)}
    return CourseRecord(**{**values, **changes}, gradebook=gradebook)


def course_exercises(bank: CaseBank) -> list[str]:
    """Every graded exercise of the course, in course order: the graded decks, then the graded probe exercises."""
    decks = graded_exercises(bank)
    try:
        probes = [e.id for e in load_probe_course(bank.root).exercises.values() if e.mode == "graded"]
    except DataError:
        probes = []  # a course without (valid) probe files has only its decks; `safetyrater validate` names the problem
    return decks + [p for p in probes if p not in decks]


def gradebook_of(layout: CourseLayout) -> GradebookGrades | None:
    """The course's gradebook, or None before anything was graded into it (opening one would create it)."""
    stored = layout.gradebook_file
    if stored is not None and not stored.is_file():
        return None
    return read_gradebook(layout.db_url, layout.course_id)


def _case_of(cell: str) -> str:
    return cell[len(CELL_PREFIX):] if cell.startswith(CELL_PREFIX) else cell


def course_record(grades: CohortGrades, gradebook: GradebookGrades | None, order: Iterable[str] = ()) -> CourseRecord:
    """The fast lane's ``grades`` with every submission the gradebook holds counted as the gradebook counts it.

    ``order`` lists exercises in course order (others follow by name).
    """
    scores = grades.scores.copy()
    scores["source"] = FROM_ANSWERS
    scores["manual"] = False
    scores["needs_manual_grade"] = False
    if gradebook is None or gradebook.grades.empty:
        return _record(grades, gradebook, scores=scores)

    recorded = gradebook.grades.rename(
        columns={"points": "gb_points", "max": "gb_max", "manual": "gb_manual", "needs_manual_grade": "gb_needs_manual_grade"}
    )
    keys = ["learner", "exercise", "cell"]
    scores["cell"] = scores["case"].map(grade_cell_name)
    # a left merge keeps the fast lane's order (each deck's cases in order)
    merged = scores.merge(recorded, on=keys, how="left", indicator=True)
    in_gradebook = merged["_merge"] == "both"
    merged.loc[in_gradebook, "points"] = merged.loc[in_gradebook, "gb_points"]
    merged.loc[in_gradebook, "max"] = merged.loc[in_gradebook, "gb_max"]
    merged.loc[in_gradebook, "source"] = FROM_GRADEBOOK
    merged.loc[in_gradebook, "manual"] = merged.loc[in_gradebook, "gb_manual"]
    merged.loc[in_gradebook, "needs_manual_grade"] = merged.loc[in_gradebook, "gb_needs_manual_grade"]

    # a grade cell no answer file was scored for becomes a row of its own
    found = recorded.merge(scores[keys], on=keys, how="left", indicator=True)
    only = found[found["_merge"] == "left_only"].sort_values(["exercise", "learner", "cell"], kind="stable")
    extra = pd.DataFrame(
        {
            "learner": only["learner"],
            "exercise": only["exercise"],
            "case": only["cell"].map(_case_of),
            "points": only["gb_points"],
            "max": only["gb_max"],
            "kind": GRADEBOOK_KIND,
            "answered": True,
            "categories": [()] * len(only),
            "mistakes": [()] * len(only),
            "messages": [("a review task, scored by hand",) if task else () for task in only["task"]],
            "source": FROM_GRADEBOOK,
            "manual": only["gb_manual"],
            "needs_manual_grade": only["gb_needs_manual_grade"],
        }
    )
    merged = merged.drop(columns=["cell", "gb_points", "gb_max", "gb_manual", "gb_needs_manual_grade", "task", "_merge"])
    merged = pd.concat([merged, extra], ignore_index=True) if len(extra) else merged
    held = gradebook.submissions
    pairs = zip(merged["learner"], merged["exercise"], strict=True)
    merged["status"] = [GRADED if pair in held else status for pair, status in zip(pairs, merged["status"], strict=True)]
    merged["manual"] = merged["manual"].astype(bool)
    merged["needs_manual_grade"] = merged["needs_manual_grade"].astype(bool)
    merged["points"] = merged["points"].astype(float)
    merged["max"] = merged["max"].astype(float)

    known = list(dict.fromkeys([*order, *grades.exercises]))
    present = set(merged["exercise"])
    exercises = [e for e in known if e in present or e in grades.exercises] + sorted(present - set(known))
    rank = {exercise: i for i, exercise in enumerate(exercises)}
    merged = merged.sort_values(["exercise", "learner"], key=lambda c: c.map(rank) if c.name == "exercise" else c, kind="stable")
    merged = merged.reset_index(drop=True)
    return _record(grades, gradebook, scores=merged, submissions=_submissions(merged, grades, gradebook), exercises=exercises)


def _submissions(scores: pd.DataFrame, grades: CohortGrades, gradebook: GradebookGrades) -> pd.DataFrame:
    """One row per learner × exercise with the record's points: the fast lane's columns, and the source."""
    per = scores.groupby(["learner", "exercise"], sort=False).agg(
        status=("status", "first"), points=("points", "sum"), max=("max", "sum"), source=("source", "first"),
        manual=("manual", "sum"), needs_manual_grade=("needs_manual_grade", "sum"),
    )
    per["points"] = per["points"].round(4)
    per = per.reset_index()
    before = {
        (learner, exercise): (path, stamp)
        for learner, exercise, path, stamp in grades.submissions[["learner", "exercise", "path", "timestamp"]].itertuples(index=False)
    }
    layout = grades.layout
    paths: list[str] = []
    stamps: list[str | None] = []
    for learner, exercise in zip(per["learner"], per["exercise"], strict=True):
        key = (learner, exercise)
        if key in before:
            path, stamp = before[key]
            paths.append(str(path))
            stamps.append(stamp if isinstance(stamp, str) else None)
        else:
            paths.append(str(layout.answer_path(learner, exercise)) if layout else "")
            stamps.append(gradebook.timestamps.get(key))
    per["path"] = paths
    per["timestamp"] = stamps
    per[["manual", "needs_manual_grade"]] = per[["manual", "needs_manual_grade"]].astype(int)
    return per


def read_record(
    course_dir: Path | str, *, bank: CaseBank | None = None, progress: bool | None = None, grades: CohortGrades | None = None
) -> CourseRecord:
    """The course's record: the fast lane over its answer files (or ``grades``), the gradebook over that."""
    bank = bank or CaseBank.load()
    grades = grades if grades is not None else grade_course(course_dir, bank=bank, progress=progress)
    layout = grades.layout or CourseLayout.find(course_dir)
    return course_record(grades, gradebook_of(layout), order=course_exercises(bank))


def source_line(record: CohortGrades) -> str:
    """Where the record's numbers come from, in one line for the person reading them."""
    submissions = record.submissions[record.submissions["status"] != NOT_SUBMITTED]
    if "source" not in submissions:
        return "points: the answer files (fast lane)"
    from_gradebook = int((submissions["source"] == FROM_GRADEBOOK).sum())
    from_answers = len(submissions) - from_gradebook
    manual = int(submissions["manual"].sum())
    waiting = int(submissions["needs_manual_grade"].sum())
    parts = []
    if from_gradebook:
        detail = f"{manual} score(s) set by hand" + (f", {waiting} cell(s) waiting for a manual grade" if waiting else "")
        parts.append(f"nbgrader's gradebook for {from_gradebook} submission(s) ({detail})")
    if from_answers or not parts:
        parts.append(f"the answer files for {from_answers} submission(s)")
    return "points: " + "; ".join(parts)
