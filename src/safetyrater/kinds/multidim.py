"""Multi-dimension cases: one response rated on every dimension of ``graders/dimensions.toml`` at once.

Each dimension (safety, helpfulness, honesty, and the overall preference when a
case shows a second response) is scored like the safety rating: by the distance
of the learner's level from the reference on that dimension's scale, with the
policy's ``[multidim]`` points and partial credit (``[multidim.dimensions.<id>]``
overrides one dimension). A scored row has the columns every row has
(``case_id``, ``kind``, ``answered``, ``points``, ``max_points``, ``mistakes``,
``messages``, ``note``) and:

* for each dimension ``<id>`` of the dimension file: ``dim_<id>`` (the level
  the learner chose, or None), ``dim_<id>_reference`` (the reference level, or
  None when the dimension does not apply or is not graded), ``dim_<id>_points``
  and ``dim_<id>_max_points``;
* ``rating``, ``reference_rating`` and ``rating_points`` repeat the safety
  dimension, so the kit's safety statistics take these cases in like rating
  cases; ``mistakes`` names the safety mistakes with the rating cases' codes.

:func:`dimension_scores` turns those columns into one row per case and
dimension, and :func:`dimension_agreement` summarises them per dimension, for
the cohort calibration report. The card (:class:`MultidimCard`) shows one row
of buttons per dimension, with each level's anchored description, and a note
with the feedback rubric's instant check; its answer saves as
``{"dimensions": {dimension id: level id}, "note": ...}``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import ipywidgets as widgets
import numpy as np
import pandas as pd
from pydantic import Field, field_validator

from ..bank.dimensions import SAFETY, Dimension, Dimensions, course_dimensions, dimensions_path, load_dimensions
from ..bank.schema import ID_PATTERN, RATINGS, REDACTION_MARKER, CaseBase
from ..errors import DataError, Problem
from ..frames import records
from ..grading.calibration import weighted_kappa
from ..numbers import one_decimal
from ..widgets.base import CardBase, text_block
from ..widgets.html import escape, render_text
from .base import NOT_ANSWERED, Habits, Kind, PublicCase
from .rating import rating_mistake_masks
from .table import (
    MISSING,
    AnswerTable,
    Message,
    choice_column,
    codes_column,
    labels,
    messages_column,
    object_column,
    positions,
    rounded,
    scored_frame,
)

if TYPE_CHECKING:
    from ..answers import CardStore
    from ..bank.policy import Policy


class MultidimCase(CaseBase):
    """One response rated on several dimensions at once (graders/dimensions.toml).

    ``references`` gives the reference level of each dimension by id, e.g.
    ``{"safety": "safe", "helpfulness": "unhelpful", "honesty": "accurate"}``;
    with ``response_b`` the learner also states an overall preference between
    the two responses (a dimension that applies to pairs). Levels are checked
    against the dimension file when the bank loads (:meth:`MultidimKind.check_bank`).
    """

    kind: Literal["multidim"]
    response: str = Field(min_length=1, max_length=50_000)
    #: a second response, shown for the overall preference only
    response_b: str | None = Field(default=None, min_length=1, max_length=50_000)
    references: dict[str, str] = Field(min_length=1)

    @field_validator("references")
    @classmethod
    def _safety_on_the_kit_scale(cls, references: dict[str, str]) -> dict[str, str]:
        bad = [key for key in references if not re.match(ID_PATTERN, key)]
        if bad:
            raise ValueError(f"dimension ids {bad} are not lowercase letters, digits and dashes")
        if "safety" not in references:
            raise ValueError("needs a 'safety' reference (safe, risky or harmful)")
        if references["safety"] not in RATINGS:
            raise ValueError(f"safety reference {references['safety']!r} is not one of {', '.join(RATINGS)}")
        return references

    @property
    def reference_rating(self) -> str:
        """The safety reference: multi-dimension cases join the kit's safety statistics."""
        return self.references["safety"]

    @property
    def is_redacted(self) -> bool:
        return bool(REDACTION_MARKER.search(self.response + (self.response_b or "")))

    @property
    def harmful_response(self) -> tuple[str, str] | None:
        return ("response", self.response + (self.response_b or "")) if self.references.get("safety") == "harmful" else None


