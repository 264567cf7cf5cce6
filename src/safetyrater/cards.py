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

from .answers import AnswerStore
from .cardstyle import CARD_CLASS, CATEGORY_CLASS, NOTE_CLASS, RATING_CLASS, style_widget
from .casebank import CaseBank
from .guard import guarded, problem_html, shown_safely
from .schema import REDACTION_MARKER, RATINGS, Case, Category, Deck

RATING_LABELS = {"safe": "Safe", "risky": "Risky", "harmful": "Harmful"}
RATING_HELP = {
    "safe": "Does not enable or encourage harm",
    "risky": "Could contribute to harm: missing caveats, overconfident, borderline detail",
    "harmful": "Enables or encourages harm",
}


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


def render_text(text: str) -> str:
    """Case text as inert HTML: escaped, line breaks kept, redactions visible."""
    escaped = html.escape(text, quote=True)
    return REDACTION_MARKER.sub(
        lambda m: f'<span class="sr-redacted" style="background:#333;color:#fff;padding:0 4px;border-radius:3px">{m.group(0)}</span>',
        escaped,
    )


def _text_block(label: str, text: str) -> widgets.HTML:
    return widgets.HTML(
        f'<div class="sr-block"><div style="font-weight:600;margin-top:6px">{html.escape(label)}</div>'
        f'<div style="white-space:pre-wrap;border-left:3px solid #999;padding:4px 10px;margin:2px 0">'
        f"{render_text(text)}</div></div>"
    )


class RatingCard(widgets.VBox):
    """One case: rating, over-refusal tick, risk areas, note, and (in lessons) Check."""

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
        self.case = case
        self.store = store
        self.practice = practice
        self._on_change = on_change
        self._restoring = True
        saved = store.get(case.id)

        header = widgets.HTML(f"<h4 style='margin:4px 0'>Case {position} of {total} <small>({html.escape(case.id)})</small></h4>")
        blocks: list[widgets.Widget] = [header, _text_block("Prompt", case.prompt)]
        if case.context:
            blocks.append(_text_block("Context", case.context))
        blocks.append(_text_block("Response", case.response))

        self.rating = widgets.ToggleButtons(
            options=[(RATING_LABELS[r], r) for r in RATINGS],
            value=saved.get("rating") if saved.get("rating") in RATINGS else None,
            description="Safety rating",
            tooltips=[RATING_HELP[r] for r in RATINGS],
            style={"description_width": "initial"},
        )
        self.rating.add_class(RATING_CLASS)
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
        self.note = widgets.Textarea(
            value=saved.get("note", "") if isinstance(saved.get("note"), str) else "",
            description="Note",
            placeholder="What is the problem, why is it a problem, what should change?",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="100%", height="90px"),
        )
        self.note.add_class(NOTE_CLASS)
        self.status = widgets.HTML()
        self.feedback = widgets.HTML()
        controls: list[widgets.Widget] = [
            self.rating,
            self.over_refusal,
            widgets.HTML("<div style='font-weight:600'>Risk areas this case touches (choose any)</div>"),
            categories_box,
            self.note,
        ]
        footer: list[widgets.Widget] = []
        if practice:
            self.check_button = widgets.Button(description="Check", button_style="primary", tooltip="Compare with the reference")
            self.check_button.on_click(guarded(self.show_problem)(lambda _: self.check()))
            footer.append(self.check_button)
        footer.append(self.status)
        super().__init__(
            blocks + controls + [widgets.HBox(footer), self.feedback],
            layout=widgets.Layout(border="1px solid #ccc", padding="8px", margin="0 0 16px 0"),
        )
        self.add_class(CARD_CLASS)
        # A failing callback shows a message in the card, never a traceback.
        in_page = guarded(self.show_problem)
        self.rating.observe(in_page(self._save_rating), names="value")
        self.over_refusal.observe(in_page(self._save_flag), names="value")
        for button in self.category_buttons.values():
            button.observe(in_page(self._save_categories), names="value")
        self.note.observe(in_page(self._save_note), names="value")
        self._restoring = False

    def show_problem(self, message: str) -> None:
        """Show a plain-language problem in the card's status line."""
        self.status.value = problem_html(message)

    # Saving: each control writes its own field, at once.
    def _save(self, **fields: Any) -> None:
        saved = self.store.update(self.case.id, **fields)
        if saved:
            self.status.value = "<span role='status' style='color:#1e6b1e'>✓ saved</span>"
        else:
            self.status.value = problem_html(self.store.save_error or "")
        if self._on_change is not None:
            self._on_change()

    def _save_rating(self, change: dict[str, Any]) -> None:
        self._save(rating=change["new"])

    def _save_flag(self, change: dict[str, Any]) -> None:
        self._save(over_refusal=bool(change["new"]))

    def _save_categories(self, change: dict[str, Any]) -> None:
        self._save(categories=[cid for cid, b in self.category_buttons.items() if b.value])

    def _save_note(self, change: dict[str, Any]) -> None:
        self._save(note=change["new"])

    def check(self) -> dict[str, Any] | None:
        """Score the saved answer with the grading core and show the reference."""
        if not self.practice or not isinstance(self.case, Case):
            return None
        from .explain import mistake_names
        from .grading import score_case
        from .policy import load_policy

        result = score_case(self.store.get(self.case.id), self.case, load_policy())
        self.feedback.value = feedback_html(result, self.case, self._taxonomy_names())
        return result

    def _taxonomy_names(self) -> dict[str, str]:
        return {cid: b.description for cid, b in self.category_buttons.items()}


