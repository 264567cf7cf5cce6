"""The schema of the case bank, the taxonomy, the decks and the grading policy.

pydantic enforces it; ``safetyrater validate`` and every loader go through these
models, so a bad row is reported the same way everywhere.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

RATINGS: tuple[str, ...] = ("safe", "risky", "harmful")
Rating = Literal["safe", "risky", "harmful"]
Difficulty = Literal["easy", "medium", "hard"]
Tag = Literal[
    "polite-harm",
    "alarming-safe",
    "full-refusal",
    "partial-refusal",
    "context-dependent",
    "missing-caveat",
    "overconfident",
]

Use = Literal["lesson", "exercise", "assessment"]
Domain = Literal["health", "law", "finance", "cybersecurity", "education"]

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
#: How a case shows operational detail it has left out, e.g. ``[REDACTED: quantities]``.
REDACTION_MARKER = re.compile(r"\[REDACTED(?::[^\]]*)?\]")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Category(Strict):
    """One risk area of the taxonomy, mapped to public hazard taxonomies."""

    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    definition: str = Field(min_length=10)
    harmful: str = Field(min_length=10)
    fine: str = Field(min_length=10)
    over_refusal_traps: str = Field(min_length=10)
    ailuminate: list[str] = Field(min_length=1)
    llama_guard_3: list[str] = Field(min_length=1)

    @field_validator("llama_guard_3")
    @classmethod
    def _known_llama_guard_codes(cls, codes: list[str]) -> list[str]:
        valid = {f"S{i}" for i in range(1, 15)}
        bad = [c for c in codes if c not in valid]
        if bad:
            raise ValueError(f"unknown Llama Guard 3 code(s) {bad}; expected S1..S14")
        return codes


class Turn(Strict):
    """One earlier turn of a conversation, shown as a turn (not summarised)."""

    role: Literal["user", "assistant", "tool", "system"]
    content: str = Field(min_length=1, max_length=20_000)


class _CaseBase(Strict):
    """Fields every kind of case shares."""

    id: str = Field(pattern=ID_PATTERN, max_length=64)
    prompt: str = Field(min_length=1, max_length=20_000)
    context: str | None = Field(default=None, max_length=5_000)
    categories: list[str] = Field(min_length=1)
    difficulty: Difficulty
    rationale: str = Field(min_length=40, max_length=5_000)
    tags: list[Tag] = Field(default_factory=list)
    no_operational_content: bool = False
    #: the course module (1-12) the case was written for
    module: int | None = Field(default=None, ge=1, le=12)
    #: lesson cases are shown with their reference; exercise and assessment
    #: cases grade learners and their references stay out of what learners receive
    use: Use = "lesson"
    domain: Domain | None = None
    #: shown before the case, which stays hidden until the learner reveals it
    content_warning: str | None = Field(default=None, max_length=300)
    #: the id of a case this one rewords (a consistency probe in assessments)
    variant_of: str | None = Field(default=None, pattern=ID_PATTERN)
    #: earlier turns of the conversation, oldest first; ``prompt`` is the last user turn
    turns: list[Turn] = Field(default_factory=list, max_length=40)
    #: the clause of datasets/severity.toml that decided the reference rating
    decided_by: str | None = Field(default=None, pattern=ID_PATTERN)
    #: the version of the severity rule the case was labelled under
    rule_version: int | None = Field(default=None, ge=1)
    #: cases sharing this id are a contrast set: the same topic and wording, different labels
    contrast_group: str | None = Field(default=None, pattern=ID_PATTERN)

    @field_validator("categories")
    @classmethod
    def _unique_categories(cls, categories: list[str]) -> list[str]:
        if len(set(categories)) != len(categories):
            raise ValueError("categories lists an id twice")
        return categories


class Case(_CaseBase):
    """A rating case: a prompt, one response and the reference judgment."""

    kind: Literal["rating"] = "rating"
    response: str = Field(min_length=1, max_length=50_000)
    reference_rating: Rating
    over_refusal: bool
    #: cases sharing a context_pair id make the same request in different contexts
    context_pair: str | None = Field(default=None, pattern=ID_PATTERN)

    @model_validator(mode="after")
    def _consistent(self) -> Case:
        if self.over_refusal and self.reference_rating != "safe":
            raise ValueError(
                "an over-refusal is a refusal of a safe request, so its "
                "reference_rating must be 'safe'"
            )
        return self

    @property
    def is_redacted(self) -> bool:
        return bool(REDACTION_MARKER.search(self.response))


class PairwiseCase(_CaseBase):
    """Two responses to one prompt: which has more harm potential, or are they equal?"""

    kind: Literal["pairwise"]
    response_a: str = Field(min_length=1, max_length=50_000)
    response_b: str = Field(min_length=1, max_length=50_000)
    reference_choice: Literal["a", "b", "equal"]

    @property
    def is_redacted(self) -> bool:
        return bool(REDACTION_MARKER.search(self.response_a + self.response_b))


class SpanCase(_CaseBase):
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


# --- multi-dimension cases (issue 10) -------------------------------------------------
class MultidimCase(_CaseBase):
    """One response rated on several dimensions at once (graders/dimensions.toml).

    ``references`` gives the reference level of each dimension by id, e.g.
    ``{"safety": "safe", "helpfulness": "unhelpful", "honesty": "accurate"}``;
    with ``response_b`` the learner also states an overall preference between
    the two responses (a dimension that applies to pairs). Levels are checked
    against the dimension file when the bank loads (:mod:`safetyrater.dimensions`).
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
# --- end multi-dimension cases ---------------------------------------------------------


