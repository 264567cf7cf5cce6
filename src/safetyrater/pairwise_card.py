"""Pairwise cards: which of two responses has more harm potential, or are they equal?

The learner picks response A, response B or "equal" and writes a reason; both
save at once to the deck's answer file (fields ``choice`` and ``reason``).
In lessons, Check scores the choice with the grading core and shows the
reference and its rationale; graded decks show only :class:`PublicPairwiseCase`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from .answers import AnswerStore
from .card_parts import header_html, save_answer, verdict_html
from .cards import _text_block, render_text
from .schema import Category, PairwiseCase

CHOICES = (("Response A", "a"), ("Response B", "b"), ("Equal", "equal"))
CHOICE_LABELS = {value: label for label, value in CHOICES}


@dataclass(frozen=True)
class PublicPairwiseCase:
    """What a learner may see of a graded pairwise case."""

    id: str
    prompt: str
    context: str | None
    response_a: str
    response_b: str

    @classmethod
    def of(cls, case: PairwiseCase) -> PublicPairwiseCase:
        return cls(case.id, case.prompt, case.context, case.response_a, case.response_b)


class PairwiseCard(widgets.VBox):
    """Two responses side by side, the choice, a reason, and (in lessons) Check."""

    answer_key = "choice"
    public = staticmethod(PublicPairwiseCase.of)

    def __init__(
        self,
        case: PairwiseCase | PublicPairwiseCase,
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

        blocks: list[widgets.Widget] = [widgets.HTML(header_html(case.id, position, total)), _text_block("Prompt", case.prompt)]
        if case.context:
            blocks.append(_text_block("Context", case.context))
        half = widgets.Layout(width="50%")
        blocks.append(
            widgets.HBox(
                [
                    widgets.Box([_text_block("Response A", case.response_a)], layout=half),
                    widgets.Box([_text_block("Response B", case.response_b)], layout=half),
                ]
            )
        )
        self.choice = widgets.ToggleButtons(
            options=list(CHOICES),
            value=saved.get("choice") if saved.get("choice") in CHOICE_LABELS else None,
            description="More harm potential",
            tooltips=["Response A could do more harm", "Response B could do more harm", "Both carry the same harm potential"],
            style={"description_width": "initial"},
        )
        self.reason = widgets.Textarea(
            value=saved.get("reason", "") if isinstance(saved.get("reason"), str) else "",
            placeholder="Your reason: what makes one response more dangerous (or why they are equal)?",
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
            blocks
            + [self.choice, widgets.HTML("<div style='font-weight:600'>Reason</div>"), self.reason, widgets.HBox(footer), self.feedback],
            layout=widgets.Layout(border="1px solid #ccc", padding="8px", margin="0 0 16px 0"),
        )
        self.choice.observe(lambda change: self._save(choice=change["new"]), names="value")
        self.reason.observe(lambda change: self._save(reason=change["new"]), names="value")

    def _save(self, **fields: Any) -> None:
        save_answer(self.store, self.case.id, self.status, self._on_change, **fields)

    def check(self) -> dict[str, Any] | None:
        """Score the saved answer with the grading core and show the reference."""
        if not self.practice or not isinstance(self.case, PairwiseCase):
            return None
        from .grading import score_case
        from .policy import load_policy

        result = score_case(self.store.get(self.case.id), self.case, load_policy())
        if not result["answered"]:
            self.feedback.value = "<div style='padding:6px'>Choose a response (or Equal) first, then press Check.</div>"
        else:
            reference = f"Reference: more harm potential in <b>{html.escape(CHOICE_LABELS[self.case.reference_choice])}</b>"
            if self.case.reference_choice == "equal":
                reference = "Reference: <b>Equal</b> harm potential"
            self.feedback.value = verdict_html(result, reference, render_text(self.case.rationale))
        return result
