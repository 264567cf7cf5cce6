"""Does the grading core apply the default policy of PRODUCT.md?"""

from __future__ import annotations

import pytest

from safetyrater.kinds.rating import category_f1
from safetyrater.grading.core import score_case, score_deck
from support.cases import make_case


@pytest.mark.parametrize(
    ("reference", "given", "points"),
    [
        ("safe", "safe", 1.0),
        ("safe", "risky", 0.5),
        ("safe", "harmful", 0.0),
        ("risky", "safe", 0.5),
        ("risky", "risky", 1.0),
        ("risky", "harmful", 0.5),
        ("harmful", "safe", 0.0),
        ("harmful", "risky", 0.5),
        ("harmful", "harmful", 1.0),
    ],
)
def test_rating_points_follow_the_distance_table(policy, reference, given, points):
    """Exact match 1, one level off 0.5, two levels off 0."""
    result = score_case({"rating": given, "categories": ["violent-crime"]}, make_case(reference), policy)
    assert result["rating_points"] == points
    assert result["points"] == points + 2.0  # flag and categories right


@pytest.mark.parametrize(("reference", "given", "points"), [(True, True, 1.0), (False, False, 1.0), (True, False, 0.0), (False, True, 0.0)])
def test_over_refusal_flag_scores_one_when_it_matches(policy, reference, given, points):
    case = make_case("safe", over_refusal=reference)
    result = score_case({"rating": "safe", "over_refusal": given, "categories": ["violent-crime"]}, case, policy)
    assert result["over_refusal_points"] == points


@pytest.mark.parametrize(
    ("chosen", "reference", "f1"),
    [
        ((), (), 1.0),
        (("a",), ("a",), 1.0),
        (("a", "b"), ("a",), 2 / 3),
        (("c",), ("a", "b"), 0.0),
        ((), ("a",), 0.0),
        (("a", "b"), ("b", "c"), 0.5),
    ],
)
def test_category_f1(chosen, reference, f1):
    assert category_f1(chosen, reference) == pytest.approx(f1)


def test_unknown_label_scores_zero_for_that_part_with_a_message(policy):
    result = score_case({"rating": "dangerous", "categories": ["violent-crime"]}, make_case(), policy)
    assert result["rating_points"] == 0
    assert result["points"] == 2.0
    assert any("unknown rating 'dangerous'" in m for m in result["messages"])


def test_an_unknown_label_among_valid_ones_is_named_and_scored_zero(policy):
    """pandas stores a missing label as NaN beside strings; it must still read as missing."""
    cases = [make_case(), make_case("safe").model_copy(update={"id": "t-002"})]
    answers = {
        "t-001": {"rating": "very bad", "categories": ["violent-crime"]},
        "t-002": {"rating": "harmful", "categories": ["violent-crime"]},
    }
    scores = score_deck(answers, cases, policy)
    assert scores["rating"].tolist() == [None, "harmful"]
    assert scores["mistakes"].tolist() == [(), ("flagged-safe",)]
    assert scores["points"].tolist() == [2.0, 2.0]


def test_wrong_types_never_crash_grading(policy):
    answer = {"rating": 3, "over_refusal": "yes", "categories": "violent-crime", "note": 7}
    result = score_case(answer, make_case(), policy)
    assert result["points"] == 0
    assert len(result["messages"]) == 3


def test_missing_case_scores_zero_with_a_message(policy):
    cases = [make_case(), make_case("safe").model_copy(update={"id": "t-002"})]
    scores = score_deck({"t-001": {"rating": "harmful", "categories": ["violent-crime"]}}, cases, policy)
    assert scores["points"].tolist() == [3.0, 0.0]
    assert scores.loc[1, "messages"] == ("not answered",)
    assert scores.loc[1, "mistakes"] == ("not-answered",)


@pytest.mark.parametrize(
    ("case_kwargs", "answer", "mistake"),
    [
        (dict(rating="safe"), dict(rating="harmful"), "flagged-safe"),
        (dict(rating="harmful", tags=["polite-harm"]), dict(rating="safe"), "missed-polite-harm"),
        (dict(rating="harmful"), dict(rating="safe"), "missed-harm"),
        (dict(rating="harmful"), dict(rating="risky"), "under-rated"),
        (dict(rating="risky"), dict(rating="harmful"), "over-rated"),
        (dict(rating="safe", over_refusal=True), dict(rating="safe", over_refusal=False), "accepted-over-refusal"),
        (dict(rating="safe"), dict(rating="safe", over_refusal=True), "called-over-refusal"),
    ],
)
def test_mistakes_are_named(policy, case_kwargs, answer, mistake):
    result = score_case({"categories": ["violent-crime"], **answer}, make_case(**case_kwargs), policy)
    assert mistake in result["mistakes"]


def test_perfect_answers_score_full_marks_on_the_real_bank(bank, policy):
    from conftest import perfect_answers
    from safetyrater.grading.core import case_max_points

    for deck in bank.decks.values():
        cases = bank.deck_cases(deck.id)
        scores = score_deck(perfect_answers(cases), cases, policy)
        assert scores["points"].sum() == sum(case_max_points(c, policy) for c in cases)
        assert all(m == () for m in scores["mistakes"])


def test_scoring_many_learners_at_once_gives_each_the_rows_of_score_deck(bank, policy):
    """Does the batch scorer the cohort tools use agree with score_deck row for row, bad answers included?"""
    import random

    import pandas as pd

    from safetyrater.grading.core import score_learners

    deck = next(d for d in bank.decks.values() if d.mode == "graded")
    cases = bank.deck_cases(deck.id)
    rng = random.Random(7)
    labels = ["safe", "risky", "harmful", "very bad", None]
    cohort = {
        f"learner-{i}": {
            case.id: {
                "rating": rng.choice(labels),
                "over_refusal": rng.choice([True, False, "yes"]),
                "categories": rng.sample(sorted(bank.taxonomy), rng.randint(0, 2)),
            }
            for case in cases
            if rng.random() > 0.2
        }
        for i in range(30)
    }
    batch = score_learners(cohort, cases, policy)
    one_by_one = pd.concat(
        [score_deck(answers, cases, policy).assign(learner=learner) for learner, answers in cohort.items()], ignore_index=True
    )
    assert list(batch.columns)[0] == "learner"
    pd.testing.assert_frame_equal(batch, one_by_one[batch.columns])
