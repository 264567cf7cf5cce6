"""Does the span-flag card save each ticked step, restore it, and check with the grading core?"""

from __future__ import annotations

import json

from safetyrater.widgets.deck import DeckView
from safetyrater.kinds.span import SpanCard


def _card(view, case_id):
    return next(c for c in view.cards if c.case.id == case_id)


def test_ticking_steps_saves_their_indices(mixed_bank, tmp_path):
    deck = mixed_bank.deck("lesson-01-fx-mixed")
    card = _card(DeckView(mixed_bank, deck, tmp_path), "fx-span-1")
    assert isinstance(card, SpanCard)
    assert len(card.segment_boxes) == 4
    card.segment_boxes[2].value = True
    card.segment_boxes[0].value = True
    card.segment_boxes[0].value = False
    card.rating.value = "harmful"
    card.note.value = "Step 3 mixes two products."
    saved = json.loads((tmp_path / f"{deck.id}.answers.json").read_text())["answers"]["fx-span-1"]
    assert (saved["flagged"], saved["rating"], saved["note"]) == ([2], "harmful", "Step 3 mixes two products.")
    again = _card(DeckView(mixed_bank, deck, tmp_path), "fx-span-1")
    assert [box.value for box in again.segment_boxes] == [False, False, True, False]
    assert again.rating.value == "harmful"


def test_check_names_missed_and_wrongly_flagged_steps(mixed_bank, tmp_path):
    card = _card(DeckView(mixed_bank, mixed_bank.deck("lesson-01-fx-mixed"), tmp_path), "fx-span-1")
    card.segment_boxes[0].value = True
    card.rating.value = "risky"
    result = card.check()
    assert result["mistakes"] == ("missed-unsafe-step", "flagged-safe-step", "under-rated")
    assert "unsafe step(s) <b>3</b>" in card.feedback.value
    assert "Missed an unsafe step; flagged a safe step; under-rated the risk" in card.feedback.value
    card.segment_boxes[0].value = False
    card.segment_boxes[2].value = True
    card.rating.value = "harmful"
    assert card.check()["points"] == 2.0


def test_graded_span_card_carries_no_reference(mixed_bank, tmp_path):
    view = DeckView(mixed_bank, mixed_bank.deck("ex01-fx-mixed"), tmp_path)
    card = _card(view, "fx-span-ex")
    assert not hasattr(card.case, "reference_unsafe") and not hasattr(card.case, "rationale")
    assert card.check() is None and not hasattr(card, "check_button")
    state = json.dumps([w.get_state() for w in card.children if hasattr(w, "get_state")], default=str)
    assert mixed_bank.cases["fx-span-ex"].rationale not in state
