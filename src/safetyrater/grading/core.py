"""The one grading core: pure functions over pandas frames.

Lesson cards ("Check"), nbgrader's test cells, ``safetyrater grade`` and the
cohort tools all score answers here, with the policy in ``graders/policy.toml``.

``answers_frame`` turns saved answers into rows (one per case, checked and
normalised), ``key_frame`` turns reference cases into rows, and ``score``
joins them into points, mistakes and messages. Bad answers never raise: an
unknown label or a missing case scores 0 for that item with a message.

Pairwise and span-flag cases are scored by :func:`score_pairwise` and
:func:`score_span`, multi-dimension cases by
:func:`safetyrater.multidim_grading.score_multidim`; :func:`score_deck` takes a deck of any mix of kinds and
returns one frame with the same columns for every row (a part that does not
apply to a kind scores 0.0 and its label columns hold None).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from ..bank.schema import AnyCase, Case, PairwiseCase, Policy, SpanCase

#: The named mistakes the course teaches, by code.
MISTAKES: dict[str, str] = {
    "flagged-safe": "flagged a safe response",
    "missed-polite-harm": "missed harm in a polite response",
    "missed-harm": "missed harm",
    "under-rated": "under-rated the risk",
    "over-rated": "over-rated the risk",
    "accepted-over-refusal": "accepted an over-refusal",
    "called-over-refusal": "called a justified response an over-refusal",
    "missed-area": "missed a risk area",
    "extra-area": "added a risk area that is not involved",
    "not-answered": "left the case unanswered",
    # pairwise cases
    "picked-safer": "picked the safer response as more harmful",
    "called-equal": "called the responses equal when one has more harm potential",
    "missed-equal": "called one response more harmful when both carry the same harm potential",
    # span-flag cases
    "missed-unsafe-step": "missed an unsafe step",
    "flagged-safe-step": "flagged a safe step",
}

SCORE_COLUMNS = [
    "case_id",
    "kind",
    "answered",
    "rating",
    "reference_rating",
    "rating_points",
    "over_refusal_points",
    "category_points",
    "points",
    "max_points",
    "mistakes",
    "messages",
]


def answers_frame(answers: Mapping[str, Any], case_ids: Iterable[str], policy: Policy) -> pd.DataFrame:
    """One row per expected case: the learner's answer, normalised, with its problems.

    ``rating`` is None when missing or not on the scale; ``over_refusal`` is
    None when it is not a true/false value; ``categories`` is a tuple of ids.
    """
    rows = _answer_rows(answers, case_ids, policy)
    return pd.DataFrame(rows, columns=ANSWER_COLUMNS)


ANSWER_COLUMNS = ["case_id", "answered", "rating", "over_refusal", "categories", "note", "problems"]


def _answer_rows(answers: Mapping[str, Any], case_ids: Iterable[str], policy: Policy) -> list[dict[str, Any]]:
    rows = []
    scale = set(policy.rating.scale)
    for case_id in case_ids:
        raw = answers.get(case_id)
        problems: list[str] = []
        answered = isinstance(raw, Mapping) and any(k in raw for k in ("rating", "over_refusal", "categories", "note"))
        raw = raw if isinstance(raw, Mapping) else {}
        rating = raw.get("rating")
        if not answered:
            problems.append("not answered")
            rating = None
        elif rating is None:
            problems.append("no safety rating chosen")
        elif rating not in scale:
            problems.append(f"unknown rating {rating!r} (expected one of {', '.join(policy.rating.scale)})")
            rating = None
        flag = raw.get("over_refusal", False)
        if not isinstance(flag, bool):
            problems.append(f"over_refusal must be true or false, not {flag!r}")
            flag = None
        categories = raw.get("categories", [])
        if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
            problems.append("categories must be a list of category ids")
            categories = []
        note = raw.get("note", "")
        rows.append(
            {
                "case_id": case_id,
                "answered": answered,
                "rating": rating,
                "over_refusal": flag if answered else None,
                "categories": tuple(dict.fromkeys(categories)),
                "note": note if isinstance(note, str) else "",
                "problems": tuple(problems),
            }
        )
    return rows


def key_frame(cases: Iterable[Case]) -> pd.DataFrame:
    """One row per reference case: what a correct answer is."""
    rows = [
        {
            "case_id": c.id,
            "reference_rating": c.reference_rating,
            "reference_over_refusal": c.over_refusal,
            "reference_categories": tuple(c.categories),
            "polite_harm": "polite-harm" in c.tags,
        }
        for c in cases
    ]
    return pd.DataFrame(
        rows,
        columns=["case_id", "reference_rating", "reference_over_refusal", "reference_categories", "polite_harm"],
    )


def category_f1(chosen: tuple[str, ...], reference: tuple[str, ...]) -> float:
    """Overlap of two sets of category ids; two empty sets agree fully."""
    a, b = set(chosen), set(reference)
    if not a and not b:
        return 1.0
    return 2 * len(a & b) / (len(a) + len(b))


def _rating_mistake(rating: str | None, reference: str, polite_harm: bool, scale: list[str]) -> list[str]:
    if not isinstance(rating, str) or rating == reference:
        return []
    given, ref = scale.index(rating), scale.index(reference)
    if reference == scale[0]:
        return ["flagged-safe"]
    if rating == scale[0] and reference == scale[-1]:
        return ["missed-polite-harm" if polite_harm else "missed-harm"]
    return ["under-rated"] if given < ref else ["over-rated"]


def rating_share(rating: str | None, reference: str, policy: Policy) -> float:
    """Share of the rating points (0 to 1) by distance on the scale; 0 for no rating."""
    scale = list(policy.rating.scale)
    if rating not in scale:
        return 0.0
    return float(policy.rating.credit_by_distance[abs(scale.index(rating) - scale.index(reference))])


def _mistakes(row: Mapping[str, Any], scale: list[str]) -> list[str]:
    if not row["answered"]:
        return ["not-answered"]
    found = _rating_mistake(row["rating"], row["reference_rating"], row["polite_harm"], scale)
    flag, ref_flag = row["over_refusal"], row["reference_over_refusal"]
    if isinstance(flag, bool) and flag != ref_flag:
        found.append("accepted-over-refusal" if ref_flag else "called-over-refusal")
    chosen, ref_cats = set(row["categories"]), set(row["reference_categories"])
    if ref_cats - chosen:
        found.append("missed-area")
    if chosen - ref_cats:
        found.append("extra-area")
    return found


def score(answers: pd.DataFrame, key: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """Points per case under ``policy``, with mistakes and messages.

    ``answers`` comes from :func:`answers_frame` (extra columns such as a
    learner id are kept); ``key`` from :func:`key_frame`. Cases in ``answers``
    missing from ``key`` are an error of the caller's, so they raise KeyError.
    """
    merged = answers.merge(key, on="case_id", how="left", validate="many_to_one")
    # pandas stores a missing label as NaN in a column of strings; keep None.
    merged["rating"] = merged["rating"].astype(object).where(merged["rating"].notna(), None)
    merged["over_refusal"] = merged["over_refusal"].astype(object).where(merged["over_refusal"].notna(), None)
    if merged["reference_rating"].isna().any():
        missing = merged.loc[merged["reference_rating"].isna(), "case_id"].unique().tolist()
        raise KeyError(f"no reference for case(s) {missing}")
    scale = list(policy.rating.scale)
    position = {label: i for i, label in enumerate(scale)}
    credit = policy.rating.credit_by_distance

    given = merged["rating"].map(position)
    reference = merged["reference_rating"].map(position)
    distance = (given - reference).abs()
    rating_share = distance.map(lambda d: credit[int(d)] if pd.notna(d) else 0.0)
    merged["rating_points"] = rating_share.astype(float) * policy.rating.points

    flag_ok = merged["over_refusal"].eq(merged["reference_over_refusal"]) & merged["over_refusal"].notna()
    merged["over_refusal_points"] = flag_ok.astype(float) * policy.over_refusal.points
    merged.loc[~merged["answered"], "over_refusal_points"] = 0.0

    f1 = [
        category_f1(chosen, ref) if answered else 0.0
        for chosen, ref, answered in zip(merged["categories"], merged["reference_categories"], merged["answered"])
    ]
    merged["category_points"] = pd.Series(f1, index=merged.index, dtype=float) * policy.categories.points

    merged["points"] = (merged["rating_points"] + merged["over_refusal_points"] + merged["category_points"]).round(4)
    merged["max_points"] = float(policy.points_per_case)
    merged["mistakes"] = [tuple(_mistakes(row, scale)) for row in merged.to_dict("records")]
    merged["messages"] = merged["problems"]
    merged["kind"] = "rating"
    extra = [c for c in answers.columns if c not in SCORE_COLUMNS and c not in {"over_refusal", "categories", "note", "problems"}]
    return merged[extra + SCORE_COLUMNS + ["over_refusal", "categories", "reference_over_refusal", "reference_categories", "note"]]


def score_deck(answers: Mapping[str, Any], cases: list[AnyCase], policy: Policy) -> pd.DataFrame:
    """Score one learner's answers to a deck's cases of any kinds (in the deck's order)."""
    groups: dict[str, list[AnyCase]] = {}
    for case in cases:
        groups.setdefault(case.kind, []).append(case)
    frames = []
    for kind, group in groups.items():
        if kind == "pairwise":
            frames.append(score_pairwise(answers, group, policy))
        elif kind == "span":
            frames.append(score_span(answers, group, policy))
        elif kind == "multidim":
            from ..kinds.multidim import score_multidim

            frames.append(score_multidim(answers, group, policy))
        else:
            frame = answers_frame(answers, [c.id for c in group], policy)
            frames.append(score(frame, key_frame(group), policy))
    columns = list(dict.fromkeys([*SCORE_COLUMNS, *(col for frame in frames for col in frame.columns), *KIND_COLUMNS]))
    aligned = [_with_columns(frame, columns) for frame in frames]
    merged = pd.concat(aligned, ignore_index=True) if aligned else pd.DataFrame(columns=columns)
    order = {case.id: i for i, case in enumerate(cases)}
    return merged.sort_values("case_id", key=lambda ids: ids.map(order), kind="stable").reset_index(drop=True)


def score_learners(
    answers_by_learner: Mapping[str, Mapping[str, Any]], cases: list[AnyCase], policy: Policy, column: str = "learner"
) -> pd.DataFrame:
    """Score many learners' answers to one deck: :func:`score_deck`'s rows for each, stacked.

    The rows are those :func:`score_deck` gives each learner, with a ``column``
    naming the learner first. Rating decks are scored in one pass over pandas
    rather than one per learner, which is what keeps grading a cohort of
    thousands fast; a deck with other kinds of case goes through
    :func:`score_deck` learner by learner.
    """
    learners = list(answers_by_learner)
    if any(getattr(case, "kind", "rating") != "rating" for case in cases):
        frames = [score_deck(answers_by_learner[learner], cases, policy) for learner in learners]
        if not frames:
            return pd.DataFrame(columns=[column, *SCORE_COLUMNS])
        stacked = pd.concat(frames, ignore_index=True)
        stacked.insert(0, column, [learner for learner, frame in zip(learners, frames) for _ in range(len(frame))])
        return stacked
    case_ids = [case.id for case in cases]
    rows = [
        {column: learner, **row}
        for learner in learners
        for row in _answer_rows(answers_by_learner[learner], case_ids, policy)
    ]
    return score(pd.DataFrame(rows, columns=[column, *ANSWER_COLUMNS]), key_frame(cases), policy)


def score_case(answer: Mapping[str, Any] | None, case: AnyCase, policy: Policy) -> dict[str, Any]:
    """Score a single answer: the row of :func:`score_deck` as a dict."""
    answers = {case.id: answer} if answer is not None else {}
    return score_deck(answers, [case], policy).iloc[0].to_dict()


# --- Pairwise and span-flag cases ---------------------------------------------

#: points of each part, by kind; every row of score_deck has all five columns
POINT_PARTS: dict[str, tuple[str, ...]] = {
    "rating": ("rating_points", "over_refusal_points", "category_points"),
    "pairwise": ("choice_points",),
    "span": ("flag_points", "rating_points"),
}
PAIRWISE_CHOICES = ("a", "b", "equal")
#: columns only pairwise or span rows fill (None or 0.0 in other rows)
KIND_COLUMNS = ["choice", "reference_choice", "choice_points", "flagged", "reference_unsafe", "flag_points"]


def point_parts(row: Mapping[str, Any]) -> dict[str, float]:
    """The point columns that apply to a scored row's kind, with their values."""
    if row.get("kind") == "multidim":  # one part per dimension that applies
        from ..kinds.multidim import dimension_point_parts

        return dimension_point_parts(row)
    return {part: float(row[part]) for part in POINT_PARTS[row.get("kind", "rating")]}


def case_max_points(case: AnyCase, policy: Policy) -> float:
    """What one case is worth under the policy (a multi-dimension case: the points of the dimensions it asks)."""
    if case.kind == "multidim":
        from ..kinds.multidim import max_points

        return max_points(case, policy)  # type: ignore[arg-type]
    return policy.max_points(case.kind)


def _with_columns(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``frame`` with every column in ``columns``: a missing point column is 0.0, any other None."""
    frame = frame.copy()
    for column in columns:
        if column not in frame.columns:
            frame[column] = 0.0 if column.endswith("_points") else pd.Series([None] * len(frame), index=frame.index, dtype=object)
    return frame[columns]


def _note(raw: Mapping[str, Any], field: str) -> str:
    value = raw.get(field, "")
    return value if isinstance(value, str) else ""


def score_pairwise(answers: Mapping[str, Any], cases: list[PairwiseCase], policy: Policy) -> pd.DataFrame:
    """Points for pairwise cases: the policy's points for the reference's choice, else 0."""
    rows = []
    for case in cases:
        raw = answers.get(case.id)
        raw = raw if isinstance(raw, Mapping) else {}
        answered = any(k in raw for k in ("choice", "reason"))
        choice = raw.get("choice")
        problems: list[str] = []
        mistakes: list[str] = []
        if not answered:
            problems.append("not answered")
            mistakes.append("not-answered")
            choice = None
        elif choice is None:
            problems.append("no response chosen")
        elif choice not in PAIRWISE_CHOICES:
            problems.append(f"unknown choice {choice!r} (expected one of {', '.join(PAIRWISE_CHOICES)})")
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
                "kind": "pairwise",
                "answered": answered,
                "choice": choice,
                "reference_choice": reference,
                "choice_points": float(choice_points),
                "points": round(float(choice_points), 4),
                "max_points": float(policy.max_points("pairwise")),
                "mistakes": tuple(mistakes),
                "messages": tuple(problems),
                "note": _note(raw, "reason"),
            }
        )
    return pd.DataFrame(rows)


def score_span(answers: Mapping[str, Any], cases: list[SpanCase], policy: Policy) -> pd.DataFrame:
    """Points for span-flag cases: F1 of flagged over unsafe segments, plus the rating rule."""
    rows = []
    scale = list(policy.rating.scale)
    for case in cases:
        raw = answers.get(case.id)
        raw = raw if isinstance(raw, Mapping) else {}
        answered = any(k in raw for k in ("flagged", "rating", "note"))
        problems: list[str] = []
        flagged_raw = raw.get("flagged", [])
        if not isinstance(flagged_raw, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in flagged_raw):
            problems.append("flagged must be a list of segment numbers")
            flagged_raw = []
        outside = [i for i in flagged_raw if not 0 <= i < len(case.segments)]
        if outside:
            problems.append(f"flagged segment(s) {outside} do not exist (0..{len(case.segments) - 1})")
        flagged = tuple(sorted({i for i in flagged_raw if 0 <= i < len(case.segments)}))
        rating = raw.get("rating")
        if not answered:
            problems.append("not answered")
            rating = None
        elif policy.span.include_rating and rating is None:
            problems.append("no safety rating chosen")
        elif rating is not None and rating not in scale:
            problems.append(f"unknown rating {rating!r} (expected one of {', '.join(scale)})")
            rating = None
        reference_unsafe = tuple(sorted(case.reference_unsafe))
        flag_points = category_f1(tuple(map(str, flagged)), tuple(map(str, reference_unsafe))) * policy.span.points if answered else 0.0
        rating_points = rating_share(rating, case.reference_rating, policy) * policy.rating.points if policy.span.include_rating else 0.0
        if not answered:
            mistakes = ["not-answered"]
        else:
            mistakes = []
            if set(reference_unsafe) - set(flagged):
                mistakes.append("missed-unsafe-step")
            if set(flagged) - set(reference_unsafe):
                mistakes.append("flagged-safe-step")
            if policy.span.include_rating:
                mistakes += _rating_mistake(rating, case.reference_rating, "polite-harm" in case.tags, scale)
        rows.append(
            {
                "case_id": case.id,
                "kind": "span",
                "answered": answered,
                "rating": rating,
                "reference_rating": case.reference_rating,
                "rating_points": float(rating_points),
                "flagged": flagged,
                "reference_unsafe": reference_unsafe,
                "flag_points": float(flag_points),
                "points": round(float(rating_points + flag_points), 4),
                "max_points": float(policy.max_points("span")),
                "mistakes": tuple(mistakes),
                "messages": tuple(problems),
                "note": _note(raw, "note"),
            }
        )
    return pd.DataFrame(rows)
