"""The multi-dimension card: one response rated on every dimension at once.

The card shows the prompt, any context and the response (and a second
response when the case has one, for the overall preference), then one row of
buttons per dimension of ``graders/dimensions.toml`` with each level's
anchored description. Every click saves at once to the deck's answer file,
as ``{"dimensions": {dimension id: level id}, "note": ...}``. In lessons,
Check scores the answer with the grading core and shows each dimension's
reference; in exercises the card holds no reference. Cards never grade.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from .answers import AnswerStore
from .cards import render_text
from .dimensions import Dimension, Dimensions, course_dimensions
from .multidim_grading import ANSWER_FIELD, dimension_columns
from .schema import MultidimCase


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


def _block(label: str, text: str) -> widgets.HTML:
    return widgets.HTML(
        f'<div class="sr-block"><div style="font-weight:600;margin-top:6px">{html.escape(label)}</div>'
        f'<div style="white-space:pre-wrap;border-left:3px solid #999;padding:4px 10px;margin:2px 0">'
        f"{render_text(text)}</div></div>"
    )


def _legend(dimension: Dimension) -> widgets.HTML:
    items = "".join(
        f"<li><b>{html.escape(level.label)}</b>: {html.escape(level.description)}</li>" for level in dimension.levels
    )
    return widgets.HTML(f"<ul style='margin:0 0 6px 0;font-size:smaller;color:#444'>{items}</ul>")


class MultidimCard(widgets.VBox):
    """One case rated on every dimension, a note, and (in lessons) Check."""

    #: the answer field that counts a case as answered in the deck's header
    answer_key = ANSWER_FIELD
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
        self.case = case
        self.store = store
        self.practice = practice
        self._on_change = on_change
        self.dimensions = dimensions or course_dimensions()
        saved = store.get(case.id)
        chosen = saved.get(ANSWER_FIELD) if isinstance(saved.get(ANSWER_FIELD), dict) else {}
        two = case.response_b is not None

        blocks: list[widgets.Widget] = [
            widgets.HTML(f"<h4 style='margin:4px 0'>Case {position} of {total} <small>({html.escape(case.id)})</small></h4>"),
            _block("Prompt", case.prompt),
        ]
        if case.context:
            blocks.append(_block("Context", case.context))
        blocks.append(_block("Response A (rate this one)" if two else "Response", case.response))
        if two:
            blocks.append(_block("Response B (for the overall preference)", case.response_b or ""))

        self.buttons: dict[str, widgets.ToggleButtons] = {}
        controls: list[widgets.Widget] = []
        for dimension in self.dimensions.for_case(two):
            value = chosen.get(dimension.id)
            buttons = widgets.ToggleButtons(
                options=[(level.label, level.id) for level in dimension.levels],
                value=value if value in dimension.level_ids else None,
                tooltips=[level.description for level in dimension.levels],
                style={"button_width": "auto"},
            )
            buttons.observe(self._save_dimensions, names="value")
            self.buttons[dimension.id] = buttons
            question = f"<div style='font-weight:600;margin-top:6px'>{html.escape(dimension.name)}</div>" \
                       f"<div style='font-size:smaller'>{html.escape(dimension.question)}</div>"
            controls += [widgets.HTML(question), buttons, _legend(dimension)]

        note = saved.get("note", "")
        self.note = widgets.Textarea(
            value=note if isinstance(note, str) else "",
            placeholder="Your note: for each dimension that is not at its best level, what is the problem and what should change?",
            layout=widgets.Layout(width="100%", height="70px"),
        )
        self.note.observe(self._save_note, names="value")
        self.status = widgets.HTML()
        self.feedback = widgets.HTML()
        footer: list[widgets.Widget] = []
        if practice:
            self.check_button = widgets.Button(description="Check", button_style="primary", tooltip="Compare with the reference")
            self.check_button.on_click(lambda _: self.check())
            footer.append(self.check_button)
        footer.append(self.status)
        super().__init__(
            blocks + controls + [widgets.HTML("<div style='font-weight:600'>Note</div>"), self.note, widgets.HBox(footer), self.feedback],
            layout=widgets.Layout(border="1px solid #ccc", padding="8px", margin="0 0 16px 0"),
        )

    def choices(self) -> dict[str, str]:
        """The levels chosen so far, by dimension id."""
        return {dimension_id: b.value for dimension_id, b in self.buttons.items() if b.value is not None}

    def _save(self, **fields: Any) -> None:
        if self.store.update(self.case.id, **fields):
            self.status.value = "<span style='color:#2a7d2a'>✓ saved</span>"
        else:
            self.status.value = f"<span style='color:#b00'>⚠ {html.escape(self.store.save_error or '')}</span>"
        if self._on_change is not None:
            self._on_change()

    def _save_dimensions(self, change: dict[str, Any]) -> None:
        self._save(**{ANSWER_FIELD: self.choices()})

    def _save_note(self, change: dict[str, Any]) -> None:
        self._save(note=change["new"])

    def check(self) -> dict[str, Any] | None:
        """Score the saved answer with the grading core and show each dimension's reference."""
        if not self.practice or not isinstance(self.case, MultidimCase):
            return None
        from .grading import score_case
        from .policy import load_policy

        result = score_case(self.store.get(self.case.id), self.case, load_policy())
        self.feedback.value = feedback_html(result, self.case, self.dimensions)
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
