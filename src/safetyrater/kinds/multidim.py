"""Scoring multi-dimension cases: each dimension by distance on its own scale.

:func:`score_multidim` is what :func:`safetyrater.grading.score_deck` calls for
cases of kind ``multidim``. A learner's answer is saved as::

    "md-ex-01": {"dimensions": {"safety": "safe", "helpfulness": "unhelpful",
                                "honesty": "accurate"}, "note": "..."}

and each dimension earns ``policy.multidim.credit_of(dimension, distance)`` of
its points, the distance being how many levels the choice lies from the
reference on that dimension's scale (``graders/dimensions.toml``), like the
safety rule of rating cases. Bad answers never raise: an unknown level or a
missing dimension scores 0 for that dimension with a message.

Columns, besides those every scored row has (``case_id``, ``kind``,
``answered``, ``points``, ``max_points``, ``mistakes``, ``messages``, ``note``):

* for each dimension ``<id>`` of the dimension file: ``dim_<id>`` (the level
  the learner chose, or None), ``dim_<id>_reference`` (the reference level, or
  None when the dimension does not apply or is not graded), ``dim_<id>_points``
  and ``dim_<id>_max_points``;
* ``rating``, ``reference_rating`` and ``rating_points`` repeat the safety
  dimension, so the kit's safety statistics (accuracy, kappa, over- and
  under-flagging) take these cases in like rating cases; ``mistakes`` names
  the safety mistakes with the rating cases' codes.

:func:`dimension_scores` turns those columns into one row per case and
dimension, and :func:`dimension_agreement` summarises them per dimension, for
the cohort calibration report.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ..bank.dimensions import SAFETY, Dimension, Dimensions, course_dimensions
from ..bank.schema import MultidimCase, Policy

KIND = "multidim"
ANSWER_FIELD = "dimensions"
#: columns of a scored row that only rating cases fill
RATING_ONLY = ["over_refusal", "categories", "reference_over_refusal", "reference_categories"]


def dimension_columns(dimension_id: str) -> list[str]:
    """The four columns a dimension adds to a scored row."""
    prefix = f"dim_{dimension_id}"
    return [prefix, f"{prefix}_reference", f"{prefix}_points", f"{prefix}_max_points"]


def _chosen_levels(raw: Mapping[str, Any], dimensions: Dimensions, messages: list[str]) -> dict[str, Any]:
    chosen = raw.get(ANSWER_FIELD, {})
    if not isinstance(chosen, Mapping):
        messages.append("dimensions must map each dimension to a level")
        return {}
    unknown = [key for key in chosen if key not in dimensions.ids]
    if unknown:
        messages.append(f"unknown dimension(s) {', '.join(map(repr, map(str, unknown)))} ignored")
    return dict(chosen)


def _safety_mistakes(given: str | None, reference: str, polite_harm: bool, policy: Policy) -> list[str]:
    """The rating cases' named safety mistakes, from the one implementation in grading."""
    from ..grading.core import _mistakes

    row = {
        "answered": True,
        "rating": given,
        "reference_rating": reference,
        "polite_harm": polite_harm,
        "over_refusal": None,
        "reference_over_refusal": None,
        "categories": (),
        "reference_categories": (),
    }
    return list(_mistakes(row, list(policy.rating.scale)))


def score_one(raw: Any, case: MultidimCase, policy: Policy, dimensions: Dimensions) -> dict[str, Any]:
    """The scored row of one multi-dimension case."""
    raw = raw if isinstance(raw, Mapping) else {}
    answered = ANSWER_FIELD in raw or "note" in raw
    messages: list[str] = []
    chosen = _chosen_levels(raw, dimensions, messages) if answered else {}
    if not answered:
        messages.append("not answered")
    row: dict[str, Any] = {"case_id": case.id, "kind": KIND, "answered": answered}
    points = maximum = 0.0
    asked = {d.id for d in dimensions.for_case(case.response_b is not None)}
    for dimension in dimensions:
        given = _valid_level(chosen.get(dimension.id), dimension, messages, answered and dimension.id in asked)
        reference = case.references.get(dimension.id) if dimension.id in asked and dimension.graded else None
        dim_max = policy.multidim.points_of(dimension.id) if reference is not None else 0.0
        dim_points = 0.0
        if reference is not None and given is not None:
            dim_points = policy.multidim.credit_of(dimension.id, dimension.distance(given, reference)) * dim_max
        column, ref_column, points_column, max_column = dimension_columns(dimension.id)
        row.update({column: given, ref_column: reference, points_column: float(dim_points), max_column: float(dim_max)})
        points += dim_points
        maximum += dim_max
    safety_given = row[f"dim_{SAFETY}"]
    mistakes = ["not-answered"] if not answered else _safety_mistakes(safety_given, case.reference_rating, "polite-harm" in case.tags, policy)
    note = raw.get("note", "")
    row.update(
        {
            "rating": safety_given,
            "reference_rating": case.reference_rating,
            "rating_points": row[f"dim_{SAFETY}_points"],
            "over_refusal_points": 0.0,
            "category_points": 0.0,
            "points": round(points, 4),
            "max_points": float(maximum),
            "mistakes": tuple(mistakes),
            "messages": tuple(messages),
            "note": note if isinstance(note, str) else "",
            **{column: None for column in RATING_ONLY},
        }
    )
    return row