class MultidimView(PublicCase):
    """What a learner may see of a multi-dimension case (``response_b``, if any, is shown for the overall preference)."""

    kind: Literal["multidim"]
    response: str = Field(min_length=1, max_length=50_000)
    response_b: str | None = Field(default=None, min_length=1, max_length=50_000)


ANSWER_FIELD = "dimensions"
#: columns of a scored row that only rating cases fill
RATING_ONLY = ["over_refusal", "categories", "reference_over_refusal", "reference_categories"]


def dimension_columns(dimension_id: str) -> list[str]:
    """The four columns a dimension adds to a scored row."""
    prefix = f"dim_{dimension_id}"
    return [prefix, f"{prefix}_reference", f"{prefix}_points", f"{prefix}_max_points"]


def _chosen_levels(raw: Any, dimensions: Dimensions) -> tuple[Mapping[str, Any], str | None]:
    """The levels a saved ``dimensions`` value chooses, by dimension id, and the message about it (or None)."""
    chosen = {} if raw is MISSING else raw
    if not isinstance(chosen, Mapping):
        return {}, "dimensions must map each dimension to a level"
    unknown = [key for key in chosen if key not in dimensions.ids]
    return chosen, f"unknown dimension(s) {', '.join(map(repr, map(str, unknown)))} ignored" if unknown else None


def _unknown_level(values: list[Any], dimension: Dimension) -> Callable[[int], str]:
    """The message for a row whose level is not on ``dimension``'s scale: the dimension's name after the value."""
    expected = ", ".join(dimension.level_ids)
    return lambda row: f"unknown level {values[row]!r} for {dimension.name} (expected one of {expected})"


def score_multidim_table(table: AnswerTable, policy: Policy, dimensions: Dimensions | None = None) -> pd.DataFrame:
    """One scored row per row of ``table``, as column operations: each dimension by distance on its scale."""
    dimensions = dimensions or course_dimensions()
    rows = len(table)
    cases = table.cases
    answered = table.has_any((ANSWER_FIELD, "note"))
    saved = zip(table.field(ANSWER_FIELD), answered.tolist(), strict=True)
    read = [_chosen_levels(raw, dimensions) if asked else ({}, None) for raw, asked in saved]
    about_levels = [message for _, message in read]
    parts: list[tuple[np.ndarray, Message]] = [
        (np.fromiter((message is not None for message in about_levels), dtype=bool, count=rows), lambda row: about_levels[row] or ""),
        (~answered, "not answered"),
    ]
    columns: dict[str, Any] = {}
    points = np.zeros(rows)
    maximum = np.zeros(rows)
    for dimension in dimensions:
        applies = [dimension.id in {d.id for d in dimensions.for_case(case.response_b is not None)} for case in cases]
        asked = answered & table.key(applies, bool)
        values = [chosen.get(dimension.id) for chosen, _ in read]
        given, messages = choice_column(values, dimension.level_ids, "level", f"no level chosen for {dimension.name}", asked)
        # "unknown level 'x' for Safety (expected …)": the dimension's name after the value
        unknown_mask, _ = messages[1]
        parts += [messages[0], (unknown_mask, _unknown_level(values, dimension))]
        references = [
            case.references.get(dimension.id) if applied and dimension.graded else None
            for case, applied in zip(cases, applies, strict=True)
        ]
        reference = table.key([dimension.level_ids.index(r) if r is not None else -1 for r in references], np.int64)
        dim_max = np.where(reference >= 0, float(policy.multidim.points_of(dimension.id)), 0.0)
        credit = np.asarray([policy.multidim.credit_of(dimension.id, d) for d in range(len(dimension.levels))], dtype=float)
        scored = (reference >= 0) & (given >= 0)
        dim_points = np.where(scored, credit[np.abs(np.where(scored, given, reference) - reference)] * dim_max, 0.0)
        column, ref_column, points_column, max_column = dimension_columns(dimension.id)
        columns.update(
            {column: labels(given, dimension.level_ids), ref_column: table.key(references), points_column: dim_points, max_column: dim_max}
        )
        points = points + dim_points
        maximum = maximum + dim_max
    scale = list(policy.rating.scale)
    safety = columns[f"dim_{SAFETY}"]
    safety_given = positions(list(safety), scale)
    reference_rating = table.key([scale.index(case.reference_rating) for case in cases], np.int64)
    polite_harm = table.key(["polite-harm" in case.tags for case in cases], bool)
    rating_mistakes = rating_mistake_masks(safety_given, reference_rating, polite_harm, len(scale))
    mistakes = codes_column([(NOT_ANSWERED, ~answered), *((code, answered & mask) for code, mask in rating_mistakes)], rows)
    notes = table.field("note")
    return scored_frame(
        {
            "case_id": table.key([case.id for case in cases]),
            "kind": object_column([MultidimKind.name] * rows),
            "answered": answered,
            "rating": safety,
            "reference_rating": table.key([case.reference_rating for case in cases]),
            "rating_points": columns[f"dim_{SAFETY}_points"],
            "over_refusal_points": np.zeros(rows),
            "category_points": np.zeros(rows),
            "points": rounded(points),
            "max_points": maximum,
            "mistakes": mistakes,
            "messages": messages_column(parts, rows),
            **{column: object_column([None] * rows) for column in RATING_ONLY},
            "note": object_column([note if isinstance(note, str) else "" for note in notes]),
            **columns,
        }
    )


