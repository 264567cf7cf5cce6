"""Span-flag cases: flag the sentences or steps of a response that are unsafe.

Each segment of the response has an "unsafe" tick; the learner also rates the
whole response and may write a note. Ticks save at once as ``flagged``
(segment indices from 0) in the deck's answer file. The flags score
``[span].points`` by F1 against the reference's unsafe segments (a missed
unsafe step and a flagged safe step both cost), plus the rating rule for the
whole response when ``[span].include_rating``. Cards and rationales number
steps from 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import ipywidgets as widgets
import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from ..bank.schema import REDACTION_MARKER, CaseBase, Category, Rating
from ..numbers import one_decimal
from ..widgets.base import RATING_LABELS, CardBase, label, verdict_html
from ..widgets.html import escape, render_text
from .base import NOT_ANSWERED, Habits, Kind, PublicCase
from .rating import category_f1, rating_line, rating_mistake_masks, rating_rule_text, rating_shares
from .table import MISSING, AnswerTable, choice_column, codes_column, labels, messages_column, object_column, rounded, scored_frame

if TYPE_CHECKING:
    from ..bank.policy import Policy


class SpanCase(CaseBase):
    """A response split into sentences or steps; the learner flags the unsafe ones."""

    kind: Literal["span"]
    segments: list[str] = Field(min_length=2, max_length=40)
    #: indices (from 0) of the unsafe segments
    reference_unsafe: list[int] = Field(min_length=1)
    reference_rating: Rating

    @model_validator(mode="after")
    def _indices_in_range(self) -> SpanCase:
        bad = [i for i in self.reference_unsafe if not 0 <= i < len(self.segments)]
        if bad:
            raise ValueError(f"reference_unsafe has indices {bad} outside 0..{len(self.segments) - 1}")
        if len(set(self.reference_unsafe)) != len(self.reference_unsafe):
            raise ValueError("reference_unsafe lists an index twice")
        return self

    @property
    def response(self) -> str:
        return " ".join(self.segments)

    @property
    def is_redacted(self) -> bool:
        return bool(REDACTION_MARKER.search(self.response))

    @property
    def harmful_response(self) -> tuple[str, str] | None:
        return ("segments", self.response) if self.reference_rating == "harmful" else None


class SpanView(PublicCase):
    """What a learner may see of a span-flag case."""

    kind: Literal["span"]
    segments: list[str] = Field(min_length=2, max_length=40)


MISTAKES = {
    "missed-unsafe-step": "missed an unsafe step",
    "flagged-safe-step": "flagged a safe step",
}


class SpanKind(Kind):
    """Span-flag cases (see the module docstring)."""

    name = "span"
    model = SpanCase
    view = SpanView
    answer_fields = ("flagged", "rating", "note")
    answered_by = "rating"
    point_columns = ("flag_points", "rating_points")
    columns = ("flagged", "reference_unsafe", "flag_points")
    mistakes = MISTAKES
    summary_label = "span-flag"

    def card(self) -> type[SpanCard]:
        return SpanCard

    def score_table(self, table: AnswerTable, policy: Policy) -> pd.DataFrame:
        """F1 of flagged over unsafe segments, plus the rating rule."""
        rows = len(table)
        cases = table.cases
        scale = list(policy.rating.scale)
        answered = table.has_any(self.answer_fields)

        # the flags: a list of segment numbers; each distinct (flags, case) is checked and compared once
        checked: dict[tuple[Any, int], tuple[tuple[int, ...], bool, str | None, float, bool, bool]] = {}
        found = []
        for raw, case in zip(table.field("flagged"), table.case_index.tolist(), strict=True):
            # only plain lists of whole numbers are cached: [True] or [1.0] equal [1] as keys but are not numbers
            plain = raw is MISSING or type(raw) is list and all(type(i) is int for i in raw)
            key = (tuple(raw) if raw is not MISSING else None, case) if plain else None
            result = checked.get(key) if key is not None else None
            if result is None:
                result = _flags(raw, cases[case])
                if key is not None:
                    checked[key] = result
            found.append(result)
        flagged = object_column([result[0] for result in found])
        flags_bad = np.fromiter((result[1] for result in found), dtype=bool, count=rows)
        outside = [result[2] for result in found]
        flags_outside = np.fromiter((text is not None for text in outside), dtype=bool, count=rows)
        f1 = np.fromiter((result[3] for result in found), dtype=float, count=rows)
        missed_step = answered & np.fromiter((result[4] for result in found), dtype=bool, count=rows)
        extra_step = answered & np.fromiter((result[5] for result in found), dtype=bool, count=rows)

        missing = "no safety rating chosen" if policy.span.include_rating else None
        given, rating_messages = choice_column(table.field("rating"), scale, "rating", missing, answered)
        reference = table.key([scale.index(case.reference_rating) for case in cases], np.int64)
        flag_points = np.where(answered, f1 * policy.span.points, 0.0)
        rating_points = np.zeros(rows)
        rating_codes: list[tuple[str, np.ndarray]] = []
        if policy.span.include_rating:
            rating_points = rating_shares(given, reference, policy) * policy.rating.points
            polite_harm = table.key(["polite-harm" in case.tags for case in cases], bool)
            rating_codes = [(code, answered & mask) for code, mask in rating_mistake_masks(given, reference, polite_harm, len(scale))]
        notes = table.field("note")
        return scored_frame(
            {
                "case_id": table.key([case.id for case in cases]),
                "kind": object_column([self.name] * rows),
                "answered": answered,
                "rating": labels(given, scale),
                "reference_rating": table.key([case.reference_rating for case in cases]),
                "rating_points": rating_points,
                "flagged": flagged,
                "reference_unsafe": table.key([tuple(sorted(case.reference_unsafe)) for case in cases]),
                "flag_points": flag_points,
                "points": rounded(rating_points + flag_points),
                "max_points": table.key([float(self.max_points(case, policy)) for case in cases], float),
                "mistakes": codes_column(
                    [(NOT_ANSWERED, ~answered), ("missed-unsafe-step", missed_step), ("flagged-safe-step", extra_step), *rating_codes],
                    rows,
                ),
                "messages": messages_column(
                    [
                        (flags_bad, "flagged must be a list of segment numbers"),
                        (flags_outside, lambda row: outside[row] or ""),
                        *rating_messages,
                        (~answered, "not answered"),
                    ],
                    rows,
                ),
                "note": object_column([note if isinstance(note, str) else "" for note in notes]),
            }
        )

    def max_points(self, case: Any, policy: Policy) -> float:
        return policy.span.points + (policy.rating.points if policy.span.include_rating else 0.0)

    def answer_lines(self, result: Mapping[str, Any], case: Any, reveal: bool) -> list[str]:
        flagged = ", ".join(str(i + 1) for i in result["flagged"]) or "none"
        line = f"  unsafe steps: you flagged {flagged}, {one_decimal(result['flag_points'])} point(s)"
        if reveal:
            line += f"; reference {', '.join(str(i + 1) for i in result['reference_unsafe'])}"
        return [line, rating_line(result, reveal)]

    def points_text(self, cases: Sequence[Any], policy: Policy) -> str:
        part = f" and {rating_rule_text(policy)} of the whole response" if policy.span.include_rating else ""
        return (
            f"- Each step-flagging case ({len(cases)}) is worth {self.max_points(cases[0], policy):g}: the steps you "
            f"flag (up to {policy.span.points:g}, by overlap with the unsafe steps: missing an unsafe step and "
            f"flagging a safe one both cost){part}."
        )

    def demo_answer(self, case: Any, habits: Habits, rng: np.random.Generator, scale: Sequence[str], areas: list[str]) -> dict[str, Any]:
        segments = range(len(case.segments))
        if habits.random:
            flagged = [i for i in segments if rng.random() < 0.3]
            return {"flagged": flagged, "rating": str(rng.choice(scale)), "note": habits.note}
        chosen = set(case.reference_unsafe)
        safe_steps = [i for i in segments if i not in chosen]
        if safe_steps and rng.random() < habits.over_flag:
            chosen.add(int(rng.choice(safe_steps)))
        if len(chosen) > 0 and rng.random() < habits.under_flag:
            chosen.discard(int(rng.choice(sorted(chosen))))
        if rng.random() > habits.skill and safe_steps:
            chosen ^= {int(rng.choice(safe_steps))}
        reference = scale.index(case.reference_rating)
        if rng.random() < habits.under_flag:
            given = max(reference - 1, 0)
        elif rng.random() < habits.skill:
            given = reference
        else:
            given = min(reference + 1, len(scale) - 1)
        return {"flagged": sorted(chosen), "rating": scale[given], "note": habits.note}


def _flags(raw: Any, case: SpanCase) -> tuple[tuple[int, ...], bool, str | None, float, bool, bool]:
    """One saved ``flagged`` value against a case: the flagged segments (in range, sorted, once each),
    whether the value is not a list of numbers, the message on numbers out of range (or None), the
    F1 against the unsafe segments, and whether an unsafe step was missed or a safe one flagged."""
    numbers = [] if raw is MISSING else raw
    bad = not isinstance(numbers, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in numbers)
    if bad:
        numbers = []
    last = len(case.segments) - 1
    outside = [i for i in numbers if not 0 <= i <= last]
    message = f"flagged segment(s) {outside} do not exist (0..{last})" if outside else None
    flagged = tuple(sorted({i for i in numbers if 0 <= i <= last}))
    reference = tuple(sorted(case.reference_unsafe))
    f1 = category_f1(tuple(map(str, flagged)), tuple(map(str, reference)))
    return flagged, bad, message, f1, bool(set(reference) - set(flagged)), bool(set(flagged) - set(reference))


SPAN = SpanKind()


def _segment_html(number: int, text: str) -> str:
    return f"<div style='white-space:pre-wrap;padding:2px 6px'><b>{number}.</b> {render_text(text)}</div>"


class SpanCard(CardBase):
    """The response as numbered segments with "unsafe" ticks, a rating, a note, and Check."""

    kind = SPAN

    def controls(self, saved: dict[str, Any], taxonomy: dict[str, Category]) -> list[widgets.Widget]:
        flagged = set(saved.get("flagged") or []) if isinstance(saved.get("flagged"), list) else set()
        self.segment_boxes = [
            widgets.Checkbox(value=i in flagged, description="unsafe", indent=False, layout=widgets.Layout(width="90px", min_width="90px"))
            for i in range(len(self.case.segments))
        ]
        rows = [
            widgets.HBox([box, widgets.HTML(_segment_html(i + 1, text), layout=widgets.Layout(width="100%"))])
            for i, (box, text) in enumerate(zip(self.segment_boxes, self.case.segments, strict=True))
        ]
        self.rating = self._rating_buttons(saved, "Safety rating of the whole response")
        placeholder = "Your note: which step is unsafe, how could it hurt someone, what should it say instead?"
        self.note = self._text_area(saved, "note", placeholder)
        return [label("Response, step by step: tick every unsafe step"), *rows, self.rating, self.note]

    def connect(self) -> None:
        for box in self.segment_boxes:
            self._observe(box, self._save_flags)
        self._observe(self.rating, lambda change: self._save(rating=change["new"]))
        self._observe(self.note, lambda change: self._save(note=change["new"]))

    def _save_flags(self, change: dict[str, Any]) -> None:
        self._save(flagged=[i for i, box in enumerate(self.segment_boxes) if box.value])

    def check_panel_html(self, result: dict[str, Any]) -> str:
        """Verdict, the reference's unsafe steps and rating, named mistakes and the rationale."""
        if not result["answered"]:
            return "<div style='padding:6px'>Tick the unsafe steps and choose a rating first, then press Check.</div>"
        unsafe = ", ".join(str(i + 1) for i in sorted(self.case.reference_unsafe))
        reference = (
            f"Reference: unsafe step(s) <b>{unsafe}</b> · rating "
            f"<b>{escape(RATING_LABELS[self.case.reference_rating])}</b>"
        )
        return verdict_html(result, self.kind.mistake_names(result["mistakes"]), reference, render_text(self.case.rationale))
