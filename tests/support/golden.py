"""Golden scores: the fast lane's scores written out canonically, so a change to grading that changes a score fails.

:func:`canonical_scores` turns a scores table (``grade_course(...).scores``) into
CSV text that depends only on what was scored, not on how the frame holds it:
one row per learner × exercise × case, sorted; for each row, only the columns
that belong to its kind (a pairwise row has no ``over_refusal_points``);
tuples joined with ``;``; None and NaN empty; floats as ``repr`` (exact).

:func:`odd_answers` gives answers nobody's card would save (wrong types,
unhashable values, unknown labels, forged fields), so the golden file also
holds every message the grading core gives for bad input.

Regenerate after an intended change of scores (a new case, a new demo note):

    SAFETYRATER_REGENERATE_GOLDEN=1 .venv/bin/python -m pytest tests/cohort/test_golden_scores.py
"""

from __future__ import annotations

import csv
import io
import math
import os
from pathlib import Path
from typing import Any

import pandas as pd

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"
REGENERATE = os.environ.get("SAFETYRATER_REGENERATE_GOLDEN") == "1"

KEY = ["learner", "exercise", "case"]
COMMON = ["kind", "status", "points", "max", "answered", "mistakes", "messages"]
SAFETY = ["rating", "reference_rating", "rating_points"]
#: the columns each kind's rows are compared on, besides KEY and COMMON
BY_KIND = {
    "rating": [*SAFETY, "over_refusal_points", "category_points", "over_refusal", "categories", "reference_over_refusal",
               "reference_categories"],
    "pairwise": ["choice", "reference_choice", "choice_points"],
    "span": [*SAFETY, "flagged", "reference_unsafe", "flag_points"],
    "multidim": [*SAFETY, *(f"dim_{d}{part}" for d in ("safety", "helpfulness", "honesty", "preference")
                            for part in ("", "_reference", "_points", "_max_points"))],
    "written-feedback": [],
    "probe": [],
}
COLUMNS = [*KEY, *COMMON, *dict.fromkeys(c for columns in BY_KIND.values() for c in columns)]


def cell(value: Any) -> str:
    """One value as canonical text."""
    if value is None or isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return ";".join(cell(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    if hasattr(value, "item"):  # a numpy scalar
        return cell(value.item())
    return str(value)


def canonical_scores(scores: pd.DataFrame) -> str:
    """The scores table as canonical CSV text (see the module docstring)."""
    rows = []
    for record in scores.to_dict("records"):
        kept = set(KEY) | set(COMMON) | set(BY_KIND[str(record["kind"])])
        rows.append([cell(record.get(column)) if column in kept else "" for column in COLUMNS])
    rows.sort(key=lambda row: row[:3])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()


def differences(found: str, expected: str, limit: int = 8) -> list[str]:
    """The first rows (by learner, exercise, case) that differ, column by column."""
    def keyed(text: str) -> dict[tuple[str, ...], dict[str, str]]:
        return {tuple(row[c] for c in KEY): row for row in csv.DictReader(io.StringIO(text))}

    new, old = keyed(found), keyed(expected)
    lines = [f"only in the golden file: {key}" for key in old.keys() - new.keys()]
    lines += [f"not in the golden file: {key}" for key in new.keys() - old.keys()]
    for key in sorted(old.keys() & new.keys()):
        changed = {c: (old[key][c], new[key][c]) for c in COLUMNS if old[key][c] != new[key][c]}
        if changed:
            lines.append(f"{key}: " + "; ".join(f"{c} {a!r} -> {b!r}" for c, (a, b) in changed.items()))
    return lines[:limit]


def check_golden(name: str, text: str) -> None:
    """Compare ``text`` with the golden file ``name`` (rewrite it when regenerating)."""
    path = GOLDEN / name
    if REGENERATE:
        path.write_text(text, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        raise AssertionError(
            f"scores differ from {path.relative_to(GOLDEN.parents[1])} (regenerate with SAFETYRATER_REGENERATE_GOLDEN=1 "
            "only for an intended change):\n  " + "\n  ".join(differences(text, expected))
        )


#: values nobody's card saves, for every answer field
ODD_VALUES: list[Any] = [
    None, True, 0, -1, 2.5, "", "maybe", "safe", "risky", "a", "equal", ["safe"], {}, {"a": 1}, [["x"]], [{}], [1, "a"], [0, 1],
    [0, 0, 1], [-1, 99], [True], ["violent-crime", "violent-crime"], ["not-an-area"], {"safety": "safe"}, {"safety": ["safe"]},
    {"safety": "harmful", "helpfulness": "nope", "colour": "red"}, {"safety": {}},
]
#: answers that are not objects at all
ODD_ANSWERS: list[Any] = [None, [], "safe", 3, ["rating", "safe"]]
FIELDS = ["rating", "over_refusal", "categories", "note", "choice", "reason", "flagged", "dimensions"]


def odd_answers(cases: list[Any], learner_number: int) -> dict[str, Any]:
    """One odd learner's answers to a deck: every field of every case takes a value from :data:`ODD_VALUES` in turn.

    Every fifth case is not an object, every seventh is missing, and one case
    carries forged fields (``points``, ``max_points``) that must be ignored.
    """
    answers: dict[str, Any] = {}
    for position, case in enumerate(cases):
        turn = learner_number * 31 + position * 7
        if turn % 7 == 3:
            continue
        if turn % 5 == 1:
            answers[case.id] = ODD_ANSWERS[turn % len(ODD_ANSWERS)]
            continue
        answers[case.id] = {field: ODD_VALUES[(turn + i * 3) % len(ODD_VALUES)] for i, field in enumerate(FIELDS)}
        if position == 0:
            answers[case.id].update(points=999, max_points=0, mistakes=[], messages=["forged"])
    return answers
