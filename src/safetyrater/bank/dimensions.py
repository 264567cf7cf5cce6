"""The dimensions of a multi-dimension rating: data in ``graders/dimensions.toml``.

An instructor matches a platform's rubric by editing that file: each
``[[dimension]]`` has an id, a name, the question a rater answers, whether it
applies to every response or only to a pair of responses (the overall
preference), and an ordered scale of ``[[dimension.level]]`` entries with
anchored descriptions. Safety keeps the kit's three levels, so safety ratings
made on these cards join the kit's calibration statistics.

:func:`load_dimensions` validates the file with pydantic and reports every
problem as ``PATH:LINE: field: problem``; :func:`policy_problems` checks the
policy's per-dimension overrides against it (the multi-dimension kind,
:mod:`safetyrater.kinds.multidim`, checks the cases' references).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from ..errors import DataError, Problem
from ..io import load_toml, table_lines, validation_problems
from ..paths import graders_dir
from .policy import load_policy, policy_path
from .schema import ID_PATTERN, RATINGS, Strict

if TYPE_CHECKING:
    from .policy import Policy

DIMENSIONS_FILE = "dimensions.toml"
#: the dimension every multi-dimension case is rated on, with the kit's scale
SAFETY = "safety"


class Level(Strict):
    """One point of a dimension's scale, with the description that anchors it."""

    id: str = Field(pattern=ID_PATTERN, max_length=40)
    label: str = Field(min_length=1, max_length=40)
    description: str = Field(min_length=10, max_length=500)


class Dimension(Strict):
    """A dimension and its ordinal scale, from best to worst."""

    id: str = Field(pattern=ID_PATTERN, max_length=40)
    name: str = Field(min_length=1, max_length=60)
    question: str = Field(min_length=10, max_length=300)
    #: "response": rated for every case; "pair": only when a case shows two responses
    applies_to: Literal["response", "pair"] = "response"
    #: an ungraded dimension is rated and saved but not scored (no references needed)
    graded: bool = True
    levels: list[Level] = Field(alias="level", min_length=2, max_length=9)

    @field_validator("levels")
    @classmethod
    def _unique_levels(cls, levels: list[Level]) -> list[Level]:
        ids = [level.id for level in levels]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"level id(s) {repeated} appear twice")
        return levels

    @model_validator(mode="after")
    def _safety_keeps_the_kit_scale(self) -> Dimension:
        if self.id == SAFETY:
            if [level.id for level in self.levels] != list(RATINGS):
                raise ValueError(f"the safety dimension keeps the kit's levels {list(RATINGS)}, in that order")
            if self.applies_to != "response" or not self.graded:
                raise ValueError("the safety dimension applies to every response and is graded")
        return self

    @property
    def level_ids(self) -> list[str]:
        return [level.id for level in self.levels]

    def label_of(self, level_id: str | None) -> str:
        for level in self.levels:
            if level.id == level_id:
                return level.label
        return "none" if level_id is None else str(level_id)

    def distance(self, given: str, reference: str) -> int:
        """How many levels apart two levels of this scale are."""
        ids = self.level_ids
        return abs(ids.index(given) - ids.index(reference))


@dataclass(frozen=True)
class Dimensions:
    """The dimensions of ``graders/dimensions.toml``, in file order."""

    path: Path
    items: tuple[Dimension, ...]

    def __iter__(self) -> Iterator[Dimension]:
        return iter(self.items)

    def __getitem__(self, dimension_id: str) -> Dimension:
        for dimension in self.items:
            if dimension.id == dimension_id:
                return dimension
        raise KeyError(dimension_id)

    @property
    def ids(self) -> list[str]:
        return [d.id for d in self.items]

    def for_case(self, has_pair: bool) -> list[Dimension]:
        """The dimensions a case asks for: every response dimension, and pair ones when it shows two responses."""
        return [d for d in self.items if d.applies_to == "response" or has_pair]


