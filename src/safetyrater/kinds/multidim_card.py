"""The multi-dimension card: one response rated on every dimension at once.

The card (on the shared :class:`~safetyrater.card_parts.CardBase` frame)
shows the prompt, any context and the response (and a second response when
the case has one, for the overall preference), then one row of buttons per
dimension of ``graders/dimensions.toml`` with each level's anchored
description, and a note with the feedback rubric's instant check. Every click
saves at once to the deck's answer file, as ``{"dimensions": {dimension id:
level id}, "note": ...}``. In lessons, Check scores the answer with the
grading core and shows each dimension's reference; in exercises the card
holds no reference. Cards never grade.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from ..answers import AnswerStore
from ..widgets.base import CardBase, render_text, text_block
from ..bank.dimensions import Dimension, Dimensions, course_dimensions
from .multidim import ANSWER_FIELD, dimension_columns
from ..bank.schema import MultidimCase


@dataclass(frozen=True)
class PublicMultidimCase:
    """What a learner may see of a graded multi-dimension case."""

    id: str
    prompt: str
    context: str | None
    response: str
    response_b: str | None

    @classmethod
    def of(cls, case: MultidimCase) -> PublicMultidimCase:
        return cls(case.id, case.prompt, case.context, case.response, case.response_b)


def _legend(dimension: Dimension) -> widgets.HTML:
    items = "".join(
        f"<li><b>{html.escape(level.label)}</b>: {html.escape(level.description)}</li>" for level in dimension.levels
    )
    return widgets.HTML(f"<ul style='margin:0 0 6px 0;font-size:smaller;color:#444'>{items}</ul>")


class MultidimCard(CardBase):
    """One case rated on every dimension, a note, and (in lessons) Check."""

    answer_key = ANSWER_FIELD
    case_type = MultidimCase
    #: what a graded deck shows of a case (no references)
    public = staticmethod(PublicMultidimCase.of)

    def __init__(
        self,
        case: MultidimCase | PublicMultidimCase,
        store: AnswerStore,
        taxonomy: Any = None,
        *,
        position: int = 1,
        total: int = 1,
        practice: bool = True,
        on_change: Any = None,
        dimensions: Dimensions | None = None,
    ):
        blocks = self._start(case, store, practice, on_change, position, total)
        self.dimensions = dimensions or course_dimensions()
        saved = store.get(case.id)
        chosen = saved.get(ANSWER_FIELD) if isinstance(saved.get(ANSWER_FIELD), dict) else {}
        two = case.response_b is not None
        blocks.append(text_block("Response A (rate this one)" if two else "Response", case.response))
        if two:
            blocks.append(text_block("Response B (for the overall preference)", case.response_b or ""))

        self.buttons: dict[str, widgets.ToggleButtons] = {}
        controls: list[widgets.Widget] = []
        for dimension in self.dimensions.for_case(two):
            value = chosen.get(dimension.id)
            buttons = widgets.ToggleButtons(
                options=[(level.label, level.id) for level in dimension.levels],
                value=value if value in dimension.level_ids else None,
                description=dimension.name,
                tooltips=[level.description for level in dimension.levels],
                style={"description_width": "initial", "button_width": "auto"},
            )
            self.buttons[dimension.id] = buttons
            controls += [widgets.HTML(f"<div style='font-size:smaller;margin-top:6px'>{html.escape(dimension.question)}</div>"), buttons, _legend(dimension)]
        note = self._note_controls(
            saved, "Your note: for each dimension that is not at its best level, what is the problem and what should change?"
        )
        self._finish(blocks + controls + note)
        for buttons in self.buttons.values():
            self._observe(buttons, self._save_dimensions)
        self._observe(self.note, self._save_note)
        self._show_note_check()

    def choices(self) -> dict[str, str]:
        """The levels chosen so far, by dimension id."""
        return {dimension_id: b.value for dimension_id, b in self.buttons.items() if b.value is not None}

    def _save_dimensions(self, change: dict[str, Any]) -> None:
        self._save(**{ANSWER_FIELD: self.choices()})

    def check(self) -> dict[str, Any] | None:
        """Score the saved answer with the grading core and show each dimension's reference."""
        result = self._score()
        if result is None:
            return None
        self.feedback.value = feedback_html(result, self.case, self.dimensions) + self._note_check_beside_rationale(result)
        return result


def feedback_html(result: dict[str, Any], case: MultidimCase, dimensions: Dimensions) -> str:
    """The Check panel: points, each dimension's choice and reference, messages, then why."""
    if not result["answered"]:
        return "<div style='padding:6px'>Rate the dimensions first, then press Check.</div>"
    full = result["points"] == result["max_points"]
    colour = "#2a7d2a" if full else "#b36b00"
    verdict = "✓ Agrees with the reference on every dimension." if full else "✗ Not every dimension agrees with the reference."
    rows = []
    for dimension in dimensions.for_case(case.response_b is not None):
        column, ref_column, points_column, max_column = dimension_columns(dimension.id)
        reference = result.get(ref_column)
        if reference is None:
            continue
        given = result.get(column)
        same = given == reference
        style = "" if same else " style='background:#fff3e0'"
        rows.append(
            f"<tr{style}><td style='text-align:left'>{html.escape(dimension.name)}</td>"
            f"<td style='text-align:left'>{html.escape(dimension.label_of(given))}</td>"
            f"<td style='text-align:left'><b>{html.escape(dimension.label_of(reference))}</b></td>"
            f"<td>{result[points_column]:g} / {result[max_column]:g}</td></tr>"
        )
    messages = "".join(f"<li>{html.escape(m)}</li>" for m in result["messages"])
    return (
        f"<div class='sr-feedback' style='border-top:2px solid {colour};padding:6px'>"
        f"<div style='color:{colour};font-weight:600'>{html.escape(verdict)} ({result['points']:g} / {result['max_points']:g} points)</div>"
        "<table style='border-collapse:collapse;margin:4px 0'><tr><th style='text-align:left'>dimension</th>"
        "<th style='text-align:left'>you</th><th style='text-align:left'>reference</th><th>points</th></tr>"
        + "".join(rows)
        + "</table>"
        + (f"<ul>{messages}</ul>" if messages else "")
        + f"<div style='margin-top:4px'><b>Why:</b> {render_text(case.rationale)}</div></div>"
    )
