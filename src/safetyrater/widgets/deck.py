"""A deck of cards: what a lesson or an exercise shows with ``show_deck("…")``.

Each case gets the card of its kind (:mod:`safetyrater.kinds`). A card shows the
prompt, any context and the response as inert text, and saves every change at
once through an :class:`~safetyrater.answers.AnswerStore`. In practice decks
(lessons) "Check" scores the answer and reveals the reference; in graded decks
(exercises) the card holds only what a learner may see of a case (its kind's
learner view): no reference rating, rationale or categories. Cards never grade
by themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from ..answers import AnswerStore
from ..bank.casebank import CaseBank
from ..bank.schema import CaseBase, Deck
from ..kinds import PublicCase, answer_fields, kind_of
from .content_warning import ContentWarningGate
from .errors import problem_html, shown_safely
from .html import escape
from .style import style_widget


class DeckView(widgets.VBox):
    """All cards of a deck, with a header that counts answered cases."""

    def __init__(self, bank: CaseBank, deck: Deck, folder: Path | str | None = None):
        self.deck = deck
        self.store = AnswerStore(deck.id, folder, fields=answer_fields())
        self.header = widgets.HTML()
        practice = deck.mode == "practice"
        # a graded deck holds only the learner's view of its cases (a learner kit has no more)
        cases: Sequence[CaseBase | PublicCase] = bank.deck_cases(deck.id) if practice else bank.public_deck_cases(deck.id)
        self.cards: list[Any] = [
            kind_of(case.kind).card()(
                case,
                self.store,
                bank.taxonomy,
                position=i,
                total=len(cases),
                practice=practice,
                on_change=self._refresh,
            )
            for i, case in enumerate(cases, 1)
        ]
        # a case with a content warning stays hidden until the learner reveals it
        self.items = [
            ContentWarningGate(case.content_warning, card, position=i, total=len(cases)) if case.content_warning else card
            for i, (case, card) in enumerate(zip(cases, self.cards, strict=True), 1)
        ]
        shown: list[widgets.Widget] = self.items if deck.layout == "list" else side_by_side(self.items)
        super().__init__([style_widget(), self.header, *shown])
        self._refresh()

    def _refresh(self) -> None:
        answered = sum(1 for card in self.cards if self.store.get(card.case.id).get(card.kind.answered_by))
        progress = f"<b>{escape(self.deck.title)}</b>: {answered} of {len(self.cards)} cases answered."
        self.header.value = deck_header_html(progress, self.store)


def side_by_side(items: Sequence[widgets.Widget]) -> list[widgets.Widget]:
    """Cases two by two in a row (a contrast pair to compare), wrapping to one column on a narrow screen."""
    cell = widgets.Layout(flex="1 1 380px", min_width="0", margin="0 8px 0 0")
    rows = []
    for first in range(0, len(items), 2):
        pair = [widgets.Box([item], layout=cell) for item in items[first : first + 2]]
        rows.append(widgets.HBox(pair, layout=widgets.Layout(flex_flow="row wrap", align_items="stretch")))
    return rows


def deck_header_html(progress: str, store: AnswerStore) -> str:
    """A deck's header: its progress line, where answers save, and any recovered answer file."""
    lines = [progress, f"Answers save automatically to <code>{escape(store.path.name)}</code> beside this notebook."]
    problem = ""
    if store.recovered_from is not None and store.restored_from_backup:
        problem = problem_html(
            f"Your answer file could not be read (it was damaged), so it was kept as "
            f"{store.recovered_from.name} and your answers were restored from the last good copy "
            f"({store.backup_path.name}). Check your latest answer or two."
        )
    elif store.recovered_from is not None:
        problem = problem_html(
            f"Your earlier answer file could not be read (it was damaged), so it was kept as "
            f"{store.recovered_from.name} and a new one started. Your instructor can recover "
            "answers from the kept file."
        )
    return "<div>" + "<br>".join(lines) + "</div>" + problem


def show_deck(deck_id: str, folder: Path | str | None = None) -> DeckView | widgets.HTML:
    """The cards of a lesson or exercise deck, ready to display; if the case
    bank or the answer file stops that, one plain-language message instead."""

    def build() -> DeckView:
        bank = CaseBank.load()
        return DeckView(bank, bank.deck(deck_id), folder)

    result: DeckView | widgets.HTML = shown_safely(build)
    return result
