"""The grading policy: data in ``graders/policy.toml`` that an instructor edits.

One section per part of grading: the rating scale and its partial credit, the
over-refusal tick, the risk areas, each kind of case that has points of its own
(``[pairwise]``, ``[span]``, ``[multidim]``), mock assessments and returned
feedback. A missing section takes the default of PRODUCT.md. What a case of a
given kind is worth under the policy is its kind's rule
(:meth:`safetyrater.kinds.base.Kind.max_points`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from ..io import read_toml_model
from ..paths import graders_dir
from .schema import RATINGS, Rating, Strict

POLICY_FILE = "policy.toml"


class RatingPolicy(Strict):
    scale: list[Rating] = Field(default_factory=lambda: list(RATINGS))
    points: float = Field(default=1.0, ge=0)
    #: credit as a share of ``points`` by distance on the scale: exact, one off, two off
    credit_by_distance: list[float] = Field(default_factory=lambda: [1.0, 0.5, 0.0])

    @model_validator(mode="after")
    def _covers_scale(self) -> RatingPolicy:
        if sorted(self.scale) != sorted(RATINGS):
            raise ValueError(f"scale must order exactly {list(RATINGS)}")
        if len(self.credit_by_distance) != len(self.scale):
            raise ValueError("credit_by_distance needs one value per distance (0, 1, 2)")
        if any(not 0 <= c <= 1 for c in self.credit_by_distance):
            raise ValueError("credit_by_distance values must lie between 0 and 1")
        return self


class FlagPolicy(Strict):
    points: float = Field(default=1.0, ge=0)


class CategoryPolicy(Strict):
    points: float = Field(default=1.0, ge=0)
    method: Literal["f1"] = "f1"


class PairwisePolicy(Strict):
    #: for picking the response with more harm potential (or "equal"); else 0
    points: float = Field(default=1.0, ge=0)


class SpanPolicy(Strict):
    #: for the flagged segments, by overlap with the reference's unsafe ones
    points: float = Field(default=1.0, ge=0)
    method: Literal["f1"] = "f1"
    #: also score the safety rating of the whole response by the [rating] rule
    include_rating: bool = True


class AssessmentPolicy(Strict):
    """Mock assessments: form size, time, pass mark, attempt cap (see safetyrater.assessment)."""

    cases: int = Field(default=40, ge=1)
    minutes: float = Field(default=60, gt=0)
    #: pass needs both: this share of the points and this quadratic-weighted kappa
    pass_points: float = Field(default=0.80, ge=0, le=1)
    pass_kappa: float = Field(default=0.70, ge=-1, le=1)
    attempts_per_form: int = Field(default=2, ge=1)
    #: the most consistency-probe pairs one form holds (the seed picks 0 up to this)
    probe_pairs: int = Field(default=2, ge=0)
    late_answers: Literal["not-scored", "scored"] = "not-scored"
    #: show reference ratings and rationales in the report after submission
    reveal_references: bool = True
    #: a tendency is named when at least this share of the cases it concerns,
    #: and at least tendency_min_cases of them, show it
    tendency_share: float = Field(default=0.25, gt=0, le=1)
    tendency_min_cases: int = Field(default=2, ge=1)


class FeedbackPolicy(Strict):
    """What nbgrader's returned feedback shows of a graded case."""

    #: the reference rationale names the reference, so it is a key: off unless an
    #: exercise will never be reused (e.g. feedback released after the last cohort)
    show_rationale: bool = False


def _check_credit(credit: list[float]) -> list[float]:
    if not credit:
        raise ValueError("credit_by_distance needs at least one value (for an exact match)")
    if any(not 0 <= c <= 1 for c in credit):
        raise ValueError("credit_by_distance values must lie between 0 and 1")
    return credit


class DimensionPolicy(Strict):
    """Points and partial credit of one dimension, overriding the [multidim] defaults."""

    points: float | None = Field(default=None, ge=0)
    credit_by_distance: list[float] | None = None

    @field_validator("credit_by_distance")
    @classmethod
    def _credit(cls, credit: list[float] | None) -> list[float] | None:
        return None if credit is None else _check_credit(credit)


class MultidimPolicy(Strict):
    """Multi-dimension cases: each dimension scored by distance on its own scale."""

    #: points of each dimension unless ``dimensions`` says otherwise
    points: float = Field(default=1.0, ge=0)
    #: share of the points by distance from the reference: exact, one level off, ...;
    #: distances beyond the list score 0
    credit_by_distance: list[float] = Field(default_factory=lambda: [1.0, 0.5, 0.0])
    #: per-dimension overrides, by dimension id (checked against graders/dimensions.toml)
    dimensions: dict[str, DimensionPolicy] = Field(default_factory=dict)

    @field_validator("credit_by_distance")
    @classmethod
    def _credit(cls, credit: list[float]) -> list[float]:
        return _check_credit(credit)

    def points_of(self, dimension: str) -> float:
        override = self.dimensions.get(dimension)
        return override.points if override is not None and override.points is not None else self.points

    def credit_of(self, dimension: str, distance: int) -> float:
        """Share of a dimension's points for a choice ``distance`` levels from the reference."""
        override = self.dimensions.get(dimension)
        own = override.credit_by_distance if override is not None else None
        credit = own if own is not None else self.credit_by_distance
        return float(credit[distance]) if 0 <= distance < len(credit) else 0.0


class Policy(Strict):
    """The grading policy an instructor edits in ``graders/policy.toml``."""

    rating: RatingPolicy = Field(default_factory=RatingPolicy)
    over_refusal: FlagPolicy = Field(default_factory=FlagPolicy)
    categories: CategoryPolicy = Field(default_factory=CategoryPolicy)
    pairwise: PairwisePolicy = Field(default_factory=PairwisePolicy)
    span: SpanPolicy = Field(default_factory=SpanPolicy)
    assessment: AssessmentPolicy = Field(default_factory=AssessmentPolicy)
    feedback: FeedbackPolicy = Field(default_factory=FeedbackPolicy)
    multidim: MultidimPolicy = Field(default_factory=MultidimPolicy)


def policy_path(root: Path | None = None) -> Path:
    """``graders/policy.toml`` of the course at ``root`` (default: this course)."""
    return graders_dir(root) / POLICY_FILE


def load_policy(path: Path | str | None = None) -> Policy:
    """Read and validate the policy; a missing section takes the default of PRODUCT.md."""
    # the policy's problems name the section and field, not a line
    return read_toml_model(Path(path) if path is not None else policy_path(), Policy, "policy file", locate=lambda text, loc: None)