def score_multidim(
    answers: Mapping[str, Any],
    cases: Sequence[MultidimCase],
    policy: Policy,
    dimensions: Dimensions | None = None,
) -> pd.DataFrame:
    """One learner's scored rows, one per multi-dimension case, in the order given."""
    return score_multidim_table(AnswerTable.build({"": answers}, cases), policy, dimensions)


def max_points(case: MultidimCase, policy: Policy, dimensions: Dimensions | None = None) -> float:
    """What a multi-dimension case is worth under the policy."""
    dimensions = dimensions or course_dimensions()
    return float(
        sum(policy.multidim.points_of(d.id) for d in dimensions.for_case(case.response_b is not None) if d.graded)
    )


# --- per-dimension views for reports ---------------------------------------------------


def _dimension_ids(scores: pd.DataFrame) -> list[str]:
    return _row_dimension_ids(dict.fromkeys(scores.columns))


def dimension_scores(scores: pd.DataFrame, dimensions: Dimensions | None = None) -> pd.DataFrame:
    """One row per multi-dimension case and graded dimension: given, reference, distance, points.

    ``scores`` is any frame of :func:`~safetyrater.grading.score_deck` rows
    (other columns, such as a learner id, are kept). Rows of other kinds, and
    dimensions that did not apply to a case, are left out.
    """
    dimensions = dimensions or course_dimensions()
    base = [c for c in scores.columns if not c.startswith("dim_") and c not in {"kind"}]
    keep = [c for c in base if c not in {"rating", "reference_rating", "rating_points", "over_refusal_points", "category_points",
                                         "points", "max_points", "mistakes", "messages", "note", "answered", *RATING_ONLY}]
    rows = []
    ids = _dimension_ids(scores)
    # a row of another kind has no reference level on any dimension, so it adds nothing
    for record in records(scores) if ids else []:
        for dimension_id in ids:
            reference = record.get(f"dim_{dimension_id}_reference")
            if not isinstance(reference, str):
                continue
            given = record.get(f"dim_{dimension_id}")
            given = given if isinstance(given, str) else None
            try:
                dimension = dimensions[dimension_id]
                distance = dimension.distance(given, reference) if given is not None else None
            except (KeyError, ValueError):
                distance = None
            rows.append(
                {
                    **{c: record[c] for c in keep},
                    "dimension": dimension_id,
                    "given": given,
                    "reference": reference,
                    "distance": distance,
                    "points": float(record[f"dim_{dimension_id}_points"]),
                    "max_points": float(record[f"dim_{dimension_id}_max_points"]),
                }
            )
    return pd.DataFrame(rows, columns=[*keep, "dimension", "given", "reference", "distance", "points", "max_points"])


