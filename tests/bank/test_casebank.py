"""Is the case bank valid, and does a bad row give an error that names its line?"""

from __future__ import annotations

import json

from safetyrater.bank.casebank import CaseBank, check_bank
from safetyrater.bank.validate import validate_paths
from safetyrater.cli import main


def _lines(path):
    return path.read_text(encoding="utf-8").splitlines()


def _rewrite_row(path, line_number, **changes):
    lines = _lines(path)
    row = json.loads(lines[line_number - 1])
    row.update(changes)
    lines[line_number - 1] = json.dumps(row)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_the_bank_is_valid(bank):
    assert len(bank.cases) >= 30
    assert 12 <= len(bank.taxonomy) <= 16
    assert bank.decks


def test_every_category_maps_to_public_taxonomies(bank):
    for category in bank.taxonomy.values():
        assert category.ailuminate and category.llama_guard_3


def test_bad_rating_names_file_line_and_field(datasets_copy):
    cases = datasets_copy / "cases" / "core.jsonl"
    _rewrite_row(cases, 3, reference_rating="dangerous")
    problems, count = validate_paths([cases])
    assert [str(p) for p in problems] == [
        f"{cases}:3: reference_rating: Input should be 'safe', 'risky' or 'harmful'"
    ]
    assert count == len(_lines(cases)) - 1


def test_every_bad_row_is_reported(datasets_copy):
    cases = datasets_copy / "cases" / "core.jsonl"
    _rewrite_row(cases, 2, categories=["not-a-category"])
    lines = _lines(cases)
    lines[4] = "{not json"
    row = json.loads(lines[6])
    del row["rationale"]
    lines[6] = json.dumps(row)
    lines[7] = lines[0]  # a duplicate id
    cases.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems, _ = check_bank(datasets_copy)
    text = [str(p) for p in problems]
    assert f"{cases}:2: categories: unknown category 'not-a-category' (not in the taxonomy)" in text
    assert any(t.startswith(f"{cases}:5: not valid JSON") for t in text)
    assert f"{cases}:7: rationale: required field is missing" in text
    assert any(t.startswith(f"{cases}:8: id: duplicate case id") and f"{cases}:1" in t for t in text)


def test_over_refusal_must_be_rated_safe(datasets_copy):
    cases = datasets_copy / "cases" / "core.jsonl"
    _rewrite_row(cases, 1, over_refusal=True, reference_rating="harmful")
    problems, _ = validate_paths([cases])
    assert len(problems) == 1 and str(problems[0]).startswith(f"{cases}:1: ")
    assert "over-refusal" in problems[0].message


def test_deck_naming_an_unknown_case_is_reported(datasets_copy):
    decks = datasets_copy / "decks.toml"
    text = decks.read_text()
    decks.write_text(text.replace('cases = ["', 'cases = ["nope-999", "', 1))
    problems, _ = check_bank(datasets_copy)
    assert len(problems) == 1
    assert "unknown case 'nope-999'" in str(problems[0])
    assert str(problems[0]).startswith(f"{decks}:")


def test_empty_and_non_utf8_files_are_named(tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes('{"id": "caf\xe9"}\n'.encode("latin-1"))
    problems, _ = validate_paths([empty, latin])
    assert [str(p) for p in problems] == [f"{empty}: file is empty", f"{latin}:1: not UTF-8 text (byte 11)"]


def test_validate_command_exit_codes(datasets_copy, capsys):
    assert main(["validate", str(datasets_copy)]) == 0
    assert capsys.readouterr().out.startswith("ok: ")
    _rewrite_row(datasets_copy / "cases" / "core.jsonl", 4, difficulty="extreme")
    assert main(["validate", str(datasets_copy)]) == 1
    out = capsys.readouterr().out
    assert f"core.jsonl:4: difficulty:" in out


def test_graded_and_practice_decks_do_not_share_cases(bank):
    graded = {c for d in bank.decks.values() if d.mode == "graded" for c in d.cases}
    practice = {c for d in bank.decks.values() if d.mode == "practice" for c in d.cases}
    assert not graded & practice


def test_harmful_cases_show_a_redaction_marker_or_say_they_need_none(bank):
    for case in bank.cases.values():
        if getattr(case, "reference_rating", None) == "harmful":
            assert case.is_redacted or case.no_operational_content, case.id


def test_a_lesson_deck_cannot_show_an_exercise_case(datasets_copy, bank):
    """Would a practice deck reveal the reference of a graded case? It must be refused."""
    graded = next(d for d in bank.decks.values() if d.mode == "graded")
    decks = datasets_copy / "decks.toml"
    decks.write_text(decks.read_text() + f'\n[deck.leak]\ntitle = "Leak"\nmode = "practice"\ncases = ["{graded.cases[0]}"]\n')
    problems, _ = check_bank(datasets_copy)
    assert [p.field for p in problems] == ["leak.cases"]
    assert "a practice deck shows only 'lesson' cases" in problems[0].message


def test_assessment_cases_live_only_in_the_pool(datasets_copy):
    cases = datasets_copy / "cases" / "core.jsonl"
    _rewrite_row(cases, 1, use="assessment")
    problems, _ = validate_paths([cases])
    assert [str(p).split(": ")[0:2] for p in problems] == [[f"{cases}:1", "use"]]


def test_unknown_kind_is_named(datasets_copy):
    cases = datasets_copy / "cases" / "core.jsonl"
    _rewrite_row(cases, 2, kind="essay")
    problems, _ = validate_paths([cases])
    assert [str(p) for p in problems] == [f"{cases}:2: kind: unknown kind 'essay' (expected one of rating, pairwise, span, multidim)"]