def feedback_html(result: dict[str, Any], case: Case, names: dict[str, str]) -> str:
    """The Check panel: verdict, reference, named mistakes and the rationale."""
    from .explain import mistake_names

    if not result["answered"]:
        verdict = "Choose a rating first, then press Check."
        return f"<div style='padding:6px'>{verdict}</div>"
    full = result["points"] == result["max_points"]
    colour = "#2a7d2a" if full else "#b36b00"
    mistakes = mistake_names(result)
    verdict = "✓ Agrees with the reference." if full else "✗ " + "; ".join(mistakes).capitalize() + "."
    ref_flag = "yes" if result["reference_over_refusal"] else "no"
    areas = ", ".join(names.get(c, c) for c in result["reference_categories"])
    messages = "".join(f"<li>{html.escape(m)}</li>" for m in result["messages"])
    return (
        f"<div class='sr-feedback' style='border-top:2px solid {colour};padding:6px'>"
        f"<div style='color:{colour};font-weight:600'>{html.escape(verdict)} "
        f"({result['points']:g} / {result['max_points']:g} points)</div>"
        f"<div>Reference rating: <b>{html.escape(RATING_LABELS[result['reference_rating']])}</b>"
        f" · over-refusal: <b>{ref_flag}</b> · risk areas: {html.escape(areas)}</div>"
        + (f"<ul>{messages}</ul>" if messages else "")
        + f"<div style='margin-top:4px'><b>Why:</b> {render_text(case.rationale)}</div></div>"
    )


class DeckView(widgets.VBox):
    """All cards of a deck, with a header that counts answered cases."""

    def __init__(self, bank: CaseBank, deck: Deck, folder: Path | str | None = None):
        self.deck = deck
        self.store = AnswerStore(deck.id, folder)
        self.header = widgets.HTML()
        practice = deck.mode == "practice"
        cases = bank.deck_cases(deck.id)
        self.cards = [
            RatingCard(
                case if practice else PublicCase.of(case),
                self.store,
                bank.taxonomy,
                position=i,
                total=len(cases),
                practice=practice,
                on_change=self._refresh,
            )
            for i, case in enumerate(cases, 1)
        ]
        super().__init__([style_widget(), self.header, *self.cards])
        self._refresh()

    def _refresh(self) -> None:
        answered = sum(1 for card in self.cards if self.store.get(card.case.id).get("rating"))
        lines = [
            f"<b>{html.escape(self.deck.title)}</b>: {answered} of {len(self.cards)} cases rated.",
            f"Your answers save automatically as you go (in <code>{html.escape(self.store.path.name)}</code>).",
        ]
        problem = ""
        if self.store.recovered_from is not None:
            problem = problem_html(
                f"Your earlier answer file could not be read (it was damaged), so it was kept as "
                f"{self.store.recovered_from.name} and a new one started. Your instructor can recover "
                "answers from the kept file."
            )
        self.header.value = "<div>" + "<br>".join(lines) + "</div>" + problem


def show_deck(deck_id: str, folder: Path | str | None = None) -> DeckView | widgets.HTML:
    """The cards of a lesson or exercise deck, ready to display; if the case
    bank or the answer file stops that, one plain-language message instead."""

    def build() -> DeckView:
        bank = CaseBank.load()
        return DeckView(bank, bank.deck(deck_id), folder)

    return shown_safely(build)