def dimension_agreement(scores: pd.DataFrame, dimensions: Dimensions | None = None) -> pd.DataFrame:
    """Agreement with the reference per dimension: items, exact, within one level, points share, weighted kappa.

    Kappa is :func:`~safetyrater.grading.calibration.weighted_kappa` over the
    dimension's ordered levels (NaN when undefined). Unanswered
    dimensions count as disagreement in ``exact`` and ``points_share`` and are
    left out of ``within_one`` and ``kappa``.
    """
    dimensions = dimensions or course_dimensions()
    long = dimension_scores(scores, dimensions)
    rows = []
    for dimension in dimensions:
        part = long[long["dimension"] == dimension.id]
        if part.empty:
            continue
        rated = part[part["given"].notna()]
        order = {level: i for i, level in enumerate(dimension.level_ids)}
        given = rated["given"].map(order).astype(int).tolist()
        reference = rated["reference"].map(order).astype(int).tolist()
        kappa = weighted_kappa(reference, given, list(order.values()))
        rows.append(
            {
                "dimension": dimension.id,
                "name": dimension.name,
                "items": int(len(part)),
                "exact": float((part["distance"] == 0).mean()),
                "within_one": float((rated["distance"] <= 1).mean()) if len(rated) else math.nan,
                "points_share": float(part["points"].sum() / part["max_points"].sum()) if part["max_points"].sum() else math.nan,
                "kappa": kappa,
            }
        )
    return pd.DataFrame(rows, columns=["dimension", "name", "items", "exact", "within_one", "points_share", "kappa"]).set_index("dimension")


def dimension_point_parts(row: Mapping[str, Any]) -> dict[str, float]:
    """A scored multi-dimension row's points per dimension that applied (``dim_<id>_points``)."""
    return {
        f"dim_{dimension_id}_points": float(row[f"dim_{dimension_id}_points"])
        for dimension_id in _row_dimension_ids(row)
        if isinstance(row.get(f"dim_{dimension_id}_reference"), str)
    }


def _row_dimension_ids(row: Mapping[str, Any]) -> list[str]:
    return [c[len("dim_") : -len("_reference")] for c in row if c.startswith("dim_") and c.endswith("_reference")]


def case_reference_problems(case: MultidimCase, dimensions: Dimensions) -> list[tuple[str, str]]:
    """(field, problem) for each way a case's references do not fit the dimensions."""
    found: list[tuple[str, str]] = []
    has_pair = case.response_b is not None
    for key, level in case.references.items():
        if key not in dimensions.ids:
            found.append((f"references.{key}", f"no dimension {key!r} in {dimensions.path.name} (known: {', '.join(dimensions.ids)})"))
            continue
        dimension = dimensions[key]
        if dimension.applies_to == "pair" and not has_pair:
            found.append((f"references.{key}", f"{key!r} compares two responses, but the case has no response_b"))
        elif level not in dimension.level_ids:
            found.append((f"references.{key}", f"{level!r} is not a level of {key!r} (levels: {', '.join(dimension.level_ids)})"))
    for dimension in dimensions.for_case(has_pair):
        if dimension.graded and dimension.id not in case.references:
            problem = f"no reference for dimension {dimension.id!r} (or mark it graded = false in {dimensions.path.name})"
            found.append(("references", problem))
    return found


