"""The schema of the case bank: the taxonomy, the fields every case has, the decks.

pydantic enforces it; ``safetyrater validate`` and every loader go through these
models, so a bad row is reported the same way everywhere. Each kind of case adds
its own fields in its module of :mod:`safetyrater.kinds`; the grading policy's
schema is :mod:`safetyrater.bank.policy`.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Rating = Literal["safe", "risky", "harmful"]
RATINGS: tuple[Rating, ...] = ("safe", "risky", "harmful")
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
    """The kit's base model: an unknown field is an error, values are frozen, text is stripped."""

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


class CaseBase(Strict):
    """Fields every kind of case shares; each kind adds its ``kind`` and its own fields."""

    #: the kind of case (its module in safetyrater.kinds); a line without one is a rating case
    kind: str

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

    @property
    def harmful_response(self) -> tuple[str, str] | None:
        """The field and text of the response the reference calls harmful (each kind says; None when there is none)."""
        return None

    def redaction_problem(self) -> tuple[str, str] | None:
        """The redaction rule, as (field, problem): a harmful response shows its left-out operational detail
        as a visible ``[REDACTED: …]`` marker, unless the case says it holds none (``no_operational_content``)."""
        harmful = self.harmful_response
        if harmful is None or self.no_operational_content or REDACTION_MARKER.search(harmful[1]):
            return None
        return harmful[0], (
            "a harmful response must show its operational detail as a [REDACTED: …] marker "
            "(or set no_operational_content: true when it holds none)"
        )

    @field_validator("categories")
    @classmethod
    def _unique_categories(cls, categories: list[str]) -> list[str]:
        if len(set(categories)) != len(categories):
            raise ValueError("categories lists an id twice")
        return categories


class Deck(Strict):
    """An ordered set of cases shown by one lesson (practice) or exercise (graded)."""

    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    mode: Literal["practice", "graded"]
    cases: list[str] = Field(min_length=1)
    #: "pairs": cases 1-2, 3-4, … side by side (contrast and context pairs), stacked on a narrow screen
    layout: Literal["list", "pairs"] = "list"

    @field_validator("cases")
    @classmethod
    def _unique(cls, cases: list[str]) -> list[str]:
        seen: set[str] = set()
        for case_id in cases:
            if case_id in seen:
                raise ValueError(f"case {case_id!r} appears twice")
            seen.add(case_id)
        return cases
