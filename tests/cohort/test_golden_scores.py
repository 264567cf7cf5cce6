"""Are the scores the kit gives exactly the scores it gave before (the golden files), by every path that grades?

The golden files in tests/fixtures/golden/ were written by the grading code as
it stood before the fast lane became one table per exercise; see
tests/support/golden.py for the canonical form and how to regenerate them
after an intended change.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from safetyrater.cohort.demo import write_demo_cohort
from safetyrater.cohort.grade import exercise_cases, grade_course, graded_exercises
from safetyrater.grading.core import score_deck

from conftest import write_submission
from support.golden import canonical_scores, check_golden, odd_answers

DEMO_LEARNERS = 20
ODD_LEARNERS = 6


@pytest.fixture(scope="module")
def demo_grades(tmp_path_factory, bank, policy):
    course = write_demo_cohort(tmp_path_factory.mktemp("golden-demo"), DEMO_LEARNERS, seed=0, bank=bank)
    return course, grade_course(course, bank=bank, policy=policy, progress=False)


@pytest.fixture(scope="module")
def odd_grades(tmp_path_factory, bank, policy):
    course = tmp_path_factory.mktemp("golden-odd")
    for number in range(ODD_LEARNERS):
        for exercise in graded_exercises(bank):
            write_submission(course, f"odd-{number}", exercise, odd_answers(exercise_cases(bank, exercise), number))
    return course, grade_course(course, bank=bank, policy=policy, progress=False)


def test_the_demo_cohort_scores_as_the_golden_file_says(demo_grades):
    """Does the demo cohort (seed 0) score exactly as before, case by case and part by part, written feedback included?"""
    _, grades = demo_grades
    assert not grades.problems
    check_golden("demo-seed0-scores.csv", canonical_scores(grades.scores))


def test_odd_answers_score_and_are_named_as_the_golden_file_says(odd_grades):
    """Do answers of every wrong type (unhashable values, unknown labels, forged points) score 0 for that part, with the same messages as before?"""
    _, grades = odd_grades
    check_golden("odd-answers-scores.csv", canonical_scores(grades.scores))
    forged = grades.scores[(grades.scores["case"] == grades.scores["case"].iloc[0]) & (grades.scores["learner"] == "odd-0")]
    assert (forged["points"] <= forged["max"]).all()


@pytest.mark.parametrize("grades_fixture", ["demo_grades", "odd_grades"])
def test_one_learner_is_scored_as_the_cohort_scores_them(grades_fixture, request, bank, policy):
    """Does score_deck (cards, nbgrader's grade cells, `safetyrater grade`) give each learner exactly their rows of the cohort's table?"""
    course, grades = request.getfixturevalue(grades_fixture)
    cohort = grades.scores[grades.scores["kind"] != "written-feedback"]
    frames = []
    for (learner, exercise), _ in cohort.groupby(["learner", "exercise"], sort=False):
        path = course / "graders" / "cohort" / "submitted" / learner / exercise / f"{exercise}.answers.json"
        answers = json.loads(path.read_text(encoding="utf-8"))["answers"]
        answers = {k: v if isinstance(v, dict) else {"_invalid": v} for k, v in answers.items()}  # as read_answer_file gives them
        one = score_deck(answers, exercise_cases(bank, exercise), policy).rename(columns={"case_id": "case", "max_points": "max"})
        frames.append(one.assign(learner=learner, exercise=exercise, status="graded"))
    assert canonical_scores(pd.concat(frames, ignore_index=True)) == canonical_scores(cohort)
