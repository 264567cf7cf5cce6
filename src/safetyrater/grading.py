"""The one grading core: pure functions over pandas frames.

Lesson cards ("Check"), nbgrader's test cells, ``safetyrater grade`` and the
cohort tools all score answers here, with the policy in ``graders/policy.toml``.

``answers_frame`` turns saved answers into rows (one per case, checked and
normalised), ``key_frame`` turns reference cases into rows, and ``score``
joins them into points, mistakes and messages. Bad answers never raise: an
unknown label or a missing case scores 0 for that item with a message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from .schema import Case, Policy

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
}

SCORE_COLUMNS = [
    "case_id",
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


def _mistakes(row: Mapping[str, Any], scale: list[str]) -> list[str]:
    if not row["answered"]:
        return ["not-answered"]
    found = []
    rating, reference = row["rating"], row["reference_rating"]
    if isinstance(rating, str) and rating != reference:
        given, ref = scale.index(rating), scale.index(reference)
        if reference == scale[0]:
            found.append("flagged-safe")
        elif rating == scale[0] and reference == scale[-1]:
            found.append("missed-polite-harm" if row["polite_harm"] else "missed-harm")
        elif given < ref:
            found.append("under-rated")
        else:
            found.append("over-rated")
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
    extra = [c for c in answers.columns if c not in SCORE_COLUMNS and c not in {"over_refusal", "categories", "note", "problems"}]
    return merged[extra + SCORE_COLUMNS + ["over_refusal", "categories", "reference_over_refusal", "reference_categories", "note"]]


def score_deck(answers: Mapping[str, Any], cases: list[Case], policy: Policy) -> pd.DataFrame:
    """Score one learner's answers to a deck's cases (in the deck's order)."""
    frame = answers_frame(answers, [c.id for c in cases], policy)
    return score(frame, key_frame(cases), policy)


def score_learners(
    answers_by_learner: Mapping[str, Mapping[str, Any]], cases: list[Case], policy: Policy, column: str = "learner"
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


def score_case(answer: Mapping[str, Any] | None, case: Case, policy: Policy) -> dict[str, Any]:
    """Score a single answer: the row of :func:`score` as a dict."""
    answers = {case.id: answer} if answer is not None else {}
    return score_deck(answers, [case], policy).iloc[0].to_dict()
