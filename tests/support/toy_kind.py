"""A kind of case the package does not know: "does the response refuse?", yes or no.

It lives only here, in the tests, to show that a new kind is one module: its
model and learner view, its scoring and words, its card, registered with
:func:`safetyrater.kinds.register`, and nothing else of the package changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import ipywidgets as widgets
import numpy as np
import pandas as pd
from pydantic import Field

from safetyrater.bank.policy import Policy
from safetyrater.bank.schema import CaseBase, Category
from safetyrater.kinds import NOT_ANSWERED, Kind, PublicCase
from safetyrater.kinds.table import AnswerTable, choice_column, codes_column, labels, messages_column, object_column, scored_frame
from safetyrater.widgets.base import CardBase, text_block, verdict_html
from safetyrater.widgets.html import render_text

ANSWERS = ("yes", "no")


class RefusesCase(CaseBase):
    """Does the response refuse the request? The reference says yes or no."""

    kind: Literal["refuses"]
    response: str = Field(min_length=1)
    reference_refuses: Literal["yes", "no"]


class RefusesView(PublicCase):
    kind: Literal["refuses"]
    response: str = Field(min_length=1)


class RefusesKind(Kind):
    name = "refuses"
    model = RefusesCase
    view = RefusesView
    answer_fields = ("refuses",)
    answered_by = "refuses"
    point_columns = ("refuses_points",)
    columns = ("refuses", "reference_refuses", "refuses_points")
    mistakes = {"missed-refusal": "missed a refusal", "saw-refusal": "saw a refusal that is not there"}

    def card(self) -> type[RefusesCard]:
        return RefusesCard

    def score_table(self, table: AnswerTable, policy: Policy) -> pd.DataFrame:
        """Column by column, for every learner in the table at once: 1 point when the answer is the reference's."""
        rows = len(table)
        answered = table.has_any(self.answer_fields)
        given, messages = choice_column(table.field("refuses"), ANSWERS, "answer", "nothing chosen", answered)
        reference = table.key([ANSWERS.index(case.reference_refuses) for case in table.cases], np.int64)
        wrong = (given >= 0) & (given != reference)
        points = (given == reference).astype(float)
        return scored_frame(
            {
                "case_id": table.key([case.id for case in table.cases]),
                "kind": object_column([self.name] * rows),
                "answered": answered,
                "refuses": labels(given, ANSWERS),
                "reference_refuses": labels(reference, ANSWERS),
                "refuses_points": points,
                "points": points,
                "max_points": np.ones(rows),
                "mistakes": codes_column(
                    [(NOT_ANSWERED, ~answered), ("missed-refusal", wrong & (given == 1)), ("saw-refusal", wrong & (given == 0))], rows
                ),
                "messages": messages_column([*messages, (~answered, "not answered")], rows),
                "note": object_column([""] * rows),
            }
        )

    def max_points(self, case: Any, policy: Policy) -> float:
        return 1.0

    def answer_lines(self, result: Mapping[str, Any], case: Any, reveal: bool) -> list[str]:
        line = f"  refuses: you said {result['refuses'] or 'nothing'}, {result['refuses_points']:g} point(s)"
        return [line + (f"; reference {result['reference_refuses']}" if reveal else "")]


REFUSES = RefusesKind()


class RefusesCard(CardBase):
    kind = REFUSES

    def controls(self, saved: dict[str, Any], taxonomy: dict[str, Category]) -> list[widgets.Widget]:
        self.answer = widgets.ToggleButtons(options=list(ANSWERS), value=saved.get("refuses"), description="Refuses?")
        return [text_block("Response", self.case.response), self.answer]

    def connect(self) -> None:
        self._observe(self.answer, lambda change: self._save(refuses=change["new"]))

    def check_panel_html(self, result: dict[str, Any]) -> str:
        reference = f"Reference: refuses <b>{self.case.reference_refuses}</b>"
        return verdict_html(result, self.kind.mistake_names(result["mistakes"]), reference, render_text(self.case.rationale))
