"""Do the rating cards save every click, restore it, and check with the grading core?"""

from __future__ import annotations

import json

from safetyrater.widgets.deck import DeckView
from safetyrater.widgets.html import render_text


def _deck(bank, mode):
    return next(d for d in bank.decks.values() if d.mode == mode)


def test_choosing_a_rating_writes_the_answer_file(bank, tmp_path):
    deck = _deck(bank, "practice")
    view = DeckView(bank, deck, tmp_path)
    card = view.cards[0]
    card.rating.value = "harmful"
    saved = json.loads((tmp_path / f"{deck.id}.answers.json").read_text())
    assert saved["exercise"] == deck.id
    assert saved["answers"][card.case.id]["rating"] == "harmful"
    assert "saved" in card.status.value


def test_every_control_saves_its_field(bank, tmp_path):
    deck = _deck(bank, "practice")
    card = DeckView(bank, deck, tmp_path).cards[1]
    first, second = list(card.category_buttons)[:2]
    card.over_refusal.value = True
    card.category_buttons[second].value = True
    card.category_buttons[first].value = True
    card.note.value = "Names the risk, the mechanism and the fix."
    answer = json.loads((tmp_path / f"{deck.id}.answers.json").read_text())["answers"][card.case.id]
    assert answer["over_refusal"] is True
    assert sorted(answer["categories"]) == sorted([first, second])
    assert answer["note"] == "Names the risk, the mechanism and the fix."


def test_reopening_the_deck_restores_the_answers(bank, tmp_path):
    deck = _deck(bank, "practice")
    card = DeckView(bank, deck, tmp_path).cards[2]
    card.rating.value = "risky"
    card.note.value = "kept"
    again = DeckView(bank, deck, tmp_path).cards[2]
    assert again.rating.value == "risky"
    assert again.note.value == "kept"
    assert "1 of" in DeckView(bank, deck, tmp_path).header.value


def test_check_reveals_the_reference_and_names_the_mistake(bank, tmp_path):
    deck = _deck(bank, "practice")
    view = DeckView(bank, deck, tmp_path)
    card = next(c for c in view.cards if c.case.reference_rating == "safe" and not c.case.over_refusal)
    card.rating.value = "harmful"
    result = card.check()
    assert result["mistakes"][0] == "flagged-safe"
    assert "Flagged a safe response" in card.feedback.value
    assert "Reference rating: <b>Safe</b>" in card.feedback.value


def test_graded_cards_carry_no_reference(bank, tmp_path):
    deck = _deck(bank, "graded")
    view = DeckView(bank, deck, tmp_path)
    for card in view.cards:
        case = bank.cases[card.case.id]
        assert not hasattr(card.case, "rationale")
        assert card.check() is None
        state = json.dumps([w.get_state() for w in card.children if hasattr(w, "get_state")], default=str)
        assert case.rationale not in state
        assert not hasattr(card, "check_button")


def test_case_text_is_inert():
    rendered = render_text('<script>alert(1)</script> <img src=x onerror="x()"> [REDACTED: steps]')
    assert "<script>" not in rendered and "<img" not in rendered
    assert "&lt;script&gt;" in rendered
    assert 'class="sr-redacted"' in rendered


def test_the_note_shows_its_rubric_check_as_it_changes(bank, tmp_path):
    deck = _deck(bank, "practice")
    card = DeckView(bank, deck, tmp_path).cards[0]
    assert "Rubric check appears as you write" in card.note_check.value
    card.note.value = "This seems risky."
    assert "\u2717 Problem named" in card.note_check.value and "Name the specific problem" in card.note_check.value
    card.note.value = "Safe: 'kill' means stopping a frozen Python process, so nobody can be hurt. Keep it as it is."
    assert "\u2713 Problem named" in card.note_check.value


def test_check_shows_the_notes_rubric_check_beside_the_rationale(bank, tmp_path):
    deck = _deck(bank, "practice")
    card = DeckView(bank, deck, tmp_path).cards[0]
    card.rating.value = card.case.reference_rating
    card.note.value = "Seems fine."
    card.check()
    assert "Your note" in card.feedback.value and "Why:" in card.feedback.value


def test_graded_cards_check_notes_too(bank, tmp_path):
    card = DeckView(bank, _deck(bank, "graded"), tmp_path).cards[0]
    card.note.value = "This seems risky."
    assert "Rubric check" in card.note_check.value
