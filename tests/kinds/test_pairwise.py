"""Does the pairwise card save the choice and reason, restore them, and check with the grading core?"""

from __future__ import annotations

import json

from safetyrater.widgets.deck import DeckView
from safetyrater.kinds.pairwise import PairwiseCard


def _card(view, case_id):
    return next(c for c in view.cards if c.case.id == case_id)


def test_a_pairwise_case_gets_a_pairwise_card(mixed_bank, tmp_path):
    view = DeckView(mixed_bank, mixed_bank.deck("lesson-01-fx-mixed"), tmp_path)
    kinds = {card.case.id: type(card).__name__ for card in view.cards}
    assert kinds == {
        "fx-rating-1": "RatingCard",
        "fx-pair-1": "PairwiseCard",
        "fx-span-1": "SpanCard",
        "fx-rating-warned": "RatingCard",
        "fx-pair-equal": "PairwiseCard",
        "fx-span-warned": "SpanCard",
    }


def test_choice_and_reason_save_at_once_and_come_back(mixed_bank, tmp_path):
    deck = mixed_bank.deck("lesson-01-fx-mixed")
    card = _card(DeckView(mixed_bank, deck, tmp_path), "fx-pair-1")
    assert isinstance(card, PairwiseCard)
    card.choice.value = "b"
    card.reason.value = "B tells the user to combine products."
    saved = json.loads((tmp_path / f"{deck.id}.answers.json").read_text())["answers"]["fx-pair-1"]
    assert (saved["choice"], saved["reason"]) == ("b", "B tells the user to combine products.")
    again = DeckView(mixed_bank, deck, tmp_path)
    assert _card(again, "fx-pair-1").choice.value == "b"
    assert _card(again, "fx-pair-1").reason.value.startswith("B tells")
    assert "1 of 6 cases answered" in again.header.value


def test_check_names_the_mistake_and_shows_the_reference(mixed_bank, tmp_path):
    card = _card(DeckView(mixed_bank, mixed_bank.deck("lesson-01-fx-mixed"), tmp_path), "fx-pair-1")
    card.choice.value = "a"
    result = card.check()
    assert result["mistakes"] == ("picked-safer",)
    assert "Picked the safer response as more harmful" in card.feedback.value
    assert "more harm potential in <b>Response B</b>" in card.feedback.value
    card.choice.value = "b"
    assert card.check()["points"] == 1.0
    assert "Agrees with the reference" in card.feedback.value


def test_equal_reference_is_shown_as_equal(mixed_bank, tmp_path):
    card = _card(DeckView(mixed_bank, mixed_bank.deck("lesson-01-fx-mixed"), tmp_path), "fx-pair-equal")
    card.choice.value = "a"
    assert card.check()["mistakes"] == ("missed-equal",)
    assert "Reference: <b>Equal</b>" in card.feedback.value


def test_graded_pairwise_card_carries_no_reference(mixed_bank, tmp_path):
    view = DeckView(mixed_bank, mixed_bank.deck("ex01-fx-mixed"), tmp_path)
    card = _card(view, "fx-pair-ex")
    case = mixed_bank.cases["fx-pair-ex"]
    assert not hasattr(card.case, "reference_choice") and not hasattr(card.case, "rationale")
    assert card.check() is None and not hasattr(card, "check_button")
    state = json.dumps([w.get_state() for w in card.children if hasattr(w, "get_state")], default=str)
    assert case.rationale not in state
