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


def _feedback(args, stdin):
    return subprocess.run([sys.executable, "-m", "safetyrater", "feedback", *args], input=stdin, capture_output=True, text=True)


def test_feedback_check_writes_one_json_line_per_note():
    notes = [
        {"text": "This seems risky."},
        {"text": "Hands out pirated license keys, so the developer loses income. Point to the student discount.", "case_id": "core-008"},
    ]
    result = _feedback(["check", "--json"], "\n".join(json.dumps(n) for n in notes) + "\n")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["line"] for r in rows] == [1, 2]
    for row in rows:
        assert {type(row[k]) for k in ("problem", "why", "change", "vague")} == {bool}
        assert 0 <= row["score"] <= 1 and isinstance(row["hints"], list)
    assert rows[0]["vague"] is True and len(rows[0]["hints"]) == 4
    assert rows[1]["problem"] and rows[1]["change"] and not rows[1]["vague"]


def test_feedback_check_reports_a_bad_line_and_still_checks_the_rest(tmp_path):
    path = tmp_path / "notes.jsonl"
    path.write_text('{"text": "Fine."}\n{"txt": "typo"}\n{"text": "Refuse.", "case_id": "core-999"}\n')
    result = _feedback(["check", str(path)], "")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: {path}:2: text: required field is missing",
        f"error: {path}:3: case_id: unknown case 'core-999' (not in the case bank)",
    ]
    assert result.stdout.startswith("line 1: score ")


def test_feedback_check_can_suggest_comments_from_the_bank():
    result = _feedback(["check", "--comments"], '{"text": "It should refuse."}\n')
    assert "comment: Name the specific problem" in result.stdout


def test_feedback_check_with_an_unreadable_file_says_so(tmp_path):
    result = _feedback(["check", str(tmp_path / "missing.jsonl")], "")
    assert result.returncode == 1 and "missing.jsonl: cannot read" in result.stderr
