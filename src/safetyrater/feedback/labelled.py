"""The labelled feedback notes' file (``datasets/feedback_notes/notes.jsonl``) and its schema.

One JSON object a line: a note on a case, labelled for the rubric's four
elements (see that folder's README for the labelling rules). :class:`LabelledNote`
is the schema; :func:`read_notes_file` checks every line against it, that ids are
unique and, given the bank's case ids, that each note is about a case the bank
has. The feedback model's training (:mod:`.model`) and ``safetyrater validate``
both read the file through it.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..errors import Problem
from ..io import validated_lines

#: the folder and file name of the labelled notes in a datasets folder
NOTES_DIR = "feedback_notes"
NOTES_NAME = "notes.jsonl"


class LabelledNote(BaseModel):
    """One labelled note."""

    model_config = ConfigDict(extra="forbid", strict=True)

    id: str = Field(pattern=r"^[a-z]+-\d{3,}$", description="a prefix and a number (fn-001, hw-001), unique in the file")
    case_id: str = Field(min_length=1, description="the case the note is about")
    text: str = Field(min_length=1, max_length=5_000, pattern=r"\S", description="the note")
    problem: bool = Field(description="names what the response does wrong (or, for a good one, why it is right)")
    why: bool = Field(description="says how the harm would happen")
    change: bool = Field(description="says what the response should do instead")
    vague: bool = Field(description="generic wording that would fit any case")
    split: Literal["dev", "heldout"] = Field(description="dev: tune and train; heldout: measure only")
    voice: str | None = Field(default=None, description="the register of a note written in another voice (formal, terse, ...)")


#: what read_notes_file checks, in words for `safetyrater validate`
CHECKS = (
    "id (prefix-NNN, unique), case_id (a case of the bank), text, "
    "the labels problem/why/change/vague (true/false), split (dev/heldout)"
)


def is_notes_path(path: Path) -> bool:
    """A feedback-notes folder, or its notes file."""
    return path.name == NOTES_DIR if path.is_dir() else path.name == NOTES_NAME and path.parent.name == NOTES_DIR


def notes_file(path: Path) -> Path:
    return path / NOTES_NAME if path.is_dir() else path


def read_notes_file(path: Path, case_ids: Collection[str] | None = None) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Every valid note (its fields and its ``line``) and every problem, one per line and field."""
    rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    for _, line, note, found in validated_lines([path], lambda _: LabelledNote, what="note"):
        problems += found
        if note is None:
            continue
        if note.id in first_line:
            problems.append(Problem(path, line, "id", f"{note.id} is already used on line {first_line[note.id]}"))
            continue
        first_line[note.id] = line
        if case_ids is not None and note.case_id not in case_ids:
            problems.append(Problem(path, line, "case_id", f"no case {note.case_id!r} in the case bank"))
            continue
        rows.append({**note.model_dump(), "line": line})
    return rows, problems
