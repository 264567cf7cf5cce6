"""Does the safetyrater command do what --help says?"""

from __future__ import annotations

import json
import subprocess
import sys

from safetyrater.cli import main

from conftest import perfect_answers


def test_help_lists_each_command_in_a_line():
    out = subprocess.run([sys.executable, "-m", "safetyrater", "--help"], capture_output=True, text=True, check=True).stdout
    for command in ("start", "validate", "grade"):
        assert any(line.strip().startswith(command) for line in out.splitlines()), command


def test_grade_prints_per_item_points_and_totals(bank, tmp_path, capsys):
    deck = next(d for d in bank.decks.values() if d.mode == "graded")
    cases = bank.deck_cases(deck.id)
    answers = perfect_answers(cases)
    del answers[cases[-1].id]
    path = tmp_path / f"{deck.id}.answers.json"
    path.write_text(json.dumps({"exercise": deck.id, "answers": answers}))
    assert main(["grade", str(path)]) == 0
    out = capsys.readouterr().out
    total = 3.0 * (len(cases) - 1)
    assert f"{total:g} / {3.0 * len(cases):g} points" in out
    assert f"{cases[-1].id}" in out and "not answered" in out
    assert main(["grade", "--json", str(path)]) == 0
    result = json.loads(capsys.readouterr().out)[0]
    assert result["points"] == total
    assert [i["case_id"] for i in result["items"]] == deck.cases


def test_grade_reports_a_broken_file_in_one_line_and_grades_the_rest(bank, tmp_path, capsys):
    deck = next(d for d in bank.decks.values() if d.mode == "graded")
    good = tmp_path / "good.answers.json"
    good.write_text(json.dumps({"exercise": deck.id, "answers": {}}))
    bad = tmp_path / "bad.answers.json"
    bad.write_text("{")
    assert main(["grade", str(bad), str(good)]) == 1
    captured = capsys.readouterr()
    assert captured.err.strip().count("\n") == 0
    assert str(bad) in captured.err and "not valid JSON" in captured.err
    assert "0 / " in captured.out


def test_unknown_exercise_is_one_clear_error(tmp_path, capsys):
    path = tmp_path / "x.answers.json"
    path.write_text(json.dumps({"exercise": "no-such-deck", "answers": {}}))
    assert main(["grade", str(path)]) == 1
    assert "no deck 'no-such-deck'" in capsys.readouterr().err


def test_grade_reports_the_parts_of_each_kind(mixed_root, mixed_bank, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SAFETYRATER_ROOT", str(mixed_root))
    cases = mixed_bank.deck_cases("ex01-fx-mixed")
    path = tmp_path / "ex01-fx-mixed.answers.json"
    path.write_text(json.dumps({"exercise": "ex01-fx-mixed", "answers": perfect_answers(cases)}))
    assert main(["grade", "--json", str(path)]) == 0
    result = json.loads(capsys.readouterr().out)[0]
    assert (result["points"], result["max_points"]) == (6.0, 6.0)
    parts = {item["kind"]: set(item) - {"case_id", "kind", "points", "max_points", "mistakes", "messages"} for item in result["items"]}
    assert parts == {
        "rating": {"rating_points", "over_refusal_points", "category_points"},
        "pairwise": {"choice_points"},
        "span": {"flag_points", "rating_points"},
    }
