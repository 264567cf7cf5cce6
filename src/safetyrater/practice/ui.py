"""The weak-spots page: what the learner's answers show, and a practice deck for it.

``course/weak-spots.ipynb`` calls :func:`show_weak_spots`. The deck drawn is
kept in a hidden side-file (``.weak-spots.deck.json``) until every case in it
has an answer, so reopening the page shows the same cases with their saved
answers; *Draw a new deck* draws again from what the learner has answered since.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as widgets

from ..answers import AnswerStore, side_file
from ..bank.casebank import CaseBank
from ..bank.policy import load_policy
from ..bank.schema import Deck
from ..errors import DataError
from ..io import read_json, write_atomic
from ..kinds import answer_fields
from ..widgets.deck import DeckView
from ..widgets.errors import guarded, problem_html, shown_safely
from ..widgets.html import escape
from .weak_spots import DECK_ID, MIN_MISTAKES, PATTERNS, Mistakes, deck_answers_file, draw_deck, learner_mistakes

TITLE = "Practice on your weak spots"
NEW_DECK_CLASS = "sr-new-deck"


def saved_deck_file(folder: Path) -> Path:
    return side_file(deck_answers_file(folder), ".deck")


def summary_html(mistakes: Mistakes, bank: CaseBank) -> str:
    """What the learner's answers show, in words: the patterns found and the weak areas."""
    if mistakes.total < MIN_MISTAKES and not mistakes.areas:
        return (
            f"<p>From {mistakes.scored} rated case(s) there is no mistake pattern yet. "
            "This deck mixes every kind of case; come back after a lesson deck, an exercise or a mock assessment.</p>"
        )
    found = [p for p in PATTERNS if mistakes.patterns[p.name]]
    items = "".join(
        f"<li><b>{escape(p.name.capitalize())}</b> ({mistakes.patterns[p.name]} of {mistakes.scored} cases): {escape(p.words)}</li>"
        for p in sorted(found, key=lambda p: -mistakes.patterns[p.name])
    )
    areas = [bank.taxonomy[a].name if a in bank.taxonomy else a for a in mistakes.weak_areas()]
    if areas:
        items += f"<li><b>Weak areas</b>: {escape(', '.join(areas))}. The deck includes cases from them.</li>"
    return f"<p>From your {mistakes.scored} rated cases (lessons, exercises and mock assessments):</p><ul class='sr-patterns'>{items}</ul>"


def current_deck(bank: CaseBank, mistakes: Mistakes, folder: Path, *, fresh: bool = False) -> list[str]:
    """The deck in progress (some case unanswered), else a newly drawn one, saved beside the page."""
    saved = saved_deck_file(folder)
    if not fresh and saved.exists():
        try:
            cases = [c for c in read_json(saved, "weak-spots deck").get("cases", []) if c in bank.cases]
        except (DataError, AttributeError):
            cases = []  # a damaged deck file: draw again
        store = AnswerStore(DECK_ID, folder, fields=answer_fields())
        if cases and any(not store.get(c).get("rating") for c in cases):
            return cases
    cases = draw_deck(bank, mistakes, salt=str(mistakes.scored))
    write_atomic(saved, {"cases": cases})
    return cases


class WeakSpotsPage(widgets.VBox):
    def __init__(self, folder: Path | str | None = None, root: Path | str | None = None):
        self.folder = Path(folder) if folder is not None else Path.cwd()
        self.root = root
        self.bank = CaseBank.load()
        self.summary = widgets.HTML()
        self.message = widgets.HTML()
        self.new_deck = widgets.Button(description="Draw a new deck", tooltip="Draw new cases from your answers so far")
        self.new_deck.add_class(NEW_DECK_CLASS)
        self.new_deck.on_click(guarded(lambda text: setattr(self.message, "value", problem_html(text)))(lambda _: self.show(fresh=True)))
        self.slot = widgets.VBox()
        super().__init__([self.summary, self.new_deck, self.message, self.slot])
        self.show()

    def show(self, *, fresh: bool = False) -> None:
        mistakes = learner_mistakes(self.bank, load_policy(), self.root)
        cases = current_deck(self.bank, mistakes, self.folder, fresh=fresh)
        self.summary.value = f"<div class='sr-weak-spots'>{summary_html(mistakes, self.bank)}</div>"
        if not cases:
            self.slot.children = [widgets.HTML("<p>You have seen every practice case in the bank. Well done.</p>")]
            return
        self.bank.decks[DECK_ID] = Deck(id=DECK_ID, title=TITLE, mode="practice", cases=cases)
        self.slot.children = [DeckView(self.bank, self.bank.decks[DECK_ID], self.folder)]


def show_weak_spots(folder: Path | str | None = None) -> Any:
    """The weak-spots page, or one plain message when the bank or an answer file stops it."""
    result: Any = shown_safely(lambda: WeakSpotsPage(folder))
    return result