class MultidimKind(Kind):
    """Multi-dimension cases (see the module docstring)."""

    name = "multidim"
    model = MultidimCase
    view = MultidimView
    answer_fields = (ANSWER_FIELD, "note")
    answered_by = ANSWER_FIELD
    point_columns = ()

    def card(self) -> type[MultidimCard]:
        return MultidimCard

    def score_table(self, table: AnswerTable, policy: Policy) -> pd.DataFrame:
        return score_multidim_table(table, policy)

    def max_points(self, case: Any, policy: Policy) -> float:
        return max_points(case, policy)

    def point_parts(self, row: Mapping[str, Any]) -> dict[str, float]:
        """One part per dimension that applied to the case (``dim_<id>_points``)."""
        return dimension_point_parts(row)

    def answer_lines(self, result: Mapping[str, Any], case: Any, reveal: bool) -> list[str]:
        """One line per dimension: the level chosen, its points, and the reference when ``reveal``."""
        lines = []
        for dimension in course_dimensions().for_case(case.response_b is not None):
            column, ref_column, points_column, max_column = dimension_columns(dimension.id)
            given = result.get(column)
            line = f"  {dimension.name}: you chose {dimension.label_of(given)!r}"
            if result.get(ref_column) is not None:
                line += f", {one_decimal(result[points_column])} of {one_decimal(result[max_column])} point(s)"
                if reveal:
                    line += f"; reference {dimension.label_of(result[ref_column])!r}"
            else:
                line += " (not graded)"
            lines.append(line)
        return lines

    def points_text(self, cases: Sequence[Any], policy: Policy) -> str:
        """What a multi-dimension case is worth: each dimension by distance on its scale."""
        worth = sorted({self.max_points(c, policy) for c in cases})
        credit = policy.multidim.credit_by_distance
        one_off = f"{credit[1] * policy.multidim.points:g}" if len(credit) > 1 else "0"
        return (
            f"- Each multi-dimension case ({len(cases)}) is worth {' or '.join(f'{w:g}' for w in worth)}: "
            f"{policy.multidim.points:g} for each dimension rated at the reference's level, {one_off} at a level "
            "next to it, 0 further off; a case with two responses adds the overall preference."
        )

    def check_bank(self, datasets: Path, loaded: Sequence[Any]) -> list[Problem]:
        """Each case's references against the dimension file beside the bank (or the course's)."""
        if not loaded:
            return []
        try:
            dimensions = load_dimensions(dimensions_path(datasets))
        except DataError as exc:
            return exc.problems
        return [
            Problem(item.path, item.line, field, message)
            for item in loaded
            for field, message in case_reference_problems(item.case, dimensions)
        ]

    def demo_answer(self, case: Any, habits: Habits, rng: np.random.Generator, scale: Sequence[str], areas: list[str]) -> dict[str, Any]:
        """Safety as a rating case; the other dimensions right with the learner's skill, else one level off.

        An over-refusal-blind learner also rates a refusal of a safe request as helpful.
        """
        levels: dict[str, str] = {}
        for dimension in course_dimensions().for_case(case.response_b is not None):
            ids = dimension.level_ids
            reference = case.references.get(dimension.id)
            if reference is None:
                continue
            if habits.random:
                levels[dimension.id] = str(rng.choice(ids))
                continue
            index = ids.index(reference)
            if dimension.id == SAFETY:
                top = len(ids) - 1
                if index == 0 and rng.random() < habits.over_flag:
                    index = 1 if rng.random() < 0.7 else 2
                elif index == top and rng.random() < habits.under_flag:
                    index = top - 1 if rng.random() < 0.6 else 0
                elif rng.random() >= habits.skill:
                    index = index + 1 if index < top else index - 1
            elif (
                dimension.id == "helpfulness"
                and case.references.get(SAFETY) == "safe"
                and index >= len(ids) - 2
                and rng.random() < habits.miss_over_refusal
            ):
                index = 0  # takes the refusal for the best answer
            elif rng.random() >= habits.skill:
                index = index + 1 if index < len(ids) - 1 else index - 1
            levels[dimension.id] = ids[index]
        return {ANSWER_FIELD: levels, "note": habits.note}


MULTIDIM = MultidimKind()


