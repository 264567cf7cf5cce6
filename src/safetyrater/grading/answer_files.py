"""``safetyrater grade``: grade answer files against the key of their exercise.

Each file is scored with the one grading core, and its notes with the
written-feedback pre-score the exercise's ``written-feedback`` cell records
(:mod:`safetyrater.feedback.prescore`), so a file's total is out of the points
the gradebook and the LMS export count. A file that cannot be read, or names an
exercise the bank does not have, is one error line and the others are still
graded (exit status 1).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from ..answers import read_answer_file
from ..bank.casebank import CaseBank
from ..bank.policy import load_policy
from ..errors import SafetyraterError
from ..feedback.prescore import NOTES_ITEM, notes_points
from ..feedback.rubric import load_rubric
from ..frames import records
from ..kinds import NOT_ANSWERED
from ..numbers import one_decimal
from .core import point_parts, score_deck
from .explain import mistake_names


def grade_files(paths: Sequence[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """Each readable file's result (points, maximum, and per case its parts, mistakes and messages), and the errors."""
    bank = CaseBank.load()
    policy = load_policy()
    rubric = load_rubric()
    results: list[dict[str, Any]] = []
    errors: list[str] = []
    for path in paths:
        try:
            answer_file = read_answer_file(path)
            cases = bank.deck_cases(answer_file.deck_id)
        except SafetyraterError as exc:
            errors.append(str(exc))
            continue
        scores = score_deck(answer_file.answers, cases, policy)
        items = [
            {
                "case_id": row["case_id"],
                "kind": row["kind"],
                "points": row["points"],
                "max_points": row["max_points"],
                # the parts that apply to the case's kind (Kind.point_parts)
                **{part: round(value, 4) for part, value in point_parts(row).items()},
                "mistakes": list(row["mistakes"]),
                "messages": list(row["messages"]),
            }
            for row in records(scores)
        ]
        if rubric.points_per_note:
            items.append(notes_item(*notes_points(answer_file.answers, cases, rubric)))
        results.append(
            {
                "file": str(path),
                "exercise": answer_file.deck_id,
                "points": round(sum(item["points"] for item in items), 4),
                "max_points": float(sum(item["max_points"] for item in items)),
                "items": items,
            }
        )
    return results, errors


def item_words(item: dict[str, Any]) -> list[str]:
    """What a learner reads about one graded case: "not answered" once, else its messages and named mistakes."""
    if NOT_ANSWERED in item["mistakes"]:
        return ["not answered"]
    return list(dict.fromkeys(item["messages"] + mistake_names(item["mistakes"])))


def notes_item(points: float, maximum: float, written: int) -> dict[str, Any]:
    """The written-feedback item: the notes' pre-score, which the instructor confirms or overrides."""
    message = f"pre-score of {written} note(s); the instructor's score in the gradebook replaces it" if written else "no notes written"
    return {"case_id": NOTES_ITEM, "kind": NOTES_ITEM, "points": points, "max_points": maximum, "mistakes": [], "messages": [message]}


def main(paths: Sequence[str], *, as_json: bool = False) -> int:
    """Print per-case points, mistakes and totals (``as_json``: as JSON); 1 if any file could not be read."""
    results, errors = grade_files(paths)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    if as_json:
        print(json.dumps(results, indent=2))
    else:
        for result in results:
            print(f"{result['file']} ({result['exercise']}): {one_decimal(result['points'])} / {one_decimal(result['max_points'])} points")
            for item in result["items"]:
                detail = "; ".join(item_words(item))
                points = f"{one_decimal(item['points']):>5} / {one_decimal(item['max_points'])}"
                print(f"  {item['case_id']:<16} {points}" + (f"  {detail}" if detail else ""))
    return 1 if errors else 0
