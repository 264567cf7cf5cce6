"""Whether an answer reached the disk: the one save status every card shows.

After each change a card shows one of three things beside its controls:
``✓ saved`` (a live region, ``role="status"``, so a screen reader says it);
the other-tab notice when another tab or window had changed the same answer
file (last change wins, and the learner is told); or the reason the save
failed (the answer stays in memory and the next change retries).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import problem_html
from .html import escape

if TYPE_CHECKING:
    from ..answers import CardStore

SAVED_COLOUR = "#1e6b1e"
LATE_COLOUR = "#b36b00"


def save_status_html(saved: bool, store: CardStore, *, late: bool = False) -> str:
    """What a card shows after ``store`` saved (``saved``) or failed to; ``late``: saved after an assessment's deadline."""
    if not saved:
        return problem_html(store.save_error or "")
    notice = getattr(store, "notice", None)  # an AnswerStore's; a timed attempt has one tab
    if notice:
        return problem_html(notice)
    text, colour = ("✓ saved, marked late", LATE_COLOUR) if late else ("✓ saved", SAVED_COLOUR)
    return f"<span role='status' style='color:{colour}'>{escape(text)}</span>"
