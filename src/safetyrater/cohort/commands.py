"""``safetyrater cohort grade|report|demo|export``: what each step prints and writes."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

from ..errors import DataError, Problem
from .collect import CourseLayout
from .demo import read_profiles, write_demo_cohort
from .grade import CohortGrades, grade_course, summary_lines
from .gradebook import write_gradebook
from .lms import CourseTotals, lms_table, totals_from_gradebook, totals_from_grades, write_lms_csv
from .record import read_record, source_line
from .report import write_report


def _print_problems(problems: Iterable[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def _progress(show: bool) -> bool | None:
    """A progress bar on a terminal unless it is switched off."""
    return None if show else False


def grade(
    course_dir: str, *, out: str | None = None, gradebook: bool = False, learners: Sequence[str] | None = None, progress: bool = True
) -> int:
    """Grade every learner's answer files (the fast lane); 1 when a file could not be graded.

    What it prints and writes are the record's points (:mod:`.record`): the
    gradebook's, manual scores included, for every submission it holds.
    """
    grades = grade_course(course_dir, learners=learners, progress=_progress(progress))
    if learners:  # an unknown --learner is a mistake to name; an empty cohort still gets its CSV header
        _something_to_grade(grades, learners)
    if gradebook:
        written = write_gradebook(grades)
        _print_problems(written.problems)
        print(f"gradebook: {written.submissions} submission(s), {written.grades} grade(s) written to {_db_url(grades)}")
    record = read_record(course_dir, grades=grades)
    if out:
        record.to_csv(out)
    for line in summary_lines(record):
        print(line)
    print(source_line(record))
    if out:
        print(f"scores: {out}")
    _print_problems(grades.problems)
    if grades.problems:
        print(f"{len(grades.problems)} problem(s): those files scored 0", file=sys.stderr)
    return 1 if grades.problems else 0


def _something_to_grade(grades: CohortGrades, learners: Sequence[str] | None = None) -> CohortGrades:
    """``grades``, or one line saying there is no learner's work to grade (an empty cohort, an unknown --learner)."""
    if grades.scores.empty:
        where = grades.layout.submitted if grades.layout is not None else "the course"
        who = f" for {', '.join(learners)}" if learners else ""
        raise DataError([Problem(where, None, None, f"no learner's work to grade{who} (an empty cohort)")])
    return grades


def _db_url(grades: CohortGrades) -> str:
    return grades.layout.db_url if grades.layout is not None else "the gradebook"


def report(course_dir: str, out: str, *, progress: bool = True) -> int:
    """Write the calibration report (HTML pages with plots, CSV tables) into ``out``, from the course's record."""
    grades = read_record(course_dir, grades=_something_to_grade(grade_course(course_dir, progress=_progress(progress))))
    _print_problems(grades.problems)
    path = write_report(grades, out, profiles=read_profiles(course_dir))
    print(f"report: {path} (CSV tables beside it)")
    return 0


def demo(learners: int, out: str, *, seed: int = 0, progress: bool = True) -> int:
    """Build a synthetic cohort with known profiles, grade it and report; 2 for fewer than one learner."""
    if learners < 1:
        print("error: --learners must be at least 1", file=sys.stderr)
        return 2
    course = write_demo_cohort(out, learners, seed=seed)
    grades = read_record(course, progress=_progress(progress))
    for line in summary_lines(grades):
        print(line)
    path = write_report(grades, Path(out) / "report", profiles=read_profiles(course), title="Demo cohort: calibration report")
    print(f"demo cohort: {Path(out) / 'graders' / 'cohort' / 'submitted'} (profiles in {Path(out) / 'profiles.csv'})")
    print(f"report: {path}")
    return 0


def export(
    course_dir: str,
    lms: Literal["canvas", "moodle"],
    out: str,
    *,
    source: Literal["auto", "gradebook", "answers"] = "auto",
    scale: Literal["points", "percent"] = "points",
) -> int:
    """Write an LMS gradebook CSV.

    ``auto``: the course's record (:mod:`.record`: each submission from nbgrader's
    gradebook when it holds it, so formgrader changes count, else from its answer
    file); ``gradebook``: the gradebook alone, as ``nbgrader export``;
    ``answers``: the fast lane alone.
    """
    totals: CourseTotals
    if source == "gradebook":
        layout = CourseLayout.find(course_dir)
        gradebook = layout.gradebook_file
        if gradebook is not None and not gradebook.is_file():
            raise DataError([Problem(gradebook, None, None, "no gradebook here: autograde first, or use --source answers")])
        totals = totals_from_gradebook(layout.db_url, layout.course_id)
    else:
        grades = grade_course(course_dir, progress=False)
        _print_problems(grades.problems)
        totals = totals_from_grades(read_record(course_dir, grades=grades) if source == "auto" else grades)
    path = write_lms_csv(lms_table(totals, lms, scale), out)
    print(f"{lms}: {len(totals.points)} learner(s) x {len(totals.points.columns)} exercise(s) from {totals.source} -> {path}")
    return 0
