"""``safetyrater grade``: grade answer files against the key of their exercise.

Each file is scored with the one grading core; a file that cannot be read, or
names an exercise the bank does not have, is one error line and the others are
still graded (exit status 1).
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
from ..frames import records
from ..kinds import NOT_ANSWERED
from ..numbers import one_decimal
from .core import point_parts, score_deck
from .explain import mistake_names


def grade_files(paths: Sequence[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """Each readable file's result (points, maximum, and per case its parts, mistakes and messages), and the errors."""
    bank = CaseBank.load()
    policy = load_policy()
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
        results.append(
            {
                "file": str(path),
                "exercise": answer_file.deck_id,
                "points": round(float(scores["points"].sum()), 4),
                "max_points": float(scores["max_points"].sum()),
                "items": items,
            }
        )
    return results, errors


def item_words(item: dict[str, Any]) -> list[str]:
    """What a learner reads about one graded case: "not answered" once, else its messages and named mistakes."""
    if NOT_ANSWERED in item["mistakes"]:
        return ["not answered"]
    return list(dict.fromkeys(item["messages"] + mistake_names(item["mistakes"])))


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
