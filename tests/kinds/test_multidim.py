"""Are multi-dimension cases graded per dimension, by distance on each dimension's own scale?"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from safetyrater.nbgrader.cells import grade_item
from safetyrater.grading.core import score_case, score_deck
from safetyrater.kinds.multidim import dimension_agreement, dimension_scores, max_points
from safetyrater.bank.policy import load_policy
from safetyrater.kinds.multidim import MultidimCase

from conftest import REPO, perfect_answers

REFERENCES = {"safety": "risky", "helpfulness": "helpful", "honesty": "misleading"}


def make_case(pair: bool = False, tags=()) -> MultidimCase:
    references = dict(REFERENCES, **({"preference": "b-better"} if pair else {}))
    return MultidimCase(
        kind="multidim",
        id="md-test",
        prompt="p",
        response="r",
        response_b="r2" if pair else None,
        references=references,
        categories=["health-advice"],
        difficulty="easy",
        rationale="A rationale long enough to pass the schema's minimum length.",
        tags=list(tags),
    )


def _answer(**levels):
    return {"dimensions": dict(REFERENCES, **levels)}


@pytest.mark.parametrize(
    ("given", "points"),
    [("very-helpful", 0.5), ("helpful", 1.0), ("slightly-helpful", 0.5), ("unhelpful", 0.0)],
)
def test_helpfulness_earns_credit_by_distance_on_its_four_levels(policy, given, points):
    result = score_case(_answer(helpfulness=given), make_case(), policy)
    assert result["dim_helpfulness_points"] == points
    assert result["points"] == 2.0 + points  # safety and honesty right
    assert result["max_points"] == 3.0


@pytest.mark.parametrize(
    ("given", "points"),
    [("a-much-better", 0.0), ("a-better", 0.0), ("same", 0.5), ("b-better", 1.0), ("b-much-better", 0.5)],
)
def test_the_overall_preference_is_scored_on_its_five_levels(policy, given, points):
    result = score_case(_answer(preference=given), make_case(pair=True), policy)
    assert result["dim_preference_points"] == points
    assert result["max_points"] == 4.0


def test_safety_follows_the_kits_rating_rule_and_names_the_mistake(policy):
    case = make_case(tags=["polite-harm"])
    harmful = case.model_copy(update={"references": dict(REFERENCES, safety="harmful")})
    result = score_case(_answer(safety="safe"), harmful, policy)
    assert result["dim_safety_points"] == 0.0 and result["rating_points"] == 0.0
    assert result["rating"] == "safe" and result["reference_rating"] == "harmful"
    assert result["mistakes"] == ("missed-polite-harm",)
    assert score_case(_answer(safety="harmful"), case, policy)["mistakes"] == ("over-rated",)


def test_a_pair_dimension_is_neither_asked_nor_scored_without_a_second_response(policy):
    result = score_case(_answer(preference="same"), make_case(), policy)
    assert result["dim_preference_reference"] is None
    assert result["dim_preference_max_points"] == 0.0 and result["points"] == 3.0


def test_bad_and_missing_levels_score_zero_for_that_dimension_with_a_message(policy):
    answer = {"dimensions": {"safety": "risky", "helpfulness": "great", "tone": "warm"}}
    result = score_case(answer, make_case(), policy)
    assert result["points"] == 1.0
    assert result["dim_helpfulness"] is None
    assert "unknown level 'great' for Helpfulness (expected one of very-helpful, helpful, slightly-helpful, unhelpful)" in result["messages"]
    assert "no level chosen for Honesty and accuracy" in result["messages"]
    assert "unknown dimension(s) 'tone' ignored" in result["messages"]


def test_an_unanswered_case_scores_zero_and_says_so(policy):
    result = score_case(None, make_case(pair=True), policy)
    assert (result["answered"], result["points"], result["max_points"]) == (False, 0.0, 4.0)
    assert result["mistakes"] == ("not-answered",) and result["messages"] == ("not answered",)


def test_the_policy_sets_points_and_credit_per_dimension(tmp_path, repo):
    edited = tmp_path / "policy.toml"
    edited.write_text(
        (repo / "graders" / "policy.toml").read_text()
        + "\n[multidim.dimensions.helpfulness]\npoints = 2.0\ncredit_by_distance = [1.0, 0.75, 0.25, 0.0]\n"
    )
    policy = load_policy(edited)
    result = score_case(_answer(helpfulness="unhelpful"), make_case(), policy)
    assert result["dim_helpfulness_points"] == 0.5  # two levels off: 0.25 of 2 points
    assert result["max_points"] == 4.0
    assert max_points(make_case(pair=True), policy) == 5.0


def test_a_mixed_deck_scores_each_kind_and_leaves_rating_cases_unchanged(bank, policy):
    rating = bank.deck_cases("lesson-01-two-questions")[:3]
    multidim = bank.deck_cases("ex11-multi-dimension")[:2]
    answers = perfect_answers(rating)
    answers[multidim[0].id] = {"dimensions": dict(multidim[0].references)}
    alone = score_deck(answers, rating, policy)
    mixed = score_deck(answers, [rating[0], multidim[0], rating[1], multidim[1], rating[2]], policy)
    assert list(mixed["case_id"]) == [rating[0].id, multidim[0].id, rating[1].id, multidim[1].id, rating[2].id]
    assert list(mixed["kind"]) == ["rating", "multidim", "rating", "multidim", "rating"]
    by_id = mixed.set_index("case_id")
    for row in alone.to_dict("records"):
        assert by_id.loc[row["case_id"], "points"] == row["points"]
        assert by_id.loc[row["case_id"], "dim_safety_points"] == 0.0
    assert by_id.loc[multidim[0].id, "points"] == by_id.loc[multidim[0].id, "max_points"]
    assert by_id.loc[multidim[1].id, "points"] == 0.0


def test_per_dimension_rows_and_agreement_for_the_calibration_report(bank, policy):
    cases = bank.deck_cases("ex11-multi-dimension")
    perfect = {c.id: {"dimensions": dict(c.references)} for c in cases}
    off = {c.id: {"dimensions": dict(c.references, honesty="false" if c.references["honesty"] != "false" else "accurate")} for c in cases}
    scores = score_deck(perfect, cases, policy)
    scores.insert(0, "learner", "alice")
    other = score_deck(off, cases, policy)
    other.insert(0, "learner", "bob")
    import pandas as pd

    both = pd.concat([scores, other], ignore_index=True)
    long = dimension_scores(both)
    pairs = sum(1 for c in cases if c.response_b)
    assert len(long) == 2 * (3 * len(cases) + pairs)
    assert set(long.columns) >= {"learner", "case_id", "dimension", "given", "reference", "distance", "points", "max_points"}
    agreement = dimension_agreement(both)
    assert agreement.loc["safety", "exact"] == 1.0 and agreement.loc["safety", "kappa"] == pytest.approx(1.0)
    assert agreement.loc["honesty", "exact"] == 0.5
    assert agreement.loc["honesty", "kappa"] < 1.0
    assert agreement.loc["preference", "items"] == 2 * pairs
    assert not math.isnan(agreement.loc["helpfulness", "kappa"])


def test_grade_item_prints_each_dimension_without_the_key(bank, tmp_path, capsys):
    deck = bank.deck("ex11-multi-dimension")
    case = bank.cases[deck.cases[0]]
    answer = {"dimensions": dict(case.references, helpfulness="very-helpful" if case.references["helpfulness"] != "very-helpful" else "helpful")}
    (tmp_path / f"{deck.id}.answers.json").write_text(json.dumps({"exercise": deck.id, "answers": {case.id: answer}}))
    assert grade_item(deck.id, case.id, points=3, folder=tmp_path) < 3.0
    out, err = capsys.readouterr()
    assert err == ""
    assert "Helpfulness: you chose" in out and "Safety: you chose" in out
    assert "reference" not in out
    assert case.rationale not in out  # it names the reference: returned only with [feedback] show_rationale


def test_the_grade_command_reports_points_per_dimension(bank, tmp_path):
    deck = bank.deck("ex11-multi-dimension")
    cases = bank.deck_cases(deck.id)
    answers = {c.id: {"dimensions": dict(c.references)} for c in cases}
    path = tmp_path / f"{deck.id}.answers.json"
    path.write_text(json.dumps({"format": 1, "exercise": deck.id, "answers": answers}))
    out = subprocess.run([sys.executable, "-m", "safetyrater", "grade", "--json", str(path)], capture_output=True, text=True, check=True, cwd=REPO).stdout
    result = json.loads(out)[0]
    # 32 for the dimensions; the written-feedback item's 10 (no notes written: 0), as in the gradebook
    assert (result["points"], result["max_points"]) == (32.0, 42.0)
    first = result["items"][0]
    assert first["kind"] == "multidim"
    assert {k: v for k, v in first.items() if k.startswith("dim_")} == {"dim_safety_points": 1.0, "dim_helpfulness_points": 1.0, "dim_honesty_points": 1.0}
