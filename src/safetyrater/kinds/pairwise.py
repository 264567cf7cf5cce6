"""Pairwise cases: which of two responses has more harm potential, or are they equal?

The learner picks response A, response B or "equal" and writes a reason; both
save at once to the deck's answer file (fields ``choice`` and ``reason``). The
policy's ``[pairwise].points`` go to the reference's choice, else 0. In
lessons, Check scores the choice and shows the reference and its rationale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import ipywidgets as widgets
import numpy as np
import pandas as pd
from pydantic import Field

from ..bank.schema import REDACTION_MARKER, CaseBase, Category
from ..numbers import one_decimal
from ..widgets.base import CardBase, text_block, verdict_html
from ..widgets.html import escape, render_text
from .base import NOT_ANSWERED, Habits, Kind, PublicCase
from .table import AnswerTable, choice_column, codes_column, labels, messages_column, object_column, rounded, scored_frame

if TYPE_CHECKING:
    from ..bank.policy import Policy


class PairwiseCase(CaseBase):
    """Two responses to one prompt: which has more harm potential, or are they equal?"""

    kind: Literal["pairwise"]
    response_a: str = Field(min_length=1, max_length=50_000)
    response_b: str = Field(min_length=1, max_length=50_000)
    reference_choice: Literal["a", "b", "equal"]

    @property
    def is_redacted(self) -> bool:
        return bool(REDACTION_MARKER.search(self.response_a + self.response_b))


class PairwiseView(PublicCase):
    """What a learner may see of a pairwise case."""

    kind: Literal["pairwise"]
    response_a: str = Field(min_length=1, max_length=50_000)
    response_b: str = Field(min_length=1, max_length=50_000)


CHOICES = ("a", "b", "equal")
#: the choice buttons: label and saved value
CHOICE_BUTTONS = (("Response A", "a"), ("Response B", "b"), ("Equal", "equal"))
CHOICE_LABELS = {value: name for name, value in CHOICE_BUTTONS}
#: the choices in an explanation's words
CHOICE_WORDS = {"a": "response A", "b": "response B", "equal": "equal"}

MISTAKES = {
    "picked-safer": "picked the safer response as more harmful",
    "called-equal": "called the responses equal when one has more harm potential",
    "missed-equal": "called one response more harmful when both carry the same harm potential",
}


class PairwiseKind(Kind):
    """Pairwise cases (see the module docstring)."""

    name = "pairwise"
    model = PairwiseCase
    view = PairwiseView
    answer_fields = ("choice", "reason")
    answered_by = "choice"
    point_columns = ("choice_points",)
    columns = ("choice", "reference_choice", "choice_points")
    mistakes = MISTAKES
    summary_label = "pairwise"

    def card(self) -> type[PairwiseCard]:
        return PairwiseCard

    def score_table(self, table: AnswerTable, policy: Policy) -> pd.DataFrame:
        """The policy's points for the reference's choice, else 0."""
        rows = len(table)
        answered = table.has_any(self.answer_fields)
        choice, messages = choice_column(table.field("choice"), CHOICES, "choice", "no response chosen", answered)
        reference = table.key([CHOICES.index(case.reference_choice) for case in table.cases], np.int64)
        wrong = (choice >= 0) & (choice != reference)
        equal = CHOICES.index("equal")
        choice_points = (choice == reference).astype(float) * float(policy.pairwise.points)
        reasons = table.field("reason")
        return scored_frame(
            {
                "case_id": table.key([case.id for case in table.cases]),
                "kind": object_column([self.name] * rows),
                "answered": answered,
                "choice": labels(choice, CHOICES),
                "reference_choice": labels(reference, CHOICES),
                "choice_points": choice_points,
                "points": rounded(choice_points),
                "max_points": table.key([float(self.max_points(case, policy)) for case in table.cases], float),
                "mistakes": codes_column(
                    [
                        (NOT_ANSWERED, ~answered),
                        ("missed-equal", wrong & (reference == equal)),
                        ("called-equal", wrong & (reference != equal) & (choice == equal)),
                        ("picked-safer", wrong & (reference != equal) & (choice != equal)),
                    ],
                    rows,
                ),
                "messages": messages_column([*messages, (~answered, "not answered")], rows),
                "note": object_column([reason if isinstance(reason, str) else "" for reason in reasons]),
            }
        )

    def max_points(self, case: Any, policy: Policy) -> float:
        return policy.pairwise.points

    def answer_lines(self, result: Mapping[str, Any], case: Any, reveal: bool) -> list[str]:
        chosen = CHOICE_WORDS.get(result["choice"], "none")
        line = f"  more harm potential: you chose {chosen}, {one_decimal(result['choice_points'])} point(s)"
        if reveal:
            line += f"; reference {CHOICE_WORDS[result['reference_choice']]}"
        return [line]

    def points_text(self, cases: Sequence[Any], policy: Policy) -> str:
        return (
            f"- Each comparison ({len(cases)}) is worth {policy.pairwise.points:g} for choosing the "
            "response with more harm potential (or *Equal*). Your reason counts as its written note."
        )

    def coverage_column(self, case: Any) -> str:
        return "pairwise"

    def demo_answer(self, case: Any, habits: Habits, rng: np.random.Generator, scale: Sequence[str], areas: list[str]) -> dict[str, Any]:
        reference = case.reference_choice
        if habits.random:
            choice = str(rng.choice(list(CHOICES)))
        elif reference == "equal" and rng.random() < habits.over_flag:
            choice = str(rng.choice(["a", "b"]))  # sees danger in both, picks one
        elif reference != "equal" and rng.random() < habits.under_flag:
            choice = "equal"  # sees no difference in harm
        elif rng.random() < habits.skill:
            choice = reference
        else:
            choice = str(rng.choice([c for c in CHOICES if c != reference]))
        return {"choice": choice, "reason": habits.note}


PAIRWISE = PairwiseKind()


class PairwiseCard(CardBase):
    """Two responses side by side, the choice, a reason, and (in lessons) Check."""

    kind = PAIRWISE

    def controls(self, saved: dict[str, Any], taxonomy: dict[str, Category]) -> list[widgets.Widget]:
        half = widgets.Layout(width="50%")
        responses = widgets.HBox(
            [
                widgets.Box([text_block("Response A", self.case.response_a, markdown=True)], layout=half),
                widgets.Box([text_block("Response B", self.case.response_b, markdown=True)], layout=half),
            ]
        )
        self.choice = widgets.ToggleButtons(
            options=list(CHOICE_BUTTONS),
            value=saved.get("choice") if saved.get("choice") in CHOICE_LABELS else None,
            description="More harm potential",
            tooltips=["Response A could do more harm", "Response B could do more harm", "Both carry the same harm potential"],
            style={"description_width": "initial"},
        )
        self.reason = self._text_area(
            saved, "reason", "Your reason: what makes one response more dangerous (or why they are equal)?", description="Reason"
        )
        return [responses, self.choice, self.reason]

    def connect(self) -> None:
        self._observe(self.choice, lambda change: self._save(choice=change["new"]))
        self._observe(self.reason, lambda change: self._save(reason=change["new"]))

    def check_panel_html(self, result: dict[str, Any]) -> str:
        """Verdict, the reference's choice, named mistakes and the rationale."""
        if not result["answered"]:
            return "<div style='padding:6px'>Choose a response (or Equal) first, then press Check.</div>"
        reference = f"Reference: more harm potential in <b>{escape(CHOICE_LABELS[self.case.reference_choice])}</b>"
        if self.case.reference_choice == "equal":
            reference = "Reference: <b>Equal</b> harm potential"
        return verdict_html(result, self.kind.mistake_names(result["mistakes"]), reference, render_text(self.case.rationale))
