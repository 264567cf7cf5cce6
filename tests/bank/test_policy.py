"""Can an instructor change the grading policy by editing graders/policy.toml?"""

from __future__ import annotations

import pytest

from safetyrater.errors import DataError
from safetyrater.grading.core import score_case
from safetyrater.bank.policy import load_policy

from support.cases import make_case


def test_edited_policy_changes_partial_credit(tmp_path, repo):
    text = (repo / "graders" / "policy.toml").read_text()
    edited = tmp_path / "policy.toml"
    edited.write_text(text.replace("credit_by_distance = [1.0, 0.5, 0.0]", "credit_by_distance = [1.0, 0.25, 0.0]").replace("points = 1.0\nmethod", "points = 2.0\nmethod"))
    policy = load_policy(edited)
    result = score_case({"rating": "risky", "categories": ["violent-crime"]}, make_case("harmful"), policy)
    assert result["rating_points"] == 0.25
    assert result["category_points"] == 2.0
    assert result["max_points"] == 4.0


def test_bad_policy_names_the_file_and_field(tmp_path):
    bad = tmp_path / "policy.toml"
    bad.write_text("[rating]\ncredit_by_distance = [1.0, 0.5]\n")
    with pytest.raises(DataError) as info:
        load_policy(bad)
    assert str(bad) in str(info.value)
    assert "rating" in str(info.value)


def test_policy_that_is_not_toml_names_its_line(tmp_path):
    bad = tmp_path / "policy.toml"
    bad.write_text("[rating]\npoints = = 1\n")
    with pytest.raises(DataError, match=r"policy.toml:2: not valid TOML"):
        load_policy(bad)
