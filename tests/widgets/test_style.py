"""Are the rating cards labelled for screen readers and styled so a choice and
the keyboard focus show without colour? (Kernel-free; the browser tests check
the same in Chromium.)"""

from __future__ import annotations

import ipywidgets

from safetyrater.widgets.deck import DeckView
from safetyrater.widgets.style import CARD_CLASS, CARD_CSS, CHOSEN_MARK, RATING_CLASS

DECK = "lesson-01-two-questions"


def test_every_control_of_a_card_has_a_label(bank, tmp_path):
    card = DeckView(bank, bank.deck(DECK), tmp_path).cards[0]
    assert card.rating.description == "Safety rating"
    assert all(label for label, _ in card.rating.options)
    assert all(card.rating.tooltips), "each rating explains itself"
    assert card.over_refusal.description.startswith("Over-refusal")
    assert card.note.description == "Note", "the note box has a label, not only a placeholder"
    for cid, button in card.category_buttons.items():
        assert button.description and button.tooltip, cid
    assert card.check_button.description == "Check"


def test_cards_carry_the_classes_the_style_targets(bank, tmp_path):
    view = DeckView(bank, bank.deck(DECK), tmp_path)
    style = view.children[0]
    assert isinstance(style, ipywidgets.HTML) and "<style>" in style.value
    for card in view.cards:
        assert CARD_CLASS in card._dom_classes
        assert RATING_CLASS in card.rating._dom_classes


def test_a_choice_shows_a_mark_and_a_border_not_only_a_shade():
    assert f'.mod-active::before {{ content: "{CHOSEN_MARK} "; }}' in CARD_CSS
    chosen_rule = CARD_CSS[CARD_CSS.index(".jupyter-button.mod-active {") :].split("}")[0]
    assert "font-weight: 700" in chosen_rule and "border: 3px solid" in chosen_rule


def test_keyboard_focus_has_a_thick_outline():
    focus_rule = CARD_CSS[CARD_CSS.index("button:focus-visible") :].split("}")[0]
    assert "outline: 3px solid" in focus_rule
