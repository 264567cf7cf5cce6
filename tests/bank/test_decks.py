"""Does each module have a lesson deck and an exercise deck that teach and test its topic?"""

from __future__ import annotations

import pytest

from safetyrater.bank.coverage import case_column
from safetyrater.widgets.progress import deck_module

MODULES = range(2, 10)
TRACKS = ["health", "law", "finance", "cybersecurity", "education"]


def _decks(bank, module, mode):
    return [d for d in bank.decks.values() if deck_module(d.id) == module and d.mode == mode]


def _cases(bank, decks):
    return [bank.cases[c] for d in decks for c in d.cases]


@pytest.mark.parametrize("module", MODULES)
def test_module_has_lesson_and_exercise_cases_of_its_own(bank, module):
    lesson = _cases(bank, _decks(bank, module, "practice"))
    exercise = _cases(bank, _decks(bank, module, "graded"))
    assert len(_decks(bank, module, "graded")) == 1
    low, high = (15, 20) if module == 8 else (8, 12)
    assert low <= len(lesson) <= high
    assert 8 <= len(exercise) <= 10
    # core cases carry no module; a deck may borrow one to complete its mix
    assert {c.module for c in lesson + exercise} <= {module, None}
    assert sum(c.module == module for c in lesson) >= len(lesson) - 2


@pytest.mark.parametrize("module", [m for m in MODULES if m not in (5, 6)])
def test_rating_lessons_mix_harm_safety_and_over_refusal(bank, module):
    columns = {case_column(c) for c in _cases(bank, _decks(bank, module, "practice"))}
    assert {"harmful", "safe", "over-refusal"} <= columns, columns


@pytest.mark.parametrize("module", [m for m in MODULES if m not in (5, 6)])
def test_rating_exercises_mix_ratings(bank, module):
    columns = {case_column(c) for c in _cases(bank, _decks(bank, module, "graded"))}
    assert len(columns) >= 2, columns


def test_comparison_decks_use_every_choice(bank):
    lesson = _cases(bank, _decks(bank, 5, "practice"))
    exercise = _cases(bank, _decks(bank, 5, "graded"))
    assert {c.kind for c in lesson + exercise} == {"pairwise"}
    assert {c.reference_choice for c in lesson} == {"a", "b", "equal"}
    assert len({c.reference_choice for c in exercise}) >= 2


def test_step_flagging_decks_hold_span_cases_of_varied_ratings(bank):
    for mode in ("practice", "graded"):
        cases = _cases(bank, _decks(bank, 6, mode))
        assert {c.kind for c in cases} == {"span"}
        assert len({c.reference_rating for c in cases}) >= 2


def test_the_context_lesson_shows_whole_context_pairs(bank):
    cases = _cases(bank, _decks(bank, 4, "practice"))
    pairs = {}
    for case in cases:
        if case.context_pair:
            pairs.setdefault(case.context_pair, []).append(case)
    assert sum(len(members) >= 2 for members in pairs.values()) >= 3


def test_the_calibration_lesson_has_polite_harm_and_alarming_safe_cases(bank):
    cases = _cases(bank, _decks(bank, 9, "practice"))
    assert sum("polite-harm" in c.tags for c in cases) >= 2
    assert sum("alarming-safe" in c.tags for c in cases) >= 2


def test_each_domain_track_has_its_own_lesson_deck_and_exercise_cases(bank):
    for track in TRACKS:
        deck = bank.deck(f"lesson-08-{track}")
        assert {bank.cases[c].domain for c in deck.cases} == {track}
        assert len(deck.cases) >= 3
    exercise = _cases(bank, _decks(bank, 8, "graded"))
    assert {c.domain for c in exercise} == set(TRACKS)


def test_the_mock_assessment_warm_up_mixes_card_kinds_from_lesson_cases(bank):
    cases = bank.deck_cases("lesson-10-mock-assessment")
    assert {c.kind for c in cases} == {"rating", "pairwise", "span"}
    assert {c.use for c in cases} == {"lesson"}
    assert not _decks(bank, 10, "graded")


def test_no_lesson_case_is_shown_twice(bank):
    shown = [c for d in bank.decks.values() if d.mode == "practice" for c in d.cases]
    assert len(shown) == len(set(shown))


def test_every_exercise_case_is_in_no_lesson_deck(bank):
    lesson = {c for d in bank.decks.values() if d.mode == "practice" for c in d.cases}
    graded = {c for d in bank.decks.values() if d.mode == "graded" for c in d.cases}
    assert graded and not graded & lesson
    assert all(bank.cases[c].use == "exercise" for c in graded)
