"""A bank checked once per process: is a change to any of its files still seen, and does one caller's change stay its own?"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from safetyrater.bank.casebank import _CHECKED, CaseBank
from safetyrater.errors import DataError


def _first_rating_line(path: Path) -> tuple[int, dict[str, object]]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        case = json.loads(line)
        if case["kind"] == "rating":
            return number, case
    raise AssertionError(f"{path} has no rating case")


def _rewrite_line(path: Path, number: int, case: dict[str, object]) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[number] = json.dumps(case, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    later = path.stat().st_mtime_ns + 1_000_000_000  # a new modification time even on a coarse clock
    os.utime(path, ns=(later, later))


def test_is_an_edited_case_seen_by_the_next_load(datasets_copy: Path) -> None:
    """An instructor edits a case while a page is open: does the next load show the edit, not the kept bank?"""
    first = CaseBank.load(datasets_copy)
    path = datasets_copy / "cases" / "core.jsonl"
    number, case = _first_rating_line(path)
    case["prompt"] = "An edited prompt, saved while the bank was kept."
    _rewrite_line(path, number, case)
    again = CaseBank.load(datasets_copy)
    assert again.cases[str(case["id"])].prompt == "An edited prompt, saved while the bank was kept."
    assert first.cases[str(case["id"])].prompt != again.cases[str(case["id"])].prompt


def test_is_a_broken_edit_reported_rather_than_hidden_by_the_kept_bank(datasets_copy: Path) -> None:
    """A case broken after a good load: is the problem named by file and line instead of the old bank being returned?"""
    CaseBank.load(datasets_copy)
    path = datasets_copy / "cases" / "core.jsonl"
    number, case = _first_rating_line(path)
    case["reference_rating"] = "dreadful"
    _rewrite_line(path, number, case)
    with pytest.raises(DataError) as raised:
        CaseBank.load(datasets_copy)
    assert f"core.jsonl:{number + 1}" in str(raised.value)


def test_does_one_callers_deck_stay_out_of_the_next_callers_bank(datasets_copy: Path) -> None:
    """The practice page adds its own deck to the bank it loaded: does the next page's bank lack it?"""
    mine = CaseBank.load(datasets_copy)
    mine.decks["practice-weak-spots"] = next(iter(mine.decks.values()))
    theirs = CaseBank.load(datasets_copy)
    assert "practice-weak-spots" not in theirs.decks
    assert theirs.cases.keys() == mine.cases.keys()


def test_is_the_bank_checked_once_while_nothing_changes(datasets_copy: Path) -> None:
    """Two loads with no change in between: is the second one the kept bank (not a second check)?"""
    CaseBank.load(datasets_copy)
    kept = _CHECKED[datasets_copy][1]
    CaseBank.load(datasets_copy)
    assert _CHECKED[datasets_copy][1] is kept


def test_does_a_warm_kernel_check_the_bank_and_compile_the_rubric_before_any_page() -> None:
    """Does the warm-up leave the default bank checked and the rubric compiled, so a page's first card waits for neither?"""
    from safetyrater.deploy.warm import preload
    from safetyrater.feedback.rubric import _load_rubric
    from safetyrater.paths import datasets_dir

    _CHECKED.clear()
    _load_rubric.cache_clear()
    preload()
    assert datasets_dir() in _CHECKED
    assert _load_rubric.cache_info().currsize == 1
