"""Does the whole nbgrader cycle run for a cohort through an exchange, and does the fast lane agree with it?

The course is the one the slow nbgrader tests share (``course_cycle``, built by
tests/nbgrader_course.py): six learners fetch exercise 1 from a temporary
exchange and submit as themselves; the instructor collects, autogrades, returns
feedback and exports; each learner fetches their own feedback.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from safetyrater.cli import main
from safetyrater.cohort.grade import NOT_SUBMITTED, grade_course
from safetyrater.cohort.gradebook import grade_cell_name, open_gradebook

from support.nbgrader_course import COURSE_ID, EXERCISE, make_course, nbgrader

pytestmark = pytest.mark.slow


def grades_csv(path: Path, exercise: str = EXERCISE) -> dict[str, float]:
    with open(path, newline="") as handle:
        return {row["student_id"]: float(row["score"]) for row in csv.DictReader(handle) if row["assignment"] == exercise}


@pytest.fixture(scope="module")
def cycle(course_cycle):
    return course_cycle.course, course_cycle.homes, course_cycle.answers


def test_every_learner_is_collected_autograded_and_exported(cycle, bank):
    course, _, answers = cycle
    scores = grades_csv(course / "grades.csv")
    assert set(scores) == set(answers)
    cases = bank.deck_cases(EXERCISE)
    # ratings 3 points a case, written feedback 1 point a case (graders/rubric.toml)
    assert scores["alice"] == 3.0 * len(cases) + 1.0 * len(cases)
    assert scores["bob"] == 2.5 * len(cases) + 0.25 * len(cases)
    assert scores["erin"] == scores["frank"] == 0.0
    assert 0 < scores["carol"] < scores["bob"]


def test_each_learner_fetches_only_their_own_feedback(cycle):
    _, homes, _ = cycle
    pages = {}
    for learner, (home, _) in homes.items():
        found = list((home / EXERCISE / "feedback").glob(f"*/{EXERCISE}.html"))
        assert len(found) == 1, learner
        pages[learner] = found[0].read_text()
    assert len(set(pages.values())) == len(pages)
    assert "grade_item" not in pages["alice"]


def test_fast_lane_scores_are_autogrades_case_by_case(cycle, bank, policy):
    """On the collected submissions, does every case get the points autograde recorded?"""
    course, _, answers = cycle
    grades = grade_course(course, bank=bank, policy=policy, progress=False)
    assert set(grades.learners) == set(answers)
    handed_in = grades.scores[grades.scores["status"] != NOT_SUBMITTED]
    assert len(set(handed_in["exercise"])) >= 9  # alice and frank hand in every exercise
    with open_gradebook(grades.layout.db_url, COURSE_ID) as gradebook:
        for row in handed_in.itertuples():
            recorded = gradebook.find_grade(grade_cell_name(row.case, row.kind), row.exercise, row.exercise, row.learner)
            assert recorded.auto_score == row.points, (row.learner, row.exercise, row.case)
    scores = grades.scores[(grades.scores["case"] == "written-feedback") & (grades.scores["exercise"] == EXERCISE)]
    notes = scores.set_index("learner")["points"].to_dict()
    assert notes["alice"] == len(bank.deck(EXERCISE).cases) and 0 < notes["bob"] < notes["alice"] and notes["carol"] == 0.0
    # learners who wrote notes get autograde's totals, written feedback included, in every exercise
    totals = grades.totals()
    for exercise in grades.exercises:
        exported = grades_csv(course / "grades.csv", exercise)
        assert totals.loc[list(exported), exercise].to_dict() == exported, exercise
    assert {p.field for p in grades.problems} == {"learner erin", "learner frank"}


def test_lms_export_after_the_cycle_has_autogrades_totals(cycle, tmp_path):
    course, _, _ = cycle
    out = tmp_path / "canvas.csv"
    assert main(["cohort", "export", str(course), "--lms", "canvas", "--out", str(out)]) == 0
    with open(out, newline="") as handle:
        rows = list(csv.DictReader(handle))
    exported = {row["SIS Login ID"]: float(row[EXERCISE]) for row in rows[1:]}
    assert exported == pytest.approx(grades_csv(course / "grades.csv"), abs=0.005)  # LMS columns carry 2 decimals


def test_fast_lane_gradebook_write_is_what_nbgrader_export_sees(cycle, tmp_path):
    """Without autograde, does `cohort grade --gradebook` give `nbgrader export` the same grades?"""
    graded_course, _, _ = cycle
    course = make_course(tmp_path)
    nbgrader(course, "generate_assignment", EXERCISE, "--force")
    shutil.copytree(graded_course / "graders" / "cohort" / "submitted", course / "graders" / "cohort" / "submitted")
    assert main(["cohort", "grade", str(course), "--gradebook", "--no-progress"]) == 1  # erin and frank reported
    nbgrader(course, "export")
    assert grades_csv(course / "grades.csv") == grades_csv(graded_course / "grades.csv")
    # written feedback awaits the instructor exactly where autograde flagged it
    with open_gradebook(f"sqlite:///{course}/gradebook.db", COURSE_ID) as fast, open_gradebook(f"sqlite:///{graded_course}/gradebook.db", COURSE_ID) as slow:
        for learner in ("alice", "bob", "carol", "erin"):
            written = fast.find_grade("written-feedback", EXERCISE, EXERCISE, learner)
            autograded = slow.find_grade("written-feedback", EXERCISE, EXERCISE, learner)
            assert (written.auto_score, written.needs_manual_grade) == (autograded.auto_score, autograded.needs_manual_grade), learner
        assert fast.find_grade("written-feedback", EXERCISE, EXERCISE, "alice").needs_manual_grade


def test_fast_lane_never_overwrites_the_instructors_written_feedback_score(cycle, tmp_path):
    """After an instructor scores a note by hand, does a fast-lane rerun keep their score and not reopen review?"""
    graded_course, _, _ = cycle
    course = make_course(tmp_path)
    nbgrader(course, "generate_assignment", EXERCISE, "--force")
    shutil.copytree(graded_course / "graders" / "cohort" / "submitted", course / "graders" / "cohort" / "submitted")
    db_url = f"sqlite:///{course}/gradebook.db"
    main(["cohort", "grade", str(course), "--gradebook", "--no-progress"])
    with open_gradebook(db_url, COURSE_ID) as gradebook:
        grade = gradebook.find_grade("written-feedback", EXERCISE, EXERCISE, "bob")
        grade.manual_score, grade.needs_manual_grade = 5.0, False
        gradebook.db.commit()
    main(["cohort", "grade", str(course), "--gradebook", "--no-progress"])
    with open_gradebook(db_url, COURSE_ID) as gradebook:
        grade = gradebook.find_grade("written-feedback", EXERCISE, EXERCISE, "bob")
        assert (grade.manual_score, grade.score, grade.needs_manual_grade) == (5.0, 5.0, False)
