"""Calibration statistics: per learner, per case and for the whole cohort.

Everything is computed from the fast lane's tidy scores, over the rating cases
(other kinds of case count in the points but not in rating statistics):

* per learner: accuracy (exact rating), quadratic-weighted Cohen's kappa
  against the reference (scikit-learn), the confusion matrix over the rating
  scale, the over-flag rate (benign responses rated above safe), the
  under-flag rate (harmful responses rated below harmful), over-refusal recall
  (over-refusals ticked as such), the same per risk category, the course's
  named mistakes, and the tendencies these add up to;
* per case: difficulty (share of learners with the exact rating and mean share
  of points), discrimination (upper-lower index and item-rest correlation:
  do learners strong on the rest of the course do better on this case?),
  how the learners' ratings split across the scale (the share giving each
  rating, and ``split``: the share who did not give the most common one), and
  a "review the key" list of cases where most strong learners disagree with
  the reference;
* cohort: Krippendorff's alpha (ordinal) across learners, overall and per
  category (the ``krippendorff`` package).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import krippendorff
import numpy as np
import pandas as pd

from ..bank.schema import RATINGS
from ..grading.calibration import MIN_ITEMS, kappa_from_counts
from ..kinds import mistake_words, registered
from .grade import NOTES_CASE

if TYPE_CHECKING:
    from .grade import CohortGrades

#: share of learners in each of the upper and lower groups (Kelley's 27 %)
GROUP_SHARE = 0.27
#: the fewest strong learners whose answers can put a case on the review list
REVIEW_MIN_STRONG = 3
#: a tendency (of :data:`safetyrater.grading.calibration.TENDENCIES`) is named when a rate passes
#: its threshold (over a majority of the cases it counts, never on one case) or kappa lies below /
#: at least these values
TENDENCY_THRESHOLDS = {"over_flag_rate": 0.5, "under_flag_rate": 0.5, "over_refusal_recall": 0.5, "kappa_low": 0.2, "kappa_high": 0.8}
#: the fewest cases behind a rate, a kappa or an alpha
MIN_CASES = MIN_ITEMS


@dataclass
class CohortStats:
    """The calibration tables of one cohort."""

    #: one row per learner
    learners: pd.DataFrame
    #: one row per learner × risk category
    learner_categories: pd.DataFrame
    #: learner, reference, given, count (rating cases)
    confusion: pd.DataFrame
    #: learner × mistake code: how often
    mistakes: pd.DataFrame
    #: one row per case
    cases: pd.DataFrame
    #: cases where most strong learners disagree with the reference
    review_key: pd.DataFrame
    #: Krippendorff's alpha overall ("all") and per category
    agreement: pd.DataFrame


def rating_kinds() -> list[str]:
    """The kinds whose scored rows are rating statistics' rows (rating cases)."""
    return [kind.name for kind in registered() if kind.rating_statistics]


def rating_rows(scores: pd.DataFrame) -> pd.DataFrame:
    """Rating cases that were answered with a rating on the scale, with positions on the scale."""
    rows = scores[scores["kind"].isin(rating_kinds()) & scores["rating"].notna() & scores["rating"].isin(RATINGS)].copy()
    position = {label: i for i, label in enumerate(RATINGS)}
    rows["given"] = rows["rating"].map(position).astype(int)
    rows["reference"] = rows["reference_rating"].map(position).astype(int)
    rows["exact"] = rows["given"] == rows["reference"]
    return rows


def kappa_by_learner(rows: pd.DataFrame) -> pd.Series:
    """Each learner's weighted kappa from their confusion counts, every learner in one array operation (NaN below MIN_ITEMS items)."""
    codes, learners = pd.factorize(rows["learner"], sort=True)
    levels = len(RATINGS)
    counts = np.zeros((len(learners), levels, levels))
    np.add.at(counts, (codes, rows["reference"].to_numpy(dtype=int), rows["given"].to_numpy(dtype=int)), 1)
    kappa = kappa_from_counts(counts)
    kappa[counts.sum(axis=(1, 2)) < MIN_ITEMS] = np.nan
    return pd.Series(kappa, index=learners, dtype=float)


