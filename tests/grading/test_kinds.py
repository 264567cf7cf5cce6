"""Does the grading core score pairwise and span-flag cases by the policy, with named mistakes?"""

from __future__ import annotations

import pytest

from safetyrater.grading.explain import summary_lines
from safetyrater.grading.core import point_parts, score_case, SCORE_COLUMNS, score_deck
from safetyrater.bank.policy import load_policy
from safetyrater.kinds.pairwise import PAIRWISE, PairwiseCase
from safetyrater.kinds.rating import RATING
from safetyrater.kinds.span import SPAN, SpanCase

from conftest import perfect_answers

RATIONALE = "A rationale long enough to pass the schema's minimum length, naming the risk."


def pair(reference="a", **extra) -> PairwiseCase:
    return PairwiseCase(
        kind="pairwise",
        id="p-001",
        prompt="p",
        response_a="a",
        response_b="b",
        reference_choice=reference,
        categories=["privacy"],
        difficulty="easy",
        rationale=RATIONALE,
        **extra,
    )


def span(unsafe=(1,), rating="harmful", segments=4, tags=()) -> SpanCase:
    return SpanCase(
        kind="span",
        id="s-001",
        prompt="p",
        segments=[f"step {i}" for i in range(segments)],
        reference_unsafe=list(unsafe),
        reference_rating=rating,
        categories=["health-advice"],
        difficulty="easy",
        rationale=RATIONALE,
        tags=list(tags),
    )


@pytest.mark.parametrize(
    ("reference", "choice", "points", "mistake"),
    [
        ("a", "a", 1.0, None),
        ("b", "b", 1.0, None),
        ("equal", "equal", 1.0, None),
        ("a", "b", 0.0, "picked-safer"),
        ("b", "a", 0.0, "picked-safer"),
        ("a", "equal", 0.0, "called-equal"),
        ("equal", "b", 0.0, "missed-equal"),
    ],
)
def test_pairwise_choice_scores_one_or_zero_and_names_the_mistake(policy, reference, choice, points, mistake):
    result = score_case({"choice": choice, "reason": "r"}, pair(reference), policy)
    assert result["points"] == points == result["choice_points"]
    assert result["max_points"] == 1.0
    assert result["mistakes"] == ((mistake,) if mistake else ())
    assert result["note"] == "r"


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"choice": "c"}, "unknown choice 'c' (expected one of a, b, equal)"),
        ({"choice": 1}, "unknown choice 1 (expected one of a, b, equal)"),
        ({"reason": "B shares an address"}, "no response chosen"),
        ({}, "not answered"),
    ],
)
def test_a_bad_or_missing_pairwise_choice_scores_zero_with_a_message(policy, answer, message):
    result = score_case(answer or None, pair("b"), policy)
    assert result["points"] == 0.0
    assert message in result["messages"]


@pytest.mark.parametrize(
    ("flagged", "unsafe", "flag_points", "mistakes"),
    [
        ([1], (1,), 1.0, ()),
        ([1, 3], (1, 3), 1.0, ()),
        ([], (1,), 0.0, ("missed-unsafe-step",)),
        ([1, 2], (1,), 2 / 3, ("flagged-safe-step",)),
        ([3], (1, 3), 2 / 3, ("missed-unsafe-step",)),
        ([0, 2], (1, 3), 0.0, ("missed-unsafe-step", "flagged-safe-step")),
    ],
)
def test_span_flags_score_by_overlap_and_name_missed_and_extra_steps(policy, flagged, unsafe, flag_points, mistakes):
    result = score_case({"flagged": flagged, "rating": "harmful"}, span(unsafe), policy)
    assert result["flag_points"] == pytest.approx(flag_points)
    assert result["rating_points"] == 1.0
    assert result["points"] == pytest.approx(flag_points + 1.0, abs=1e-4)
    assert result["max_points"] == 2.0
    assert result["mistakes"] == mistakes


