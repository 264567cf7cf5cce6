"""Rating cards: the ipywidgets a learner clicks to rate a case.

A card shows the prompt, any context and the response as inert text, and
saves every change at once through an :class:`~safetyrater.answers.AnswerStore`.
In practice decks (lessons) "Check" scores the answer with the grading core
and reveals the reference; in graded decks (exercises) the card holds only
what a learner may see: no reference rating, rationale or categories.
Cards never grade by themselves.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from ..answers import AnswerStore
from .base import RATING_HELP, RATING_LABELS, CardBase, label, render_text, text_block, verdict_html  # noqa: F401 (RATING_HELP re-exported)
from .style import CATEGORY_CLASS, style_widget
from ..bank.casebank import CaseBank
from .errors import problem_html, shown_safely
from ..bank.schema import Case, Category, Deck


@dataclass(frozen=True)
class PublicCase:
    """What a learner may see of a graded case."""

    id: str
    prompt: str
    context: str | None
    response: str

    @classmethod
    def of(cls, case: Case) -> PublicCase:
        return cls(case.id, case.prompt, case.context, case.response)


class RatingCard(CardBase):
    """One case: rating, over-refusal tick, risk areas, note, and (in lessons) Check."""

    answer_key = "rating"
    #: what a graded deck shows of a case (no reference)
    case_type = Case
    public = staticmethod(PublicCase.of)

    def __init__(
        self,
        case: Case | PublicCase,
        store: AnswerStore,
        taxonomy: dict[str, Category],
        *,
        position: int = 1,
        total: int = 1,
        practice: bool = True,
        on_change: Any = None,
    ):
        blocks = self._start(case, store, practice, on_change, position, total)
        saved = store.get(case.id)
        blocks.append(text_block("Response", case.response))

        self.rating = self._rating_buttons(saved, "Safety rating")
        self.over_refusal = widgets.Checkbox(
            value=bool(saved.get("over_refusal", False)),
            description="Over-refusal: the response refuses a request that was safe to answer",
            indent=False,
            layout=widgets.Layout(width="auto"),
        )
        chosen = set(saved.get("categories") or [])
        self.category_buttons = {
            cid: widgets.ToggleButton(
                value=cid in chosen,
                description=cat.name,
                tooltip=cat.definition,
                layout=widgets.Layout(width="auto"),
            )
            for cid, cat in taxonomy.items()
        }
        for button in self.category_buttons.values():
            button.add_class(CATEGORY_CLASS)
        categories_box = widgets.GridBox(
            list(self.category_buttons.values()),
            layout=widgets.Layout(grid_template_columns="repeat(3, minmax(0, 1fr))", grid_gap="2px 6px"),
        )
        controls: list[widgets.Widget] = [
            self.rating,
            self.over_refusal,
            label("Risk areas this case touches (choose any)"),
            categories_box,
            *self._note_controls(saved, "Your note: what is the problem, why is it a problem, what should change?"),
        ]
        self._finish(blocks + controls)
        self._observe(self.rating, self._save_rating)
        self._observe(self.over_refusal, self._save_flag)
        for button in self.category_buttons.values():
            self._observe(button, self._save_categories)
        self._observe(self.note, self._save_note)
        self._show_note_check()

    # Saving: each control writes its own field, at once (CardBase._save).
    def _save_rating(self, change: dict[str, Any]) -> None:
        self._save(rating=change["new"])

    def _save_flag(self, change: dict[str, Any]) -> None:
        self._save(over_refusal=bool(change["new"]))

    def _save_categories(self, change: dict[str, Any]) -> None:
        self._save(categories=[cid for cid, b in self.category_buttons.items() if b.value])

    def check(self) -> dict[str, Any] | None:
        """Score the saved answer with the grading core and show the reference."""
        result = self._score()
        if result is None:
            return None
        self.feedback.value = feedback_html(result, self.case, self._taxonomy_names()) + self._note_check_beside_rationale(result)
        return result

    def _taxonomy_names(self) -> dict[str, str]:
        return {cid: b.description for cid, b in self.category_buttons.items()}


def feedback_html(result: dict[str, Any], case: Case, names: dict[str, str]) -> str:
    """The Check panel: verdict, reference, named mistakes and the rationale."""
    if not result["answered"]:
        return "<div style='padding:6px'>Choose a rating first, then press Check.</div>"
    ref_flag = "yes" if result["reference_over_refusal"] else "no"
    areas = ", ".join(names.get(c, c) for c in result["reference_categories"])
    reference = (
        f"Reference rating: <b>{html.escape(RATING_LABELS[result['reference_rating']])}</b>"
        f" · over-refusal: <b>{ref_flag}</b> · risk areas: {html.escape(areas)}"
    )
    return verdict_html(result, reference, render_text(case.rationale))


class DeckView(widgets.VBox):
    """All cards of a deck, with a header that counts answered cases."""

    def __init__(self, bank: CaseBank, deck: Deck, folder: Path | str | None = None):
        self.deck = deck
        self.store = AnswerStore(deck.id, folder)
        self.header = widgets.HTML()
        practice = deck.mode == "practice"
        # a graded deck holds only the public part of its cases (a learner kit has no more)
        cases = bank.deck_cases(deck.id) if practice else bank.public_deck_cases(deck.id)
        self.cards = []
        for i, case in enumerate(cases, 1):
            card_type = card_class(case.kind)
            self.cards.append(
                card_type(
                    case if practice else card_type.public(case),
                    self.store,
                    bank.taxonomy,
                    position=i,
                    total=len(cases),
                    practice=practice,
                    on_change=self._refresh,
                )
            )
        # a case with a content warning stays hidden until the learner reveals it
        from .content_warning import ContentWarningGate

        self.items = [
            ContentWarningGate(case.content_warning, card, position=i, total=len(cases)) if case.content_warning else card
            for i, (case, card) in enumerate(zip(cases, self.cards), 1)
        ]
        super().__init__([style_widget(), self.header, *self.items])
        self._refresh()

    def _refresh(self) -> None:
        answered = sum(1 for card in self.cards if self.store.get(card.case.id).get(card.answer_key))
        progress = f"<b>{html.escape(self.deck.title)}</b>: {answered} of {len(self.cards)} cases answered."
        self.header.value = deck_header_html(progress, self.store)


def deck_header_html(progress: str, store: AnswerStore) -> str:
    """A deck's header: its progress line, where answers save, and any recovered answer file."""
    lines = [progress, f"Answers save automatically to <code>{html.escape(store.path.name)}</code> beside this notebook."]
    problem = ""
    if store.recovered_from is not None and getattr(store, "restored_from_backup", False):
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


def card_class(kind: str) -> type[widgets.VBox]:
    """The card widget for a kind of case (rating, pairwise, span, multidim)."""
    if kind == "multidim":
        from ..kinds.multidim_card import MultidimCard

        return MultidimCard
    if kind == "pairwise":
        from ..kinds.pairwise import PairwiseCard

        return PairwiseCard
    if kind == "span":
        from ..kinds.span import SpanCard

        return SpanCard
    return RatingCard


def show_deck(deck_id: str, folder: Path | str | None = None) -> DeckView | widgets.HTML:
    """The cards of a lesson or exercise deck, ready to display; if the case
    bank or the answer file stops that, one plain-language message instead."""

    def build() -> DeckView:
        bank = CaseBank.load()
        return DeckView(bank, bank.deck(deck_id), folder)

    return shown_safely(build)
