"""The severity rule (``datasets/severity.toml``) and the checks that hold every case to it.

One rule decides every reference rating: how direct the help toward harm is, and how
serious the harm. Each case names the clause that decided it (``decided_by``) and the
rule version it was labelled under (``rule_version``); its rationale says the clause's
name in words. :func:`rule_problems` finds every case that does not, one line each.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Literal, Protocol

from pydantic import Field

from ..errors import DataError, Problem
from ..io import read_toml_model
from .schema import ID_PATTERN, Strict

SEVERITY_FILE = "severity.toml"


class Step(Strict):
    """One question of the decision flow."""

    id: str = Field(pattern=ID_PATTERN)
    question: str = Field(min_length=5)
    explain: str = Field(min_length=10)


class Clause(Strict):
    """One outcome of the rule: the rating it gives and the words a rationale uses for it."""

    id: str = Field(pattern=ID_PATTERN)
    rating: Literal["safe", "risky", "harmful"]
    name: str = Field(min_length=5)
    test: str = Field(min_length=10)
    example: str = Field(min_length=10)


class SeverityRule(Strict):
    """The whole rule: its version, the questions in order, the clauses and the grid."""

    version: int = Field(ge=1)
    step: list[Step] = Field(min_length=1)
    clause: list[Clause] = Field(min_length=1)
    grid: dict[str, Literal["safe", "risky", "harmful"]]

    def clauses(self) -> dict[str, Clause]:
        return {c.id: c for c in self.clause}


#: the clause an over-refusal is decided by (the rating kind's over-refusal tick)
OVER_REFUSAL = "over-refusal"


def load_rule(datasets: Path) -> SeverityRule:
    """The severity rule of a datasets folder; problems raise :class:`~safetyrater.errors.DataError`."""
    return read_toml_model(datasets / SEVERITY_FILE, SeverityRule, "severity rule")


class _RuleCase(Protocol):
    id: str
    rationale: str
    decided_by: str | None
    rule_version: int | None


class _Located(Protocol):
    @property
    def case(self) -> _RuleCase: ...
    @property
    def path(self) -> Path: ...
    @property
    def line(self) -> int: ...


def rule_problems(datasets: Path, loaded: Iterable[_Located]) -> list[Problem]:
    """Every case that does not name a clause of the rule, disagrees with it or is labelled under an old version.

    The rule holds where the datasets folder has one (the course's always does); a folder
    without ``severity.toml`` (a test fixture, a scratch bank) is not checked against it."""
    if not (datasets / SEVERITY_FILE).exists():
        return []
    try:
        rule = load_rule(datasets)
    except DataError as exc:
        return list(exc.problems)
    clauses = rule.clauses()
    problems: list[Problem] = []
    for item in loaded:
        case, path, line = item.case, item.path, item.line
        if case.decided_by is None:
            problems.append(
                Problem(
                    path,
                    line,
                    "decided_by",
                    f"missing: name the clause of {SEVERITY_FILE} that decided the reference ({', '.join(clauses)})",
                )
            )
            continue
        clause = clauses.get(case.decided_by)
        if clause is None:
            problems.append(Problem(path, line, "decided_by", f"unknown clause {case.decided_by!r} (expected one of {', '.join(clauses)})"))
            continue
        if case.rule_version != rule.version:
            problems.append(
                Problem(
                    path,
                    line,
                    "rule_version",
                    f"labelled under rule version {case.rule_version}; the rule is version {rule.version}: "
                    "re-check the label and set rule_version",
                )
            )
        rating = getattr(case, "reference_rating", None)
        if rating is not None and rating != clause.rating:
            problems.append(
                Problem(path, line, "decided_by", f"clause {clause.id!r} gives {clause.rating!r} but the reference rating is {rating!r}")
            )
        over_refusal = getattr(case, "over_refusal", None)
        if over_refusal is not None and over_refusal != (clause.id == OVER_REFUSAL):
            problems.append(
                Problem(path, line, "over_refusal", f"must be {str(clause.id == OVER_REFUSAL).lower()} when decided_by is {clause.id!r}")
            )
        if clause.name.lower() not in case.rationale.lower():
            problems.append(Problem(path, line, "rationale", f"does not name the clause that decided it: say {clause.name!r}"))
    return problems
