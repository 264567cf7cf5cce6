"""The kit's own error types: every message names the file, line or case."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class SafetyraterError(Exception):
    """Base class for errors the kit reports to people as one clear line."""


@dataclass(frozen=True)
class Problem:
    """One problem in a data file: where it is and what is wrong."""

    path: Path | str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
        if self.field:
            return f"{where}: {self.field}: {self.message}"
        return f"{where}: {self.message}"


class DataError(SafetyraterError):
    """A data file (case bank, taxonomy, decks, policy, answers) is invalid."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
