"""Does a case with a content warning stay hidden until the learner chooses to see it?"""

from __future__ import annotations

from safetyrater.widgets.deck import DeckView
from safetyrater.widgets.content_warning import ContentWarningGate


def _texts(widget) -> str:
    """All text a widget tree would show."""
    parts = []
    for attr in ("value", "description"):
        value = getattr(widget, attr, None)
        if isinstance(value, str):
            parts.append(value)
    for child in getattr(widget, "children", ()):
        parts.append(_texts(child))
    return "\n".join(parts)


def test_a_warned_case_shows_only_the_warning_and_a_button(mixed_bank, tmp_path):
    view = DeckView(mixed_bank, mixed_bank.deck("lesson-01-fx-mixed"), tmp_path)
    gates = {item.card.case.id: item for item in view.items if isinstance(item, ContentWarningGate)}
    assert set(gates) == {"fx-rating-warned", "fx-span-warned"}
    gate = gates["fx-rating-warned"]
    shown = _texts(gate)
    assert "Describes suicidal thoughts." in shown
    assert "Show this case" in shown
    assert "988" not in shown  # the response stays hidden
    assert "A message describing feeling hopeless" not in shown  # so does the prompt
    assert gate.card not in gate.children


def test_show_this_case_reveals_the_card(mixed_bank, tmp_path):
    view = DeckView(mixed_bank, mixed_bank.deck("lesson-01-fx-mixed"), tmp_path)
    gate = next(item for item in view.items if isinstance(item, ContentWarningGate))
    gate.show_button.click()
    assert gate.revealed
    assert gate.children == (gate.card,)
    assert "988" in _texts(gate)


def test_cases_without_a_warning_show_at_once_and_hidden_answers_still_count(mixed_bank, tmp_path):
    deck = mixed_bank.deck("lesson-01-fx-mixed")
    view = DeckView(mixed_bank, deck, tmp_path)
    plain = [item for item in view.items if not isinstance(item, ContentWarningGate)]
    assert [card.case.id for card in plain] == ["fx-rating-1", "fx-pair-1", "fx-span-1", "fx-pair-equal"]
    hidden = next(item for item in view.items if isinstance(item, ContentWarningGate))
    hidden.card.rating.value = "safe"
    assert "1 of 6 cases answered" in DeckView(mixed_bank, deck, tmp_path).header.value


def test_graded_decks_hide_warned_cases_too(mixed_bank, tmp_path):
    view = DeckView(mixed_bank, mixed_bank.deck("ex01-fx-mixed"), tmp_path)
    gate = next(item for item in view.items if isinstance(item, ContentWarningGate))
    assert gate.card.case.id == "fx-span-ex"
    assert "Fixture warning on a graded case." in _texts(gate)
    assert "verify=False" not in _texts(gate)


def test_show_this_case_moves_the_keyboard_focus_into_the_case(mixed_bank, tmp_path, monkeypatch):
    """The button pressed is gone after revealing: does the focus go into the case rather than to the page?"""
    import ipywidgets

    focused = []
    monkeypatch.setattr(ipywidgets.Textarea, "focus", lambda self: focused.append(self))
    view = DeckView(mixed_bank, mixed_bank.deck("lesson-01-fx-mixed"), tmp_path)
    gate = next(item for item in view.items if isinstance(item, ContentWarningGate))
    gate.show_button.click()
    assert len(focused) == 1 and focused[0] in _descendants(gate.card)


def _descendants(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _descendants(child)
