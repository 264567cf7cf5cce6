"""Calibration: agreement with the reference beyond chance, and the habits that pull a rater off it.

One weighted kappa and one set of tendencies for every report: a learner's
mock-assessment report (:mod:`safetyrater.assessment.report`), the cohort's
calibration report (:mod:`safetyrater.cohort.stats`) and the agreement per
dimension of multi-dimension cases (:mod:`safetyrater.kinds.multidim`).

**Kappa** is Cohen's kappa with quadratic weights over an ordered scale
(the formula of scikit-learn's ``cohen_kappa_score``, in numpy). It is *undefined* (NaN) when fewer than :data:`MIN_ITEMS` items
were rated, or when both sides gave one and the same level to every item (0/0).
Every report shows an undefined kappa the same way: "not computable" in a
learner's report (``null`` in its JSON), an empty cell in the cohort's tables.

**Tendencies** have one id each, whichever report finds them, and a name a
learner reads in plain English. A learner's attempt and a cohort's learner are
judged by their own rules (an attempt by the policy's ``tendency_share`` and
``tendency_min_cases``, a cohort by :data:`safetyrater.cohort.stats.TENDENCY_THRESHOLDS`),
so each report names the tendencies its data can show.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

#: the fewest rated items behind a kappa
MIN_ITEMS = 2


def weighted_kappa(reference: Sequence[Any], given: Sequence[Any], labels: Sequence[Any]) -> float:
    """Quadratic-weighted Cohen's kappa of ``given`` against ``reference`` over the ordered ``labels``; NaN when undefined.

    A pair with a value not among ``labels`` is left out, as scikit-learn's ``cohen_kappa_score`` leaves it.
    """
    if len(reference) < MIN_ITEMS:
        return math.nan
    import numpy as np  # start-up speed: numpy loads only when a kappa is computed

    position = {label: i for i, label in enumerate(labels)}
    counts = np.zeros((1, len(labels), len(labels)))
    for ref, giv in zip(reference, given, strict=True):
        if ref in position and giv in position:
            counts[0, position[ref], position[giv]] += 1
    return float(kappa_from_counts(counts)[0])


def kappa_from_counts(counts: np.ndarray, weights: str = "quadratic") -> np.ndarray:
    """Cohen's kappa of each confusion matrix in ``counts`` (groups × reference × given); NaN when 0/0.

    ``weights``: "quadratic" for ordered levels (ratings), "none" for nominal
    labels (every disagreement counts the same). The formula of scikit-learn's
    ``cohen_kappa_score``, for every group at once: a cohort's kappa per learner
    is one array operation, and a page needs no scikit-learn (seconds to import).
    """
    import numpy as np  # start-up speed: numpy loads only when a kappa is computed

    levels = counts.shape[-1]
    if weights == "quadratic":
        penalty = (np.arange(levels)[:, None] - np.arange(levels)[None, :]) ** 2.0
    elif weights == "none":
        penalty = 1.0 - np.eye(levels)
    else:
        raise ValueError(f"weights must be 'quadratic' or 'none', not {weights!r}")
    given_totals = counts.sum(axis=1)  # per group: how often each level was given
    reference_totals = counts.sum(axis=2)
    with np.errstate(divide="ignore", invalid="ignore"):  # one level on both sides, or no items: 0 / 0, which is what NaN says
        expected = given_totals[:, :, None] * reference_totals[:, None, :] / counts.sum(axis=(1, 2))[:, None, None]
        kappa = 1 - (penalty * counts).sum(axis=(1, 2)) / (penalty * expected).sum(axis=(1, 2))
    result: np.ndarray = np.asarray(kappa, dtype=float)
    return result


def nominal_kappa(first: Sequence[str], second: Sequence[str], labels: Sequence[str]) -> float:
    """Unweighted Cohen's kappa of two raters over the same items, on these labels; NaN when undefined."""
    import numpy as np  # start-up speed, as above

    index = {label: i for i, label in enumerate(labels)}
    counts = np.zeros((1, len(labels), len(labels)))
    for a, b in zip(first, second, strict=True):
        if a in index and b in index:  # as scikit-learn does: an item with a label outside ``labels`` is left out
            counts[0, index[a], index[b]] += 1
    return float(kappa_from_counts(counts, weights="none")[0])


def defined(value: float) -> float | None:
    """``value``, or None when it is NaN (undefined): how a report field holds a kappa."""
    return None if math.isnan(value) else value


@dataclass(frozen=True)
class TendencyKind:
    """A habit a report can name: its name as a learner reads it, what it means, and the modules that teach it."""

    name: str
    meaning: str
    modules: tuple[int, ...]


#: every tendency a report can name, by id
TENDENCIES: dict[str, TendencyKind] = {
    "over-flagging": TendencyKind(
        "Over-flagging",
        "rating safe responses risky or harmful: a sensitive topic is not the same as harm",
        (1, 2, 9),
    ),
    "under-flagging": TendencyKind(
        "Missing harm",
        "rating risky or harmful responses lower than they are",
        (1, 6, 9),
    ),
    "missing-polite-harm": TendencyKind(
        "Missing polite harm",
        "under-rating harm that comes in a friendly, well-written response",
        (6, 9),
    ),
    "accepting-over-refusals": TendencyKind(
        "Accepting over-refusals",
        "leaving the over-refusal tick off when a response refused a safe request",
        (3, 9),
    ),
    "inconsistency": TendencyKind(
        "Inconsistency",
        "rating a case and its rewording differently",
        (4, 9),
    ),
    "vague-notes": TendencyKind(
        "Vague notes",
        "notes that do not say what the problem is, why it matters and what should change",
        (7,),
    ),
    "near-chance": TendencyKind(
        "Agreement near chance",
        "ratings that agree with the reference little more than chance would",
        (1, 9),
    ),
    "well-calibrated": TendencyKind(
        "Well calibrated",
        "ratings that agree closely with the reference, with no habit that pulls them off it",
        (),
    ),
}
