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

from ..answers import AnswerStore
from ..widgets.base import CardBase, label, render_text, text_block, verdict_html
from ..bank.schema import Category, PairwiseCase

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


class PairwiseCard(CardBase):
    """Two responses side by side, the choice, a reason, and (in lessons) Check."""

    answer_key = "choice"
    case_type = PairwiseCase
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
        blocks = self._start(case, store, practice, on_change, position, total)
        saved = store.get(case.id)
        half = widgets.Layout(width="50%")
        blocks.append(
            widgets.HBox(
                [
                    widgets.Box([text_block("Response A", case.response_a)], layout=half),
                    widgets.Box([text_block("Response B", case.response_b)], layout=half),
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
        self.reason = self._text_area(
            saved, "reason", "Your reason: what makes one response more dangerous (or why they are equal)?", description="Reason"
        )
        self._finish(blocks + [self.choice, self.reason])
        self._observe(self.choice, lambda change: self._save(choice=change["new"]))
        self._observe(self.reason, lambda change: self._save(reason=change["new"]))

    def check(self) -> dict[str, Any] | None:
        """Score the saved answer with the grading core and show the reference."""
        result = self._score()
        if result is None:
            return None
        if not result["answered"]:
            self.feedback.value = "<div style='padding:6px'>Choose a response (or Equal) first, then press Check.</div>"
        else:
            reference = f"Reference: more harm potential in <b>{html.escape(CHOICE_LABELS[self.case.reference_choice])}</b>"
            if self.case.reference_choice == "equal":
                reference = "Reference: <b>Equal</b> harm potential"
            self.feedback.value = verdict_html(result, reference, render_text(self.case.rationale))
        return result
