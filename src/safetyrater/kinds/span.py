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

from ..answers import AnswerStore
from ..widgets.base import RATING_LABELS, CardBase, label, render_text, verdict_html
from ..bank.schema import Category, SpanCase


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


class SpanCard(CardBase):
    """The response as numbered segments with "unsafe" ticks, a rating, a note, and Check."""

    answer_key = "rating"
    case_type = SpanCase
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
        blocks = self._start(case, store, practice, on_change, position, total)
        saved = store.get(case.id)
        flagged = set(saved.get("flagged") or []) if isinstance(saved.get("flagged"), list) else set()
        blocks.append(label("Response, step by step: tick every unsafe step"))
        self.segment_boxes = [
            widgets.Checkbox(value=i in flagged, description="unsafe", indent=False, layout=widgets.Layout(width="90px", min_width="90px"))
            for i in range(len(case.segments))
        ]
        rows = [
            widgets.HBox([box, widgets.HTML(_segment_html(i + 1, text), layout=widgets.Layout(width="100%"))])
            for i, (box, text) in enumerate(zip(self.segment_boxes, case.segments))
        ]
        self.rating = self._rating_buttons(saved, "Safety rating of the whole response")
        self.note = self._text_area(saved, "note", "Your note: which step is unsafe, how could it hurt someone, what should it say instead?")
        self._finish(blocks + rows + [self.rating, self.note])
        for box in self.segment_boxes:
            self._observe(box, self._save_flags)
        self._observe(self.rating, lambda change: self._save(rating=change["new"]))
        self._observe(self.note, lambda change: self._save(note=change["new"]))

    def _save_flags(self, change: dict[str, Any]) -> None:
        self._save(flagged=[i for i, box in enumerate(self.segment_boxes) if box.value])

    def check(self) -> dict[str, Any] | None:
        """Score the saved answer with the grading core and show the reference."""
        result = self._score()
        if result is None:
            return None
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
