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

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, overload

import ipywidgets as widgets

from ..answers import AnswerStore
from ..bank.casebank import CaseBank
from ..bank.schema import CaseBase, Deck
from ..kinds import PublicCase, answer_fields, kind_of
from ..practice.retake import read_draw
from .content_warning import ContentWarningGate
from .errors import problem_html, shown_safely
from .finish import FinishPanel, self_study, set_disabled
from .html import escape
from .style import style_widget
from .task import TaskView


class LazyCards(Sequence[Any]):
    """A deck's cards, each built the first time it is asked for (the task view shows one at a time)."""

    def __init__(self, total: int, build: Callable[[int], Any]):
        self._built: dict[int, Any] = {}
        self._total = total
        self._build = build

    def __len__(self) -> int:
        return self._total

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._total))]
        if index < 0:
            index += self._total
        if not 0 <= index < self._total:
            raise IndexError(index)
        if index not in self._built:
            self._built[index] = self._build(index)
        return self._built[index]

    def built(self) -> list[Any]:
        """The cards built so far."""
        return [self._built[i] for i in sorted(self._built)]


#: the deck's two views: one case at a time (the default) and every card on one page
VIEWS = (("One case at a time", "task"), ("All cases on one page", "all"))


class DeckView(widgets.VBox):
    """A deck's cards, with a header that counts answered cases and a choice of view.

    The deck opens in the task view (:class:`~safetyrater.widgets.task.TaskView`):
    one case at a time, built when shown (a deck laid out in ``"pairs"`` shows
    one pair at a time). "All cases on one page" shows every card. A graded
    deck ends with its :class:`~safetyrater.widgets.finish.FinishPanel`.
    """

    def __init__(self, bank: CaseBank, deck: Deck, folder: Path | str | None = None, *, view: str = "task"):
        self.store = AnswerStore(deck.id, folder, fields=answer_fields())
        self.header = widgets.HTML()
        self.practice = deck.mode == "practice"
        if not self.practice and self_study(bank, deck):
            # a self-study retake shows the cases drawn for it
            deck = read_draw(bank, deck, self.store.path)
        self.bank = bank
        self.deck = deck
        self.cases: Sequence[CaseBase | PublicCase] = self._cases_of(deck)
        self.taxonomy = bank.taxonomy
        #: cases 1-2, 3-4, … side by side (contrast pairs), in both views
        self.pairs = deck.layout == "pairs"
        self.locked = False
        self._new_cards()
        self.view_choice = widgets.ToggleButtons(options=VIEWS, value=view, description="Show", style={"description_width": "initial"})
        self.body = widgets.VBox()
        self.task: TaskView | None = None
        self.view_choice.observe(lambda change: self.show_view(change["new"]), names="value")
        children: list[widgets.Widget] = [style_widget(), self.header, self.view_choice, self.body]
        self.finish: FinishPanel | None = None
        if not self.practice:
            self.finish = FinishPanel(bank, deck, self.store, self.lock, self.redraw)
            children.append(self.finish)
        super().__init__(children)
        self.show_view(view)

    def _new_cards(self) -> None:
        self.cards = LazyCards(len(self.cases), self._card)
        # a case with a content warning stays hidden until the learner reveals it
        self.items = LazyCards(len(self.cases), self._item)

    def _card(self, index: int) -> Any:
        case = self.cases[index]
        card = kind_of(case.kind).card()(
            case,
            self.store,
            self.taxonomy,
            position=index + 1,
            total=len(self.cases),
            practice=self.practice,
            on_change=self._refresh,
        )
        if self.locked:
            set_disabled(card, True)
        return card

    def lock(self, locked: bool) -> None:
        """Make the cards read-only (a finished exercise) or editable again."""
        self.locked = locked
        for card in self.cards.built():
            set_disabled(card, locked)

    def _cases_of(self, deck: Deck) -> list[Any]:
        # a graded deck holds only the learner's view of its cases (a learner kit has no more)
        return [self.bank.cases[c] for c in deck.cases] if self.practice else self.bank.public_cases(deck.cases)

    def redraw(self, deck: Deck | None = None) -> None:
        """Build the cards again from the saved answers (after a retake, for the cases drawn for it)."""
        if deck is not None:
            self.deck = deck
            self.cases = self._cases_of(deck)
        self._new_cards()
        self.show_view(self.view_choice.value)

    def _item(self, index: int) -> Any:
        case, card = self.cases[index], self.cards[index]
        if case.content_warning:
            return ContentWarningGate(case.content_warning, card, position=index + 1, total=len(self.cases))
        return card

    def answered(self, index: int) -> bool:
        case = self.cases[index]
        return bool(self.store.get(case.id).get(kind_of(case.kind).answered_by))

    def show_view(self, view: str) -> None:
        """Show the task view (``"task"``) or every card (``"all"``)."""
        if view == "all":
            self.task = None
            self.body.children = side_by_side(list(self.items)) if self.pairs else list(self.items)
        elif self.pairs:
            count = (len(self.cases) + 1) // 2
            self.task = TaskView(count, self._pair, self._pair_answered, what="pairs answered", unit="pair")
            self.body.children = [self.task]
        else:
            self.task = TaskView(len(self.cases), self.items.__getitem__, self.answered, what="answered")
            self.body.children = [self.task]
        self._refresh()

    def _pair_indexes(self, pair: int) -> range:
        return range(2 * pair, min(2 * pair + 2, len(self.cases)))

    def _pair(self, pair: int) -> widgets.Widget:
        return side_by_side([self.items[i] for i in self._pair_indexes(pair)])[0]

    def _pair_answered(self, pair: int) -> bool:
        return all(self.answered(i) for i in self._pair_indexes(pair))

    def _refresh(self) -> None:
        answered = sum(1 for i in range(len(self.cases)) if self.answered(i))
        progress = f"<b>{escape(self.deck.title)}</b>: {answered} of {len(self.cases)} cases answered."
        self.header.value = deck_header_html(progress, self.store)
        if self.task is not None:
            self.task.refresh()


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
