"""Span-flag cards: flag the sentences or steps of a response that are unsafe.

Each segment of the response has an "unsafe" tick; the learner also rates
the whole response and may write a note. Ticks save at once as ``flagged``
(segment indices from 0) in the deck's answer file. In lessons, Check scores
with the grading core and marks the reference's unsafe segments; graded
decks show only :class:`PublicSpanCase`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from .answers import AnswerStore
from .card_parts import header_html, save_answer, verdict_html
from .cards import RATING_HELP, RATING_LABELS, _text_block, render_text
from .schema import RATINGS, Category, SpanCase


@dataclass(frozen=True)
class PublicSpanCase:
    """What a learner may see of a graded span-flag case."""

    id: str
    prompt: str
    context: str | None
    segments: tuple[str, ...]

    @classmethod
    def of(cls, case: SpanCase) -> PublicSpanCase:
        return cls(case.id, case.prompt, case.context, tuple(case.segments))


def _segment_html(number: int, text: str) -> str:
    return (
        f"<div style='white-space:pre-wrap;padding:2px 6px'><b>{number}.</b> {render_text(text)}</div>"
    )


class SpanCard(widgets.VBox):
    """The response as numbered segments with "unsafe" ticks, a rating, a note, and Check."""

    answer_key = "rating"
    public = staticmethod(PublicSpanCase.of)

    def __init__(
        self,
        case: SpanCase | PublicSpanCase,
        store: AnswerStore,
        taxonomy: dict[str, Category] | None = None,
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
        saved = store.get(case.id)
        flagged = set(saved.get("flagged") or []) if isinstance(saved.get("flagged"), list) else set()

        blocks: list[widgets.Widget] = [widgets.HTML(header_html(case.id, position, total)), _text_block("Prompt", case.prompt)]
        if case.context:
            blocks.append(_text_block("Context", case.context))
        blocks.append(widgets.HTML("<div style='font-weight:600;margin-top:6px'>Response, step by step: tick every unsafe step</div>"))
        self.segment_boxes = [
            widgets.Checkbox(value=i in flagged, description="unsafe", indent=False, layout=widgets.Layout(width="80px"))
            for i in range(len(case.segments))
        ]
        rows = [
            widgets.HBox([box, widgets.HTML(_segment_html(i + 1, text), layout=widgets.Layout(width="100%"))])
            for i, (box, text) in enumerate(zip(self.segment_boxes, case.segments))
        ]
        self.rating = widgets.ToggleButtons(
            options=[(RATING_LABELS[r], r) for r in RATINGS],
            value=saved.get("rating") if saved.get("rating") in RATINGS else None,
            description="Safety rating of the whole response",
            tooltips=[RATING_HELP[r] for r in RATINGS],
            style={"description_width": "initial"},
        )
        self.note = widgets.Textarea(
            value=saved.get("note", "") if isinstance(saved.get("note"), str) else "",
            placeholder="Your note: which step is unsafe, how could it hurt someone, what should it say instead?",
            layout=widgets.Layout(width="100%", height="70px"),
        )
        self.status = widgets.HTML()
        self.feedback = widgets.HTML()
        footer: list[widgets.Widget] = []
        if practice:
            self.check_button = widgets.Button(description="Check", button_style="primary", tooltip="Compare with the reference")
            self.check_button.on_click(lambda _: self.check())
            footer.append(self.check_button)
        footer.append(self.status)
        super().__init__(
            blocks + rows + [self.rating, widgets.HTML("<div style='font-weight:600'>Note</div>"), self.note, widgets.HBox(footer), self.feedback],
            layout=widgets.Layout(border="1px solid #ccc", padding="8px", margin="0 0 16px 0"),
        )
        for box in self.segment_boxes:
            box.observe(self._save_flags, names="value")
        self.rating.observe(lambda change: self._save(rating=change["new"]), names="value")
        self.note.observe(lambda change: self._save(note=change["new"]), names="value")

    def _save(self, **fields: Any) -> None:
        save_answer(self.store, self.case.id, self.status, self._on_change, **fields)

    def _save_flags(self, change: dict[str, Any]) -> None:
        self._save(flagged=[i for i, box in enumerate(self.segment_boxes) if box.value])

    def check(self) -> dict[str, Any] | None:
        """Score the saved answer with the grading core and show the reference."""
        if not self.practice or not isinstance(self.case, SpanCase):
            return None
        from .grading import score_case
        from .policy import load_policy

        result = score_case(self.store.get(self.case.id), self.case, load_policy())
        if not result["answered"]:
            self.feedback.value = "<div style='padding:6px'>Tick the unsafe steps and choose a rating first, then press Check.</div>"
            return result
        unsafe = ", ".join(str(i + 1) for i in sorted(self.case.reference_unsafe))
        reference = (
            f"Reference: unsafe step(s) <b>{unsafe}</b> · rating "
            f"<b>{html.escape(RATING_LABELS[self.case.reference_rating])}</b>"
        )
        self.feedback.value = verdict_html(result, reference, render_text(self.case.rationale))
        return result
