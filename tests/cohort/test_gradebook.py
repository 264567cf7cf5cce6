"""Does the fast lane record its scores in nbgrader's gradebook as autograde would?"""

from __future__ import annotations

import pytest

from safetyrater.cohort.grade import grade_course
from safetyrater.cohort.gradebook import grade_cell_name, open_gradebook, write_gradebook

from conftest import perfect_answers, write_submission

pytestmark = pytest.mark.slow

EXERCISE = "ex01-two-questions"


def test_each_case_score_lands_in_its_grade_cell_and_a_rewrite_changes_nothing(tmp_path, bank, policy):
    cases = bank.deck_cases(EXERCISE)
    perfect = perfect_answers(cases)
    write_submission(tmp_path, "alice", EXERCISE, perfect)
    write_submission(tmp_path, "bob", EXERCISE, {cid: {**a, "categories": []} for cid, a in perfect.items()})
    write_submission(tmp_path, "erin", EXERCISE, text="{")
    grades = grade_course(tmp_path, bank=bank, policy=policy, progress=False)

    first = write_gradebook(grades)
    # a grade per case and the written-feedback cell
    assert first.created_exercises == [EXERCISE] and first.submissions == 3 and first.grades == 3 * (len(cases) + 1)
    second = write_gradebook(grades)
    assert second.created_exercises == [] and second.grades == first.grades

    with open_gradebook(grades.layout.db_url, "safetyrater") as gradebook:
        assert gradebook.find_assignment(EXERCISE).max_score == 3.0 * len(cases) + 1.0 * len(cases)
        for row in grades.scores.itertuples():
            grade = gradebook.find_grade(grade_cell_name(row.case), EXERCISE, EXERCISE, row.learner)
            assert grade.auto_score == row.points and grade.needs_manual_grade is False
        totals = {s.student_id: s.score for s in gradebook.assignment_submissions(EXERCISE)}
    assert totals == {"alice": 24.0, "bob": 16.0, "erin": 0.0}
