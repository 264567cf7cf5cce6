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
import pandas as pd
from pydantic import Field

from ..bank.schema import REDACTION_MARKER, CaseBase, Category
from ..numbers import one_decimal
from ..widgets.base import CardBase, text_block, verdict_html
from ..widgets.html import escape, render_text
from .base import NOT_ANSWERED, Habits, Kind, PublicCase, chosen, text_answer

if TYPE_CHECKING:
    import numpy as np

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

    def score(self, answers: Mapping[str, Any], cases: Sequence[Any], policy: Policy) -> pd.DataFrame:
        """The policy's points for the reference's choice, else 0."""
        rows = []
        for case in cases:
            raw = answers.get(case.id)
            raw = raw if isinstance(raw, Mapping) else {}
            answered = any(k in raw for k in ("choice", "reason"))
            problems: list[str] = []
            mistakes: list[str] = []
            if answered:
                choice = chosen(raw.get("choice"), CHOICES, "choice", "no response chosen", problems)
            else:
                problems.append("not answered")
                mistakes.append(NOT_ANSWERED)
                choice = None
            reference = case.reference_choice
            if choice is not None and choice != reference:
                if reference == "equal":
                    mistakes.append("missed-equal")
                elif choice == "equal":
                    mistakes.append("called-equal")
                else:
                    mistakes.append("picked-safer")
            choice_points = policy.pairwise.points if choice is not None and choice == reference else 0.0
            rows.append(
                {
                    "case_id": case.id,
                    "kind": self.name,
                    "answered": answered,
                    "choice": choice,
                    "reference_choice": reference,
                    "choice_points": float(choice_points),
                    "points": round(float(choice_points), 4),
                    "max_points": float(self.max_points(case, policy)),
                    "mistakes": tuple(mistakes),
                    "messages": tuple(problems),
                    "note": text_answer(raw, "reason"),
                }
            )
        return pd.DataFrame(rows)

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
