"""A case behind a content warning: hidden until the learner chooses to see it.

The card exists (its saved answer counts in the deck's header) but is not
shown: only the warning and a "Show this case" button are. The choice to
reveal is not saved; reopening the lesson hides the case again.
"""

from __future__ import annotations

import ipywidgets as widgets

from .base import header_html
from .html import escape


class ContentWarningGate(widgets.VBox):
    """The warning and a "Show this case" button, replaced by the card on request."""

    def __init__(self, warning: str, card: widgets.Widget, *, position: int = 1, total: int = 1):
        self.card = card
        self.warning = warning
        self.revealed = False
        self.show_button = widgets.Button(
            description="Show this case",
            button_style="warning",
            tooltip="Reveal the case below this warning",
            layout=widgets.Layout(width="auto"),
        )
        self.show_button.on_click(lambda _: self.reveal())
        message = widgets.HTML(
            header_html(card.case.id, position, total)
            + "<div style='padding:6px 10px;border-left:4px solid #d08c00;background:#fff6e0'>"
            f"<b>Content warning:</b> {escape(warning)}<br>"
            "This case is hidden. Show it when you are ready, or come back to it later: "
            "calm, rested judgment is better judgment.</div>"
        )
        super().__init__(
            [message, self.show_button],
            layout=widgets.Layout(border="1px solid #ccc", padding="8px", margin="0 0 16px 0"),
        )

    def reveal(self) -> None:
        """Replace the warning with the card, and move the keyboard focus into it (the button it had is gone)."""
        self.revealed = True
        self.children = [self.card]
        box = first_text_box(self.card)
        if box is not None:
            # a text box is the control every card has whose view takes focus (buttons' views do not)
            box.focus()


def first_text_box(widget: widgets.Widget) -> widgets.Textarea | None:
    """The first text box inside ``widget`` (a card's note), if any."""
    if isinstance(widget, widgets.Textarea):
        return widget
    for child in getattr(widget, "children", ()):
        found = first_text_box(child)
        if found is not None:
            return found
    return None
