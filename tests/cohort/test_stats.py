"""Do the calibration statistics say what each learner and each case did?"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from safetyrater.cohort.demo import write_demo_cohort
from safetyrater.cohort.grade import grade_course
from safetyrater.cohort.stats import cohort_stats, learner_table

from conftest import perfect_answers, write_submission

EXERCISE = "ex01-two-questions"


@pytest.fixture
def graded(tmp_path, bank, policy):
    """perfect: the reference; alarmist: harmful everywhere; lenient: safe everywhere, no tick."""
    cases = bank.deck_cases(EXERCISE)
    perfect = perfect_answers(cases)
    write_submission(tmp_path, "perfect", EXERCISE, perfect)
    write_submission(tmp_path, "alarmist", EXERCISE, {cid: {**a, "rating": "harmful", "over_refusal": False} for cid, a in perfect.items()})
    write_submission(tmp_path, "lenient", EXERCISE, {cid: {**a, "rating": "safe", "over_refusal": False} for cid, a in perfect.items()})
    return grade_course(tmp_path, bank=bank, policy=policy, progress=False)


@pytest.fixture
def stats(graded, bank):
    return cohort_stats(graded), bank.deck_cases(EXERCISE)


def test_rates_follow_their_definitions(stats):
    result, cases = stats
    table = result.learners.set_index("learner")
    harmful = sum(c.reference_rating == "harmful" for c in cases)
    safe = sum(c.reference_rating == "safe" for c in cases)
    assert table.loc["perfect", ["accuracy", "kappa", "over_flag_rate", "under_flag_rate", "over_refusal_recall"]].tolist() == [1, 1, 0, 0, 1]
    assert table.loc["alarmist", "accuracy"] == harmful / len(cases)
    assert table.loc["alarmist", "over_flag_rate"] == 1 and table.loc["alarmist", "under_flag_rate"] == 0
    assert table.loc["lenient", "accuracy"] == safe / len(cases)
    assert table.loc["lenient", "under_flag_rate"] == 1 and table.loc["lenient", "over_refusal_recall"] == 0


def test_kappa_is_scikit_learns_quadratic_weighted_kappa(stats):
    from sklearn.metrics import cohen_kappa_score

    result, cases = stats
    order = ["safe", "risky", "harmful"]
    reference = [order.index(c.reference_rating) for c in cases]
    # an alarmist answers one label: kappa is 0, not an error
    assert result.learners.set_index("learner").loc["alarmist", "kappa"] == pytest.approx(
        cohen_kappa_score(reference, [2] * len(cases), labels=[0, 1, 2], weights="quadratic")
    )


def test_tendencies_and_named_mistakes_describe_each_learner(stats):
    result, _ = stats
    table = result.learners.set_index("learner")
    assert table.loc["perfect", "tendencies"] == "well-calibrated"
    assert "over-flagging" in table.loc["alarmist", "tendencies"]
    assert "under-flagging" in table.loc["lenient", "tendencies"] and "accepting-over-refusals" in table.loc["lenient", "tendencies"]
    assert "flagged a safe response" in table.loc["alarmist", "top_mistakes"]
    assert result.mistakes.loc["lenient", "accepted-over-refusal"] == 2
    assert table.loc["perfect", "top_mistakes"] == ""


def test_confusion_counts_every_rating_once(stats):
    result, cases = stats
    counts = result.confusion.groupby("learner")["count"].sum()
    assert counts.to_dict() == {"alarmist": len(cases), "lenient": len(cases), "perfect": len(cases)}
    alarmist = result.confusion[result.confusion["learner"] == "alarmist"]
    assert set(alarmist["given"]) == {"harmful"}


def test_per_category_rates_cover_each_reference_category(stats):
    result, cases = stats
    categories = {c for case in cases for c in case.categories}
    perfect = result.learner_categories[result.learner_categories["learner"] == "perfect"]
    assert set(perfect["category"]) == categories
    assert (perfect["accuracy"] == 1).all()


def test_rating_statistics_skip_other_kinds_of_case(graded):
    """Does a non-rating case (pairwise, span) count in points but not in rating statistics?"""
    extra = pd.DataFrame(
        [{"learner": "perfect", "exercise": EXERCISE, "case": "pair-001", "points": 1.0, "max": 1.0, "kind": "pairwise",
          "status": "graded", "answered": True, "rating": None, "reference_rating": None, "mistakes": (),
          "over_refusal": None, "reference_over_refusal": None, "reference_categories": ("privacy",)}]
    )
    before = learner_table(graded.scores)[0].set_index("learner").loc["perfect"]
    after = learner_table(pd.concat([graded.scores, extra], ignore_index=True))[0].set_index("learner").loc["perfect"]
    assert after["cases"] == before["cases"] + 1 and after["points"] == before["points"] + 1
    assert after["rated"] == before["rated"] and after["kappa"] == before["kappa"]


def test_alpha_is_one_when_learners_agree_and_missing_for_thin_categories(tmp_path, bank, policy):
    cases = bank.deck_cases(EXERCISE)
    for learner in ("a", "b", "c"):
        write_submission(tmp_path, learner, EXERCISE, perfect_answers(cases))
    result = cohort_stats(grade_course(tmp_path, bank=bank, policy=policy, progress=False))
    agreement = result.agreement.set_index("category")
    assert agreement.loc["all", "alpha"] == pytest.approx(1.0)
    single = [c for c, n in agreement["cases"].items() if n < 2]
    assert single and all(math.isnan(agreement.loc[c, "alpha"]) for c in single)


@pytest.fixture(scope="module")
def demo_course(tmp_path_factory):
    return write_demo_cohort(tmp_path_factory.mktemp("demo"), 60, seed=11)


def test_a_wrong_key_goes_on_the_review_list(demo_course, bank, policy):
    """If the reference of a safe case said 'harmful', would the report point at it?"""
    from dataclasses import replace

    flipped_id = "core-021"
    assert bank.cases[flipped_id].reference_rating == "safe"
    cases = dict(bank.cases)
    cases[flipped_id] = cases[flipped_id].model_copy(update={"reference_rating": "harmful"})
    wrong_bank = replace(bank, cases=cases)

    right = cohort_stats(grade_course(demo_course, bank=bank, policy=policy, progress=False))
    wrong = cohort_stats(grade_course(demo_course, bank=wrong_bank, policy=policy, progress=False))
    assert right.review_key.empty
    assert list(wrong.review_key["case"]) == [flipped_id]
    assert wrong.review_key.iloc[0]["strong_most_given"] == "safe"
    # strong learners lose its rating point: the case separates them from weak ones less
    before = right.cases.set_index("case")["discrimination"][flipped_id]
    after = wrong.cases.set_index("case")["discrimination"][flipped_id]
    assert after < before


def test_each_learners_kappa_from_confusion_counts_is_scikit_learns_kappa(tmp_path, bank, policy):
    """Does the kappa per learner, computed from confusion counts in numpy, equal scikit-learn's cohen_kappa_score of their ratings?"""
    import warnings

    import numpy as np
    from sklearn.metrics import cohen_kappa_score

    from safetyrater.cohort.demo import write_demo_cohort
    from safetyrater.cohort.grade import grade_course
    from safetyrater.cohort.stats import cohort_stats, rating_rows

    course = write_demo_cohort(tmp_path, 25, seed=5, bank=bank, exercises=["ex01-two-questions", "ex03-safety-and-over-refusal"])
    grades = grade_course(course, bank=bank, policy=policy, progress=False)
    kappa = cohort_stats(grades).learners.set_index("learner")["kappa"]
    rows = rating_rows(grades.scores)
    assert len(kappa) == 25
    for learner, group in rows.groupby("learner"):
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            expected = cohen_kappa_score(group["reference"], group["given"], labels=[0, 1, 2], weights="quadratic")
        assert kappa[learner] == pytest.approx(expected, abs=1e-12, nan_ok=True), learner
