"""Does the multi-dimension card save every click, restore it, and check with the grading core?"""

from __future__ import annotations

import json

from safetyrater.widgets.deck import DeckView

LESSON = "lesson-11-multi-dimension-ratings"


def _saved(folder, deck_id):
    return json.loads((folder / f"{deck_id}.answers.json").read_text())


def test_clicking_a_level_writes_the_answer_file(bank, tmp_path):
    view = DeckView(bank, bank.deck(LESSON), tmp_path)
    card = view.cards[0]
    card.buttons["helpfulness"].value = "unhelpful"
    card.buttons["safety"].value = "safe"
    saved = _saved(tmp_path, LESSON)
    assert saved["exercise"] == LESSON
    assert saved["answers"][card.case.id]["dimensions"] == {"safety": "safe", "helpfulness": "unhelpful"}
    assert "saved" in card.status.value
    assert "1 of 8" in view.header.value


def test_a_card_with_two_responses_asks_for_the_overall_preference(bank, tmp_path):
    view = DeckView(bank, bank.deck(LESSON), tmp_path)
    pair = next(c for c in view.cards if c.case.response_b)
    single = next(c for c in view.cards if not c.case.response_b)
    assert "preference" in pair.buttons and "preference" not in single.buttons
    pair.buttons["preference"].value = "b-much-better"
    pair.note.value = "A refuses what B answers well."
    answer = _saved(tmp_path, LESSON)["answers"][pair.case.id]
    assert answer["dimensions"] == {"preference": "b-much-better"}
    assert answer["note"] == "A refuses what B answers well."


def test_reopening_the_deck_restores_every_dimension(bank, tmp_path):
    card = DeckView(bank, bank.deck(LESSON), tmp_path).cards[2]
    for dimension, buttons in card.buttons.items():
        buttons.value = buttons.options[-1][1]
    again = DeckView(bank, bank.deck(LESSON), tmp_path).cards[2]
    assert {d: b.value for d, b in again.buttons.items()} == {d: b.options[-1][1] for d, b in card.buttons.items()}


def test_check_shows_each_dimensions_reference_and_points(bank, tmp_path):
    card = DeckView(bank, bank.deck(LESSON), tmp_path).cards[0]
    references = card.case.references
    for dimension, level in references.items():
        card.buttons[dimension].value = level
    wrong = "very-helpful" if references["helpfulness"] != "very-helpful" else "unhelpful"
    card.buttons["helpfulness"].value = wrong
    result = card.check()
    assert result["dim_helpfulness_points"] < 1.0 and result["dim_safety_points"] == 1.0
    assert "Not every dimension agrees" in card.feedback.value
    assert "Helpfulness" in card.feedback.value and card.case.rationale[:40] in card.feedback.value


def test_graded_cards_carry_no_reference(bank, tmp_path):
    deck = bank.deck("ex11-multi-dimension")
    view = DeckView(bank, deck, tmp_path)
    for card in view.cards:
        case = bank.cases[card.case.id]
        assert not hasattr(card.case, "references") and not hasattr(card.case, "rationale")
        assert card.check() is None and not hasattr(card, "check_button")
        state = json.dumps([w.get_state() for w in card.children if hasattr(w, "get_state")], default=str)
        assert case.rationale not in state