def _rates(rows: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Accuracy, over-flag, under-flag and over-refusal recall, grouped by ``by``."""
    top = len(RATINGS) - 1
    frame = rows.assign(
        benign=rows["reference"] == 0,
        harmful=rows["reference"] == top,
        over_flagged=(rows["reference"] == 0) & (rows["given"] > 0),
        under_flagged=(rows["reference"] == top) & (rows["given"] < top),
        over_refusal_case=rows["reference_over_refusal"] == True,  # noqa: E712 (a column of objects)
        over_refusal_caught=(rows["reference_over_refusal"] == True) & (rows["over_refusal"] == True),  # noqa: E712
    )
    grouped = frame.groupby(by, sort=True)
    sums = grouped[["exact", "benign", "harmful", "over_flagged", "under_flagged", "over_refusal_case", "over_refusal_caught"]].sum()
    table = pd.DataFrame(
        {
            "rated": grouped.size(),
            "accuracy": sums["exact"] / grouped.size(),
            "benign": sums["benign"],
            "over_flag_rate": sums["over_flagged"] / sums["benign"].where(sums["benign"] > 0),
            "harmful": sums["harmful"],
            "under_flag_rate": sums["under_flagged"] / sums["harmful"].where(sums["harmful"] > 0),
            "over_refusals": sums["over_refusal_case"],
            "over_refusal_recall": sums["over_refusal_caught"] / sums["over_refusal_case"].where(sums["over_refusal_case"] > 0),
        }
    )
    return table


def _tendencies(row: pd.Series) -> str:
    found = []
    limits = TENDENCY_THRESHOLDS
    if row["benign"] >= MIN_CASES and row["over_flag_rate"] > limits["over_flag_rate"]:
        found.append("over-flagging")
    if row["harmful"] >= MIN_CASES and row["under_flag_rate"] > limits["under_flag_rate"]:
        found.append("under-flagging")
    if row["over_refusals"] >= MIN_CASES and row["over_refusal_recall"] < limits["over_refusal_recall"]:
        found.append("accepting-over-refusals")
    if row["kappa"] == row["kappa"] and row["kappa"] < limits["kappa_low"]:
        found.append("near-chance")
    if not found and row["kappa"] == row["kappa"] and row["kappa"] >= limits["kappa_high"]:
        found.append("well-calibrated")
    return ";".join(found)


def learner_table(scores: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Per learner: scores, agreement and tendencies; per learner × category; confusion; mistakes."""
    words = mistake_words()
    learners = sorted(scores["learner"].unique())
    rows = rating_rows(scores)
    # points include the written-feedback rows; case counts are of cases only
    totals = scores.groupby("learner").agg(points=("points", "sum"), max=("max", "sum"))
    items = scores[scores["case"] != NOTES_CASE]
    totals = totals.join(items.groupby("learner").agg(cases=("case", "size"), answered=("answered", "sum")))
    totals[["cases", "answered"]] = totals[["cases", "answered"]].fillna(0).astype(int)
    totals["score_share"] = totals["points"] / totals["max"].where(totals["max"] > 0)
    table = totals.join(_rates(rows, ["learner"]), how="left")
    table["kappa"] = kappa_by_learner(rows)
    table[["rated", "benign", "harmful", "over_refusals"]] = table[["rated", "benign", "harmful", "over_refusals"]].fillna(0).astype(int)

    exploded = scores[["learner", "mistakes"]].explode("mistakes").dropna()
    mistakes = exploded.groupby(["learner", "mistakes"]).size().unstack(fill_value=0)
    mistakes = mistakes.reindex(index=learners, columns=[code for code in words if code in mistakes.columns], fill_value=0)
    mistakes.columns.name = None

    # each learner's counts of each mistake, in the order the kinds name them
    counted = {str(learner): {str(code): int(n) for code, n in row.items() if n > 0} for learner, row in mistakes.iterrows()}

    def named(learner: str) -> str:
        top = sorted(counted.get(learner, {}).items(), key=lambda item: -item[1])[:3]  # stable: ties keep that order
        return "; ".join(f"{words[code]} ×{count}" for code, count in top)

    table["top_mistakes"] = [named(learner) for learner in table.index]
    table["tendencies"] = table.apply(_tendencies, axis=1)
    table = table.reindex(learners)
    table.index.name = "learner"

    by_category = rows.assign(category=rows["reference_categories"]).explode("category")
    categories = _rates(by_category, ["learner", "category"]).reset_index()

    confusion = rows.groupby(["learner", "reference_rating", "rating"]).size().rename("count").reset_index()
    confusion = confusion.rename(columns={"reference_rating": "reference", "rating": "given"})
    return table.reset_index(), categories, confusion, mistakes


def case_table(scores: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per case: difficulty and discrimination; and the review-the-key list."""
    statistics_kinds = rating_kinds()
    scores = scores[scores["status"] != "not-submitted"]
    share = scores.assign(share=scores["points"] / scores["max"].where(scores["max"] > 0))
    per_learner = share.groupby("learner").agg(points=("points", "sum"), max=("max", "sum"))
    rows = rating_rows(scores).set_index(["learner", "case"])
    records = []
    review = []
    for (exercise, case), group in share.groupby(["exercise", "case"], sort=False):
        group = group.set_index("learner")
        # strength on the rest of the course, so a wrong key does not make its own critics look weak
        rest = (per_learner["points"] - group["points"]) / (per_learner["max"] - group["max"]).where(lambda m: m > 0)
        rest = rest.reindex(group.index)
        size = max(1, int(round(GROUP_SHARE * len(group))))
        order = rest.sort_values(kind="stable").index
        lower, upper = order[:size], order[-size:]
        discrimination = float(group.loc[upper, "share"].mean() - group.loc[lower, "share"].mean()) if len(group) >= 2 else float("nan")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            item_rest = float(group["share"].corr(rest)) if len(group) >= 3 else float("nan")
        kind = group["kind"].iloc[0]
        record = {
            "exercise": exercise,
            "case": case,
            "kind": kind,
            "learners": len(group),
            "mean_share": float(group["share"].mean()),
            "discrimination": discrimination,
            "item_rest_r": item_rest,
        }
        if kind in statistics_kinds:
            reference = group["reference_rating"].iloc[0]
            rated = rows.loc[rows.index.get_level_values("case") == case]
            rated = rated.droplevel("case")
            record["reference_rating"] = reference
            record["p_exact"] = float(rated["exact"].mean()) if len(rated) else float("nan")
            record["most_given"] = rated["rating"].mode().iloc[0] if len(rated) else None
            shares = rated["rating"].value_counts(normalize=True).reindex(list(RATINGS), fill_value=0.0)
            for rating, given_share in shares.items():
                record[f"given_{rating}"] = float(given_share) if len(rated) else float("nan")
            # how divided the learners are: the share who did not give the most common rating
            record["split"] = 1.0 - float(shares.max()) if len(rated) else float("nan")
            strong = rated.reindex(upper).dropna(subset=["rating"])
            if len(strong) >= REVIEW_MIN_STRONG:
                record["strong_disagree"] = float((strong["rating"] != reference).mean())
                # the key is in doubt when most strong learners agree on another rating
                counts = strong["rating"].value_counts()
                choice, strong_share = counts.index[0], float(counts.iloc[0] / len(strong))
                if choice != reference and strong_share > 0.5:
                    review.append(
                        {
                            "exercise": exercise,
                            "case": case,
                            "reference_rating": reference,
                            "strong_learners": len(strong),
                            "strong_most_given": choice,
                            "strong_share": strong_share,
                        }
                    )
        records.append(record)
    columns = [
        "exercise", "case", "kind", "learners", "reference_rating", "p_exact", "mean_share", "most_given",
        *[f"given_{rating}" for rating in RATINGS], "split", "discrimination", "item_rest_r", "strong_disagree",
    ]
    cases = pd.DataFrame(records).reindex(columns=columns)
    review_columns = ["exercise", "case", "reference_rating", "strong_learners", "strong_most_given", "strong_share"]
    return cases, pd.DataFrame(review, columns=review_columns)


def _alpha(matrix: pd.DataFrame) -> float:
    data = matrix.to_numpy(dtype=float)
    if data.shape[0] < 2 or data.shape[1] < MIN_CASES or len(np.unique(data[~np.isnan(data)])) < 2:
        return float("nan")
    try:
        return float(krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal", value_domain=list(range(len(RATINGS)))))
    except (ValueError, ZeroDivisionError):
        return float("nan")


def agreement_table(scores: pd.DataFrame) -> pd.DataFrame:
    """Krippendorff's alpha (ordinal) across learners, over all rating cases and per category."""
    rows = rating_rows(scores)
    matrix = rows.pivot_table(index="learner", columns="case", values="given", aggfunc="first")
    records = [{"category": "all", "cases": matrix.shape[1], "alpha": _alpha(matrix)}]
    case_categories = rows.drop_duplicates("case").set_index("case")["reference_categories"]
    for category in sorted({c for cats in case_categories for c in cats}):
        cases = [case for case, cats in case_categories.items() if category in cats]
        records.append({"category": category, "cases": len(cases), "alpha": _alpha(matrix[cases])})
    return pd.DataFrame(records)


def cohort_stats(grades: CohortGrades) -> CohortStats:
    """Every calibration table of a graded cohort."""
    scores = grades.scores
    learners, categories, confusion, mistakes = learner_table(scores)
    cases, review = case_table(scores)
    return CohortStats(
        learners=learners,
        learner_categories=categories,
        confusion=confusion,
        mistakes=mistakes,
        cases=cases,
        review_key=review,
        agreement=agreement_table(scores),
    )
