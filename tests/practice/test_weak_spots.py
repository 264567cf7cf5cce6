"""Does the weak-spots deck follow the learner's own mistakes, with cases they have not seen?"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from safetyrater.practice.ui import WeakSpotsPage
from safetyrater.practice.weak_spots import DECK_ID, DECK_SIZE, draw_deck, learner_mistakes

LESSONS = ("lesson-01-two-questions", "lesson-03-safety-and-over-refusal")


@pytest.fixture
def course(tmp_path):
    (tmp_path / "course").mkdir()
    return tmp_path


def answer_lessons(bank, course, rate):
    """Answer the rating cases of two lessons with ``rate(case)`` (perfect risk areas); the case ids answered."""
    seen = set()
    for deck_id in LESSONS:
        cases = [c for c in bank.deck_cases(deck_id) if c.kind == "rating"]
        answers = {c.id: {"rating": rate(c), "over_refusal": c.over_refusal, "categories": list(c.categories)} for c in cases}
        (course / "course" / f"{deck_id}.answers.json").write_text(json.dumps({"format": 1, "exercise": deck_id, "answers": answers}))
        seen |= set(answers)
    return seen


def test_a_learner_who_over_flags_gets_mostly_safe_cases_they_have_not_seen(bank, policy, course):
    """Rate every safe case 'harmful': is over-flagging the pattern, and are most new cases safe ones, none seen or graded?"""
    seen = answer_lessons(bank, course, lambda c: "harmful" if c.reference_rating == "safe" else c.reference_rating)
    mistakes = learner_mistakes(bank, policy, course)
    assert mistakes.patterns.most_common(1)[0][0] == "over-flagging"
    assert mistakes.patterns["polite harm missed"] == 0

    deck = draw_deck(bank, mistakes)
    assert len(deck) == DECK_SIZE and len(set(deck)) == DECK_SIZE
    graded = {c for d in bank.decks.values() if d.mode == "graded" for c in d.cases}
    assert not set(deck) & (seen | graded)
    ratings = Counter(bank.cases[c].reference_rating for c in deck)
    assert ratings["safe"] >= DECK_SIZE * 0.6, ratings


def test_a_learner_who_misses_polite_harm_gets_harmful_cases(bank, policy, course):
    """Rate every harmful case 'safe': does the deck turn to harmful responses instead?"""
    answer_lessons(bank, course, lambda c: "safe")
    mistakes = learner_mistakes(bank, policy, course)
    assert mistakes.patterns.most_common(1)[0][0] == "polite harm missed"
    deck = draw_deck(bank, mistakes)
    assert sum(bank.cases[c].reference_rating != "safe" for c in deck) >= DECK_SIZE * 0.6


def test_the_page_keeps_its_deck_until_answered_and_names_the_pattern(bank, course, monkeypatch):
    """Reopen the page: the same cases; answer them all and reopen: a new deck from the answers since."""
    monkeypatch.setenv("SAFETYRATER_ROOT", str(course))
    (course / "datasets").symlink_to(bank.root)
    (course / "graders").symlink_to(bank.root.parent / "graders")
    answer_lessons(bank, course, lambda c: "harmful" if c.reference_rating == "safe" else c.reference_rating)
    folder = course / "course"
    page = WeakSpotsPage(folder)
    assert "Over-flagging" in page.summary.value
    first = list(page.bank.decks[DECK_ID].cases)
    again = WeakSpotsPage(folder)
    assert list(again.bank.decks[DECK_ID].cases) == first

    answers = {c: {"rating": "safe", "over_refusal": False, "categories": []} for c in first}
    (folder / f"{DECK_ID}.answers.json").write_text(json.dumps({"format": 1, "exercise": DECK_ID, "answers": answers}))
    renewed = WeakSpotsPage(folder)
    assert not set(renewed.bank.decks[DECK_ID].cases) & set(first)
