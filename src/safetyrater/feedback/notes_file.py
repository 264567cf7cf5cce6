"""``safetyrater feedback check``: check a file of notes, one JSON object a line.

Each line is ``{"text": "…", "case_id": "…"}`` (``case_id`` optional); a bad line
gets one problem naming it (``FILE:LINE: field: problem``) and the other lines
are still checked.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Problem
from ..io import iter_json_lines
from .check import NoteCheck, check_note
from .comments import load_comment_bank, suggested_comments
from .render import note_check_lines
from .rubric import Rubric, load_rubric


@dataclass(frozen=True)
class CheckedNote:
    """One input line of ``safetyrater feedback check``: its check, or the problem with it."""

    line: int
    case_id: str | None
    check: NoteCheck | None
    problem: Problem | None = None


def check_note_lines(text: str, source: str, cases: Mapping[str, Any] | None = None, rubric: Rubric | None = None) -> list[CheckedNote]:
    """Check JSON lines of ``{"text": …, "case_id": …}``; a bad line gets one problem naming it.

    ``cases`` maps case ids to cases (loaded from the case bank when a line
    names a case and none are given)."""
    rubric = rubric or load_rubric()
    results: list[CheckedNote] = []
    expected = 'expected a JSON object such as {"text": "…", "case_id": "core-001"}'
    for number, obj, problem in iter_json_lines(text, source, what="note", expected=expected):
        if problem is not None:
            results.append(CheckedNote(number, None, None, problem))
            continue
        assert obj is not None
        note, case_id = obj.get("text"), obj.get("case_id")
        found: tuple[str | None, str] | None = None
        if "text" not in obj:
            found = ("text", "required field is missing")
        elif not isinstance(note, str):
            found = ("text", "expected a string")
        elif case_id is not None and not isinstance(case_id, str):
            found = ("case_id", "expected a string")
        case = None
        if found is None and case_id is not None:
            if cases is None:
                from ..bank.casebank import CaseBank  # start-up speed: only a note that names a case needs the bank

                cases = CaseBank.load().cases
            case = cases.get(case_id)
            if case is None:
                found = ("case_id", f"unknown case {case_id!r} (not in the case bank)")
        if found is not None:
            results.append(CheckedNote(number, None, None, Problem(source, number, *found)))
            continue
        assert isinstance(note, str)
        results.append(CheckedNote(number, case_id, check_note(note, case, rubric)))
    return results


def main(file: str = "-", *, as_json: bool = False, rubric_path: str | None = None, comments: bool = False) -> int:
    """Check the notes in ``file`` (``-``: standard input) and print one result per note; 1 if a line was bad."""
    rubric = load_rubric(rubric_path)
    bank = load_comment_bank() if comments else None
    if file == "-":
        source, text = "<stdin>", sys.stdin.read()
    else:
        source = file
        try:
            text = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"error: {file}: cannot read ({getattr(exc, 'strerror', None) or exc})", file=sys.stderr)
            return 1
    failed = False
    for item in check_note_lines(text, source, rubric=rubric):
        if item.check is None:
            print(f"error: {item.problem}", file=sys.stderr)
            failed = True
            continue
        suggestions = suggested_comments(item.check, bank) if bank is not None else None
        if as_json:
            row = {"line": item.line, "case_id": item.case_id, **item.check.to_dict()}
            if suggestions is not None:
                row["comments"] = suggestions
            print(json.dumps(row, ensure_ascii=False))
        else:
            about = f" ({item.case_id})" if item.case_id else ""
            print(f"line {item.line}{about}: score {item.check.score:.2f}")
            for line in note_check_lines(item.check, rubric) + [f"comment: {c}" for c in suggestions or []]:
                print(f"  {line}")
    return 1 if failed else 0
