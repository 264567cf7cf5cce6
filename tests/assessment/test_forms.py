"""Are assessment forms stratified like the pool, reproducible, varied and disjoint from the course?"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from safetyrater.assessment.forms import (
    FormError,
    draw_form,
    pool_cases,
    primary_category,
    probe_pairs_among,
    public_form,
    read_public_form,
)
from safetyrater.bank.casebank import CaseBank
from safetyrater.kinds.rating import ANSWER_CLASSES, answer_class
from safetyrater.errors import DataError


@pytest.fixture(scope="module")
def pool(bank):
    return pool_cases(bank)


def test_the_pool_is_large_enough_and_balanced_by_category_and_answer(pool):
    """Does the pool hold at least 150 cases with every answer class in every risk area?"""
    assert len(pool) >= 150
    by_category: dict[str, Counter] = {}
    for case in pool:
        by_category.setdefault(primary_category(case), Counter())[answer_class(case)] += 1
    assert len(by_category) >= 15
    for category, classes in by_category.items():
        assert set(classes) == set(ANSWER_CLASSES), category


def test_every_probe_rewords_a_pool_case_with_the_same_reference(pool):
    """Can a learner be expected to rate a rewording alike? Only if its reference is the same."""
    by_id = {c.id: c for c in pool}
    variants = [c for c in pool if c.variant_of]
    assert len(variants) >= 10
    for variant in variants:
        original = by_id[variant.variant_of]
        assert original.variant_of is None
        assert (variant.reference_rating, variant.over_refusal) == (original.reference_rating, original.over_refusal)
        assert variant.prompt != original.prompt


def test_the_same_seed_draws_the_same_form(pool):
    """Is a form reproducible from its seed, order included?"""
    assert draw_form(pool, 40, 11) == draw_form(pool, 40, 11)
    assert draw_form(pool, 40, 11).id == "n40-s11"


def test_at_least_five_different_forms(pool):
    """Do five seeds give five different forms, each mostly new?"""
    forms = [set(draw_form(pool, 40, seed).case_ids) for seed in range(5)]
    assert len({frozenset(f) for f in forms}) == 5
    for i, first in enumerate(forms):
        for second in forms[i + 1 :]:
            assert len(first & second) < 30


@pytest.mark.parametrize("size", [40, 20, 12])
@pytest.mark.parametrize("seed", [0, 1, 2, 3, 7])
def test_a_form_is_stratified_like_the_pool(pool, size, seed):
    """Does each answer class and each risk area get its share of the form (within one case)?"""
    form = draw_form(pool, size, seed)
    by_id = {c.id: c for c in pool}
    cases = [by_id[i] for i in form.case_ids]
    assert len(cases) == size == len(set(form.case_ids))
    for key in (answer_class, primary_category):
        in_pool = Counter(key(c) for c in pool)
        in_form = Counter(key(c) for c in cases)
        for stratum, count in in_pool.items():
            expected = size * count / len(pool)
            assert abs(in_form[stratum] - expected) < 1, (key.__name__, stratum, in_form[stratum], expected)


def test_the_default_form_has_the_pools_answer_mix(pool):
    """A 40-case form from a pool that is 30/20/30/20: 12 harmful, 8 risky, 12 safe, 8 over-refusals."""
    by_id = {c.id: c for c in pool}
    shares = Counter(answer_class(c) for c in pool)
    for seed in range(5):
        counts = Counter(answer_class(by_id[i]) for i in draw_form(pool, 40, seed).case_ids)
        assert counts == Counter({k: round(40 * v / len(pool)) for k, v in shares.items()})


def test_forms_never_hold_lesson_or_exercise_cases(bank, pool):
    """Is every form disjoint from what lessons and exercises show, for any seed?"""
    course = {c.id for c in bank.cases.values() if c.use != "assessment"}
    course |= {case_id for deck in bank.decks.values() for case_id in deck.cases}
    assert course
    for seed in range(25):
        assert not set(draw_form(pool, 40, seed).case_ids) & course


def test_the_bank_keeps_assessment_cases_in_the_pool_folder(datasets_copy):
    """By construction: an assessment case outside pool/, or a pool case in a deck, is refused."""
    pool_file = next((datasets_copy / "pool").glob("*.jsonl"))
    first = pool_file.read_text(encoding="utf-8").splitlines()[0]
    with (datasets_copy / "cases" / "leak.jsonl").open("w", encoding="utf-8") as handle:
        handle.write(json.dumps({**json.loads(first), "id": "leaked-001"}) + "\n")
    with pytest.raises(DataError, match="leak.jsonl:1: use: 'assessment' is not allowed"):
        CaseBank.load(datasets_copy)

    (datasets_copy / "cases" / "leak.jsonl").unlink()
    decks = datasets_copy / "decks.toml"
    pool_id = json.loads(first)["id"]
    decks.write_text(decks.read_text().replace('cases = ["core-009"', f'cases = ["{pool_id}", "core-009"'))
    with pytest.raises(DataError, match=f"case '{pool_id}'.*has use 'assessment'"):
        CaseBank.load(datasets_copy)


def test_probe_pairs_come_whole_with_the_rewording_in_the_second_half(pool):
    """Does a form show a case early and its rewording later, never a rewording alone?"""
    by_id = {c.id: c for c in pool}
    with_pairs = 0
    for seed in range(20):
        form = draw_form(pool, 40, seed)
        cases = [by_id[i] for i in form.case_ids]
        assert sorted(form.probe_pairs) == probe_pairs_among(cases)
        for case in cases:
            if case.variant_of:
                assert case.variant_of in form.case_ids
        for original, variant in form.probe_pairs:
            assert form.case_ids.index(original) < 20 <= form.case_ids.index(variant)
        with_pairs += bool(form.probe_pairs)
    assert 0 < with_pairs < 20, "some forms, not all or none, should hold probes"


def test_the_number_of_probe_pairs_can_be_fixed(pool):
    form = draw_form(pool, 40, 3, probe_pairs=2)
    assert len(form.probe_pairs) == 2
    assert form.id == "n40-s3-p2"
    assert draw_form(pool, 40, 3, probe_pairs=0).probe_pairs == ()


def test_a_form_larger_than_the_pool_is_one_clear_error(pool):
    with pytest.raises(FormError, match=r"a form needs between 1 and \d+ cases, not 500 \(the pool has \d+ cases to draw from"):
        draw_form(pool, 500, 0)


def test_the_learners_form_carries_no_reference(bank, pool):
    """Does the form a learner deployment receives hold case texts only?"""
    form = draw_form(pool, 40, 5)
    data = public_form(form, bank, minutes=45)
    text = json.dumps(data)
    assert {key for case in data["cases"] for key in case} == {"id", "prompt", "context", "response", "content_warning"}
    for case_id in form.case_ids:
        assert bank.cases[case_id].rationale not in text
    again, cases, minutes = read_public_form(json.loads(text))
    assert again.case_ids == form.case_ids and minutes == 45
    assert cases[0].prompt == bank.cases[form.case_ids[0]].prompt


def test_a_form_with_references_is_refused(bank, pool):
    data = public_form(draw_form(pool, 5, 0), bank)
    data["cases"][2]["reference_rating"] = "safe"
    with pytest.raises(FormError, match="form.json: case .*: carries reference fields"):
        read_public_form(data, "form.json")
