"""Faults on purpose: spoil a share of a cohort's answer files, the ways real ones break.

The reliability tests and ``benchmarks/bad_apples.py`` use it to check that a
cohort with bad apples is still graded: every good file scored, every bad one
named. Each spoiled file breaks in one of :data:`FAULTS`, in turn.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path


def _torn(path: Path) -> None:  # a sync tool stopped half-way
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")


def _empty(path: Path) -> None:
    path.write_text("", encoding="utf-8")


def _not_utf8(path: Path) -> None:  # saved by an editor as UTF-16
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))


def _answers_a_list(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    data["answers"] = list(data["answers"].values())
    path.write_text(json.dumps(data), encoding="utf-8")


def _other_exercise(path: Path) -> None:  # renamed from another exercise's file
    data = json.loads(path.read_text(encoding="utf-8"))
    data["exercise"] = "ex00-not-this-one"
    path.write_text(json.dumps(data), encoding="utf-8")


def _not_an_object(path: Path) -> None:
    path.write_text("[1, 2, 3]\n", encoding="utf-8")


#: ways an answer file breaks, by name
FAULTS: dict[str, Callable[[Path], None]] = {
    "torn": _torn,
    "empty": _empty,
    "not-utf8": _not_utf8,
    "answers-a-list": _answers_a_list,
    "other-exercise": _other_exercise,
    "not-an-object": _not_an_object,
}


def spoil_answer_files(course_dir: Path | str, share: float = 0.05, seed: int = 0) -> dict[Path, str]:
    """Break ``share`` of the answer files under ``course_dir``; return each spoiled file and its fault."""
    files = sorted(Path(course_dir).rglob("*.answers.json"))
    rng = random.Random(seed)
    chosen = sorted(rng.sample(files, round(len(files) * share)))
    names = list(FAULTS)
    spoiled = {}
    for number, path in enumerate(chosen):
        fault = names[number % len(names)]
        FAULTS[fault](path)
        spoiled[path] = fault
    return spoiled