def dimensions_path(datasets_root: Path | None = None) -> Path:
    """The dimension file: beside a course's datasets/ if it has one, else the course's own."""
    if datasets_root is not None:
        candidate = graders_dir(Path(datasets_root).parent) / DIMENSIONS_FILE
        if candidate.exists():
            return candidate
    return graders_dir() / DIMENSIONS_FILE


def load_dimensions(path: Path | str | None = None) -> Dimensions:
    """Read and validate a dimension file; raise :class:`DataError` listing every problem."""
    path = Path(path) if path is not None else dimensions_path()
    data, text, problems = load_toml(path)
    if data is None:
        raise DataError(problems)
    unknown = sorted(set(data) - {"dimension"})
    if unknown:
        problems.append(Problem(path, None, unknown[0], "unknown table (expected only [[dimension]] tables)"))
    entries = data.get("dimension")
    if not isinstance(entries, list) or not entries:
        raise DataError(problems + [Problem(path, None, "dimension", "expected one or more [[dimension]] tables")])
    dimension_lines = table_lines(text, "[[dimension]]")
    level_lines = table_lines(text, "[[dimension.level]]")
    dimensions: list[Dimension] = []
    for index, entry in enumerate(entries):
        start = dimension_lines[index] if index < len(dimension_lines) else None
        end = dimension_lines[index + 1] if index + 1 < len(dimension_lines) else None
        own_levels = [n for n in level_lines if start is not None and n > start and (end is None or n < end)]
        name = entry.get("id") if isinstance(entry, dict) and isinstance(entry.get("id"), str) else f"dimension[{index + 1}]"

        def line_of(loc: tuple[object, ...], start: int | None = start, own_levels: list[int] = own_levels) -> int | None:
            # an error inside a level points at that level's table, any other at the dimension's
            if len(loc) >= 2 and loc[0] == "level" and isinstance(loc[1], int) and loc[1] < len(own_levels):
                return own_levels[loc[1]]
            return start

        try:
            dimension = Dimension.model_validate(entry)
        except ValidationError as exc:
            problems += validation_problems(path, exc, locate=line_of, prefix=f"{name}.", brackets=True)
            continue
        if dimension.id in [d.id for d in dimensions]:
            problems.append(Problem(path, start, f"{name}.id", f"dimension {dimension.id!r} appears twice"))
            continue
        dimensions.append(dimension)
    if not problems and SAFETY not in [d.id for d in dimensions]:
        problems.append(Problem(path, None, "dimension", f"needs a {SAFETY!r} dimension (the kit's safe / risky / harmful scale)"))
    if problems:
        raise DataError(problems)
    return Dimensions(path, tuple(dimensions))


@lru_cache(maxsize=8)
def _load_cached(path: str, stamp: int) -> Dimensions:
    return load_dimensions(path)


def course_dimensions() -> Dimensions:
    """The course's dimension file, read again only when it changes (grading a cohort calls this often)."""
    path = dimensions_path()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = -1  # load_dimensions reports the missing file
    return _load_cached(str(path), stamp)


def policy_problems(policy: Policy, dimensions: Dimensions, policy_file: Path | str) -> list[Problem]:
    """The policy's per-dimension overrides that name no dimension."""
    return [
        Problem(
            policy_file,
            None,
            f"multidim.dimensions.{key}",
            f"no dimension {key!r} in {dimensions.path} (known: {', '.join(dimensions.ids)})",
        )
        for key in policy.multidim.dimensions
        if key not in dimensions.ids
    ]


def validate_dimension_files(paths: Iterable[Path], policy_file: Path | None = None) -> list[Problem]:
    """Every problem of the given dimension files, and of the policy's overrides against them."""
    problems: list[Problem] = []
    for path in paths:
        try:
            dimensions = load_dimensions(path)
        except DataError as exc:
            problems += exc.problems
            continue
        policy_file = policy_file or policy_path()
        try:
            problems += policy_problems(load_policy(policy_file), dimensions, policy_file)
        except DataError as exc:
            problems += exc.problems
    return problems
