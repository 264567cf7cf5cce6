"""The comment bank: reusable comments per rubric element, for the formgrader and the command line.

``graders/comment_bank.toml`` holds, for each element, ``missing`` comments (for a
note that lacks it) and ``met`` ones; :func:`suggested_comments` picks the first
``missing`` comment of each gap a check found.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..io import read_toml_model
from .check import NoteCheck
from .rubric import ELEMENTS, file_version, graders_file

COMMENT_BANK_FILE = "comment_bank.toml"


class Comments(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    missing: list[str] = Field(min_length=1)
    met: list[str] = Field(min_length=1)

    @field_validator("missing", "met")
    @classmethod
    def _one_line(cls, comments: list[str]) -> list[str]:
        for comment in comments:
            if not comment.strip() or "\n" in comment.strip():
                raise ValueError("each comment is one non-empty line")
        return comments


class CommentBank(BaseModel):
    model_config = ConfigDict(extra="forbid")
    problem: Comments
    why: Comments
    change: Comments
    vague: Comments


def load_comment_bank(path: Path | str | None = None) -> dict[str, dict[str, list[str]]]:
    """graders/comment_bank.toml: for each element, ``missing`` and ``met`` comments."""
    path = graders_file(COMMENT_BANK_FILE) if path is None else Path(path).resolve()
    return _load_comment_bank(path, *file_version(path))


@lru_cache(maxsize=4)
def _load_comment_bank(path: Path, *version: int) -> dict[str, dict[str, list[str]]]:
    bank = read_toml_model(path, CommentBank, "comment bank")
    return {name: getattr(bank, name).model_dump() for name in ELEMENTS}


def suggested_comments(check: NoteCheck, bank: dict[str, dict[str, list[str]]] | None = None) -> list[str]:
    """The first ``missing`` comment of each element the note lacks (for ``vague``: when it is vague)."""
    bank = bank or load_comment_bank()
    lacking = [name for name in ("problem", "why", "change") if not check.element(name).passed]
    lacking += ["vague"] if check.vague.passed else []
    return [bank[name]["missing"][0] for name in lacking]