@pytest.mark.parametrize(
    ("given", "reference", "points", "mistake"),
    [
        ("harmful", "harmful", 1.0, None),
        ("risky", "harmful", 0.5, "under-rated"),
        ("safe", "harmful", 0.0, "missed-harm"),
        ("harmful", "risky", 0.5, "over-rated"),
    ],
)
def test_span_rating_follows_the_rating_rule(policy, given, reference, points, mistake):
    result = score_case({"flagged": [1], "rating": given}, span(rating=reference), policy)
    assert result["rating_points"] == points
    assert result["mistakes"] == ((mistake,) if mistake else ())


def test_span_missing_polite_harm_is_named(policy):
    result = score_case({"flagged": [1], "rating": "safe"}, span(tags=["polite-harm"]), policy)
    assert result["mistakes"] == ("missed-polite-harm",)


@pytest.mark.parametrize(
    ("answer", "message", "points"),
    [
        ({"flagged": "2", "rating": "harmful"}, "flagged must be a list of segment numbers", 1.0),
        ({"flagged": [True], "rating": "harmful"}, "flagged must be a list of segment numbers", 1.0),
        ({"flagged": [1, 9], "rating": "harmful"}, "flagged segment(s) [9] do not exist (0..3)", 2.0),
        ({"flagged": [1], "rating": "awful"}, "unknown rating 'awful' (expected one of safe, risky, harmful)", 1.0),
        ({"flagged": [1]}, "no safety rating chosen", 1.0),
        ({}, "not answered", 0.0),
    ],
)
def test_bad_span_answers_score_what_is_valid_with_a_message(policy, answer, message, points):
    result = score_case(answer or None, span(), policy)
    assert message in result["messages"]
    assert result["points"] == points


def test_span_without_the_rating_part_is_worth_only_the_flags(tmp_path, repo):
    edited = tmp_path / "policy.toml"
    edited.write_text((repo / "graders" / "policy.toml").read_text().replace("include_rating = true", "include_rating = false"))
    policy = load_policy(edited)
    result = score_case({"flagged": [1], "rating": "safe"}, span(), policy)
    assert (result["points"], result["max_points"], result["mistakes"]) == (1.0, 1.0, ())


def test_policy_gives_each_kind_its_maximum(policy):
    assert (RATING.max_points(None, policy), PAIRWISE.max_points(pair(), policy), SPAN.max_points(span(), policy)) == (3.0, 1.0, 2.0)


def test_a_mixed_deck_keeps_its_order_and_one_set_of_columns(mixed_bank, policy):
    """Does score_deck give every kind the same columns, in the deck's order?"""
    cases = mixed_bank.deck_cases("lesson-01-fx-mixed")
    answers = perfect_answers(cases)
    scores = score_deck(answers, cases, policy)
    assert scores["case_id"].tolist() == [c.id for c in cases]
    assert set(SCORE_COLUMNS) <= set(scores.columns)
    assert scores["kind"].tolist() == [c.kind for c in cases]
    assert scores["points"].tolist() == scores["max_points"].tolist()
    empty = score_deck({}, cases, policy)
    assert empty["points"].sum() == 0
    assert all(m == ("not-answered",) for m in empty["mistakes"])
    row = scores.iloc[1].to_dict()
    assert point_parts(row) == {"choice_points": 1.0}
    assert set(point_parts(scores.iloc[2].to_dict())) == {"flag_points", "rating_points"}


def test_summaries_name_choices_and_flags_but_hide_the_key_when_asked(policy):
    case = pair("b")
    result = score_case({"choice": "a"}, case, policy)
    hidden = "\n".join(summary_lines(result, case, reveal=False))
    shown = "\n".join(summary_lines(result, case, reveal=True))
    assert "you chose response A, 0 point(s)" in hidden and "reference" not in hidden
    assert "reference response B" in shown
    assert "picked the safer response as more harmful" in hidden
    case = span((1, 2))
    result = score_case({"flagged": [2], "rating": "risky"}, case, policy)
    hidden = "\n".join(summary_lines(result, case, reveal=False))
    assert "you flagged 3, 0.7 point(s)" in hidden and "reference" not in hidden
    assert "missed an unsafe step" in hidden
    assert "reference 2, 3" in "\n".join(summary_lines(result, case, reveal=True))