def _valid_level(value: Any, dimension: Dimension, messages: list[str], asked: bool) -> str | None:
    if not asked:
        return None
    if value is None:
        messages.append(f"no level chosen for {dimension.name}")
        return None
    if value not in dimension.level_ids:
        messages.append(f"unknown level {value!r} for {dimension.name} (expected one of {', '.join(dimension.level_ids)})")
        return None
    return str(value)


def score_multidim(
    answers: Mapping[str, Any],
    cases: Sequence[MultidimCase],
    policy: Policy,
    dimensions: Dimensions | None = None,
) -> pd.DataFrame:
    """One scored row per multi-dimension case, in the order given."""
    dimensions = dimensions or course_dimensions()
    rows = [score_one(answers.get(case.id), case, policy, dimensions) for case in cases]
    columns = ["case_id", "kind", "answered", "rating", "reference_rating", "rating_points", "over_refusal_points",
               "category_points", "points", "max_points", "mistakes", "messages", *RATING_ONLY, "note"]
    columns += [c for d in dimensions for c in dimension_columns(d.id)]
    frame = pd.DataFrame(rows, columns=columns)
    # keep None (not NaN) for a missing label, as the rating core does
    labels = ["rating", "reference_rating", *(c for d in dimensions for c in dimension_columns(d.id)[:2])]
    for column in labels:
        frame[column] = pd.Series([row[column] for row in rows], index=frame.index, dtype=object)
    return frame


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
    if "kind" not in scores.columns:
        return pd.DataFrame(columns=[*keep, "dimension", "given", "reference", "distance", "points", "max_points"])
    for record in scores[scores["kind"] == KIND].to_dict("records"):
        for dimension_id in _dimension_ids(scores):
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

    Kappa is quadratic-weighted Cohen's kappa over the dimension's ordered
    levels (scikit-learn), NaN when fewer than two levels occur. Unanswered
    dimensions count as disagreement in ``exact`` and ``points_share`` and are
    left out of ``within_one`` and ``kappa``.
    """
    from sklearn.metrics import cohen_kappa_score

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
        kappa = math.nan
        if len(set(given) | set(reference)) > 1:
            kappa = float(cohen_kappa_score(given, reference, weights="quadratic", labels=list(order.values())))
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


# --- words for a scored case ------------------------------------------------------------


def summary_lines(
    result: Mapping[str, Any], case: MultidimCase, reveal: bool, rationale: bool | None = None, dimensions: Dimensions | None = None
) -> list[str]:
    """Plain-text lines for one scored case: each dimension's choice and points (and reference when ``reveal``).

    ``rationale`` (default: ``reveal``) adds the reference rationale, as for every kind of case.
    """
    dimensions = dimensions or course_dimensions()
    lines = [f"Case {case.id}: {result['points']:g} / {result['max_points']:g} points"]
    lines += [f"  note: {message}" for message in result["messages"]]
    if result["answered"]:
        for dimension in dimensions.for_case(case.response_b is not None):
            column, ref_column, points_column, max_column = dimension_columns(dimension.id)
            given = result.get(column)
            line = f"  {dimension.name}: you chose {dimension.label_of(given)!r}"
            if result.get(ref_column) is not None:
                line += f", {result[points_column]:g} of {result[max_column]:g} point(s)"
                if reveal:
                    line += f"; reference {dimension.label_of(result[ref_column])!r}"
            else:
                line += " (not graded)"
            lines.append(line)
    from ..grading.explain import mistake_names

    names = mistake_names(dict(result))
    if names:
        lines.append("  mistakes: " + "; ".join(names))
    if reveal if rationale is None else rationale:
        lines.append(f"  why: {case.rationale}")
    return lines


def dimension_point_parts(row: Mapping[str, Any]) -> dict[str, float]:
    """A scored multi-dimension row's points per dimension that applied (``dim_<id>_points``)."""
    return {
        f"dim_{dimension_id}_points": float(row[f"dim_{dimension_id}_points"])
        for dimension_id in _row_dimension_ids(row)
        if isinstance(row.get(f"dim_{dimension_id}_reference"), str)
    }


def _row_dimension_ids(row: Mapping[str, Any]) -> list[str]:
    return [c[len("dim_") : -len("_reference")] for c in row if c.startswith("dim_") and c.endswith("_reference")]