AnyCase = Case | PairwiseCase | SpanCase | MultidimCase


class PublicCase(Strict):
    """What a learner receives of a graded case: the text to rate, never its reference.

    A learner kit (``safetyrater hub kit``) ships graded cases in this form in
    ``datasets/public/``. Unknown fields are errors, so a public file that carries
    a reference rating, a rationale or the reference categories fails validation.
    """

    id: str = Field(pattern=ID_PATTERN, max_length=64)
    kind: Literal["rating", "pairwise", "span", "multidim"] = "rating"
    prompt: str = Field(min_length=1, max_length=20_000)
    context: str | None = Field(default=None, max_length=5_000)
    response: str | None = Field(default=None, min_length=1, max_length=50_000)
    response_a: str | None = Field(default=None, min_length=1, max_length=50_000)
    response_b: str | None = Field(default=None, min_length=1, max_length=50_000)
    segments: list[str] | None = Field(default=None, min_length=2, max_length=40)
    content_warning: str | None = Field(default=None, max_length=300)

    @model_validator(mode="after")
    def _has_its_kinds_text(self) -> PublicCase:
        needed = {"rating": ["response"], "pairwise": ["response_a", "response_b"], "span": ["segments"], "multidim": ["response"]}[self.kind]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.kind} case needs {', '.join(missing)}")
        return self

    @classmethod
    def of(cls, case: AnyCase) -> PublicCase:
        """The public part of a full case."""
        if isinstance(case, PairwiseCase):
            text: dict[str, object] = {"response_a": case.response_a, "response_b": case.response_b}
        elif isinstance(case, SpanCase):
            text = {"segments": list(case.segments)}
        elif isinstance(case, MultidimCase):  # response_b, if any, is shown for the overall preference
            text = {"response": case.response, **({"response_b": case.response_b} if case.response_b else {})}
        else:
            text = {"response": case.response}
        return cls(
            id=case.id,
            kind=case.kind,
            prompt=case.prompt,
            context=case.context,
            content_warning=case.content_warning,
            **text,
        )


CASE_MODELS: dict[str, type[_CaseBase]] = {"rating": Case, "pairwise": PairwiseCase, "span": SpanCase, "multidim": MultidimCase}


class Deck(Strict):
    """An ordered set of cases shown by one lesson (practice) or exercise (graded)."""

    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    mode: Literal["practice", "graded"]
    cases: list[str] = Field(min_length=1)

    @field_validator("cases")
    @classmethod
    def _unique(cls, cases: list[str]) -> list[str]:
        seen: set[str] = set()
        for case_id in cases:
            if case_id in seen:
                raise ValueError(f"case {case_id!r} appears twice")
            seen.add(case_id)
        return cases


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
# --- multi-dimension policy (issue 10) ------------------------------------------------
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
        credit = override.credit_by_distance if override is not None and override.credit_by_distance is not None else self.credit_by_distance
        return float(credit[distance]) if 0 <= distance < len(credit) else 0.0
# --- end multi-dimension policy ---------------------------------------------------------


class Policy(Strict):
    """The grading policy an instructor edits in ``graders/policy.toml``."""

    rating: RatingPolicy = Field(default_factory=RatingPolicy)
    over_refusal: FlagPolicy = Field(default_factory=FlagPolicy)
    categories: CategoryPolicy = Field(default_factory=CategoryPolicy)
    pairwise: PairwisePolicy = Field(default_factory=PairwisePolicy)
    span: SpanPolicy = Field(default_factory=SpanPolicy)
    assessment: AssessmentPolicy = Field(default_factory=AssessmentPolicy)
    feedback: FeedbackPolicy = Field(default_factory=FeedbackPolicy)
    multidim: MultidimPolicy = Field(default_factory=MultidimPolicy)  # issue 10

    @property
    def points_per_case(self) -> float:
        """The maximum of a rating case."""
        return self.rating.points + self.over_refusal.points + self.categories.points

    def max_points(self, kind: str) -> float:
        """The maximum of one case of ``kind`` (rating, pairwise or span)."""
        if kind == "pairwise":
            return self.pairwise.points
        if kind == "span":
            return self.span.points + (self.rating.points if self.span.include_rating else 0.0)
        return self.points_per_case
