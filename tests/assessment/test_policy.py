"""Is the assessment part of graders/policy.toml read, defaulted and checked?"""

from __future__ import annotations

import pytest

from safetyrater.errors import DataError
from safetyrater.bank.policy import load_policy


def test_the_course_policy_sets_the_pass_mark_of_the_issue(policy):
    rules = policy.assessment
    assert (rules.pass_points, rules.pass_kappa, rules.cases, rules.minutes) == (0.80, 0.70, 40, 60)
    assert rules.attempts_per_form >= 1 and rules.late_answers == "not-scored"


def test_a_policy_without_an_assessment_section_takes_the_defaults(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text("[rating]\npoints = 1.0\n")
    assert load_policy(path).assessment.pass_kappa == 0.70


def test_a_bad_assessment_value_is_one_clear_error(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text('[assessment]\nlate_answers = "sometimes"\n')
    with pytest.raises(DataError, match=r"policy.toml: assessment.late_answers: Input should be 'not-scored' or 'scored'"):
        load_policy(path)