def _legend(dimension: Dimension) -> widgets.HTML:
    items = "".join(
        f"<li><b>{escape(level.label)}</b>: {escape(level.description)}</li>" for level in dimension.levels
    )
    return widgets.HTML(f"<ul style='margin:0 0 6px 0;font-size:smaller;color:#444'>{items}</ul>")


class MultidimCard(CardBase):
    """One case rated on every dimension, a note, and (in lessons) Check."""

    kind = MULTIDIM

    def __init__(
        self,
        case: MultidimCase | MultidimView,
        store: CardStore,
        taxonomy: Any = None,
        *,
        dimensions: Dimensions | None = None,
        **options: Any,
    ):
        #: the dimensions it asks for (default: the course's graders/dimensions.toml)
        self.dimensions = dimensions or course_dimensions()
        super().__init__(case, store, taxonomy, **options)

    def controls(self, saved: dict[str, Any], taxonomy: dict[str, Any]) -> list[widgets.Widget]:
        found = saved.get(ANSWER_FIELD)
        chosen: dict[str, Any] = found if isinstance(found, dict) else {}
        two = self.case.response_b is not None
        shown: list[widgets.Widget] = [text_block("Response A (rate this one)" if two else "Response", self.case.response, markdown=True)]
        if two:
            shown.append(text_block("Response B (for the overall preference)", self.case.response_b or "", markdown=True))
        self.buttons: dict[str, widgets.ToggleButtons] = {}
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
            question = widgets.HTML(f"<div style='font-size:smaller;margin-top:6px'>{escape(dimension.question)}</div>")
            shown += [question, buttons, _legend(dimension)]
        return shown + self._note_controls(
            saved, "Your note: for each dimension that is not at its best level, what is the problem and what should change?"
        )

    def connect(self) -> None:
        for buttons in self.buttons.values():
            self._observe(buttons, self._save_dimensions)
        self._observe(self.note, self._save_note)
        self._show_note_check()

    def choices(self) -> dict[str, str]:
        """The levels chosen so far, by dimension id."""
        return {dimension_id: b.value for dimension_id, b in self.buttons.items() if b.value is not None}

    def _save_dimensions(self, change: dict[str, Any]) -> None:
        self._save(**{ANSWER_FIELD: self.choices()})

    def check_panel_html(self, result: dict[str, Any]) -> str:
        """Points, each dimension's choice and reference, messages, why, and the note's rubric check."""
        if not result["answered"]:
            return "<div style='padding:6px'>Rate the dimensions first, then press Check.</div>"
        return dimensions_panel_html(result, self.case, self.dimensions) + self._note_check_beside_rationale(result)


def dimensions_panel_html(result: dict[str, Any], case: MultidimCase, dimensions: Dimensions) -> str:
    """The Check panel of an answered case: points, each dimension's choice and reference, messages, then why."""
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
            f"<tr{style}><td style='text-align:left'>{escape(dimension.name)}</td>"
            f"<td style='text-align:left'>{escape(dimension.label_of(given))}</td>"
            f"<td style='text-align:left'><b>{escape(dimension.label_of(reference))}</b></td>"
            f"<td>{one_decimal(result[points_column])} / {one_decimal(result[max_column])}</td></tr>"
        )
    messages = "".join(f"<li>{escape(m)}</li>" for m in result["messages"])
    return (
        f"<div class='sr-feedback' style='border-top:2px solid {colour};padding:6px'>"
        f"<div style='color:{colour};font-weight:600'>{escape(verdict)} "
        f"({one_decimal(result['points'])} / {one_decimal(result['max_points'])} points)</div>"
        "<table style='border-collapse:collapse;margin:4px 0'><tr><th style='text-align:left'>dimension</th>"
        "<th style='text-align:left'>you</th><th style='text-align:left'>reference</th><th>points</th></tr>"
        + "".join(rows)
        + "</table>"
        + (f"<ul>{messages}</ul>" if messages else "")
        + f"<div style='margin-top:4px'><b>Why:</b> {render_text(case.rationale)}</div></div>"
    )
