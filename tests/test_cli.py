"""Does the safetyrater command do what --help says?"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

from safetyrater.bank.coverage import README_BEGIN, README_END, coverage_table, readme_section
from safetyrater.cli import main

from conftest import perfect_answers
from support.cases import make_case


def test_help_lists_each_command_in_a_line():
    out = subprocess.run([sys.executable, "-m", "safetyrater", "--help"], capture_output=True, text=True, check=True).stdout
    for command in ("start", "validate", "grade"):
        assert any(line.strip().startswith(command) for line in out.splitlines()), command


def test_grade_prints_per_item_points_and_totals(bank, tmp_path, capsys):
    """Is a file's total out of the exercise's whole worth, its written notes' pre-score included (as in the gradebook)?"""
    deck = next(d for d in bank.decks.values() if d.mode == "graded")
    cases = bank.deck_cases(deck.id)
    # every note the case's reference rationale, which passes the whole rubric
    answers = {c.id: {**a, "note": c.rationale} for c, a in zip(cases, perfect_answers(cases).values())}
    del answers[cases[-1].id]
    path = tmp_path / f"{deck.id}.answers.json"
    path.write_text(json.dumps({"exercise": deck.id, "answers": answers}))
    assert main(["grade", str(path)]) == 0
    out = capsys.readouterr().out
    # ratings 3 points a case; written feedback 1 point a case (graders/rubric.toml), a missing note 0
    total = 3.0 * (len(cases) - 1) + 1.0 * (len(cases) - 1)
    assert f"{total:g} / {4.0 * len(cases):g} points" in out
    assert f"{cases[-1].id}" in out and "not answered" in out
    # the learner reads words, once: not "not answered; not-answered"
    assert "not-answered" not in out and "not answered; " not in out
    assert main(["grade", "--json", str(path)]) == 0
    result = json.loads(capsys.readouterr().out)[0]
    assert result["points"] == total
    assert [i["case_id"] for i in result["items"]] == [*deck.cases, "written-feedback"]
    notes = result["items"][-1]
    assert (notes["points"], notes["max_points"]) == (len(cases) - 1.0, float(len(cases)))


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
    # the three cases (no notes written) and the written-feedback item, worth a point a case
    assert (result["points"], result["max_points"]) == (6.0, 9.0)
    parts = {item["kind"]: set(item) - {"case_id", "kind", "points", "max_points", "mistakes", "messages"} for item in result["items"]}
    assert parts == {
        "rating": {"rating_points", "over_refusal_points", "category_points"},
        "pairwise": {"choice_points"},
        "span": {"flag_points", "rating_points"},
        "written-feedback": set(),
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


def test_build_and_the_bank_reports_are_subcommands():
    def listed(args):
        out = subprocess.run([sys.executable, "-m", "safetyrater", *args, "--help"], capture_output=True, text=True, check=True).stdout
        return [line.split()[0] for line in out.splitlines() if line.startswith("    ") and line.split()]

    assert "build" in listed([])
    assert {"coverage", "audit"} <= set(listed(["bank"]))


def test_build_writes_an_exercise_source_notebook(mixed_root, tmp_path, monkeypatch, capsys):
    root = shutil.copytree(mixed_root, tmp_path / "course")
    monkeypatch.setenv("SAFETYRATER_ROOT", str(root))
    (root / "graders" / "exercises.toml").write_text('[ex01-fx-mixed]\nintro = "Compare and flag."\n')
    assert main(["build", "ex01-fx-mixed"]) == 0
    written = root / "solutions" / "ex01-fx-mixed" / "ex01-fx-mixed.ipynb"
    assert f"wrote {written}" in capsys.readouterr().out
    assert main(["build", "no-such-deck"]) == 1
    assert "no-such-deck" in capsys.readouterr().err


def test_bank_coverage_rewrites_only_the_readme_table(mixed_root, mixed_bank, tmp_path, monkeypatch, capsys):
    root = shutil.copytree(mixed_root, tmp_path / "course")
    monkeypatch.setenv("SAFETYRATER_ROOT", str(root))
    readme = root / "README.md"
    readme.write_text(f"Before.\n\n{README_BEGIN}\nold table\n{README_END}\n\nAfter.\n")
    assert main(["bank", "coverage"]) == 0
    assert capsys.readouterr().out.startswith("updated: ")
    text = readme.read_text()
    assert readme_section(text) == coverage_table(mixed_bank)
    assert text.startswith("Before.\n") and text.endswith("\nAfter.\n")
    assert main(["bank", "coverage"]) == 0
    assert capsys.readouterr().out.startswith("unchanged: ")


def test_bank_audit_reads_the_case_files_it_is_given(tmp_path, capsys):
    words = ["ladder", "kettle", "garden", "violin", "harbour", "pencil", "meadow", "copper"]

    def write(name, cases):
        path = tmp_path / name
        path.write_text("".join(case.model_dump_json() + "\n" for case in cases))
        return path

    def cases(prefix, count):
        made = []
        for i in range(count):
            rating = ("safe", "risky", "harmful")[i % 3]
            text = f"{words[i % len(words)]} {words[(i * 3) % len(words)]} response number {i} [REDACTED: detail]"
            made.append(make_case(rating).model_copy(update={"id": f"{prefix}-{i:03d}", "prompt": f"question {i}", "response": text}))
        return made

    train, test = write("train.jsonl", cases("tr", 30)), write("test.jsonl", cases("te", 12))
    status = main(["bank", "audit", "--train", str(train), "--test", str(test), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert (report["train_cases"], report["test_cases"]) == (30, 12)
    assert report["problems"] == []
    assert status == (1 if report["failures"] else 0)


def test_grade_names_mistakes_in_words_and_rounds_points_to_one_decimal(bank, tmp_path, capsys):
    """A wrong rating and a partly right set of risk areas: named in words, with points like 1.5 or 2.7, never 2.6667."""
    deck = next(d for d in bank.decks.values() if d.mode == "graded" and all(c.kind == "rating" for c in bank.deck_cases(d.id)))
    case = next(c for c in bank.deck_cases(deck.id) if c.reference_rating == "safe" and not c.over_refusal)
    path = tmp_path / f"{deck.id}.answers.json"
    path.write_text(json.dumps({"exercise": deck.id, "answers": {case.id: {"rating": "harmful", "categories": ["privacy", "hate"]}}}))
    assert main(["grade", str(path)]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if case.id in line)
    assert "flagged a safe response" in line and "flagged-safe" not in line
    assert not re.search(r"\d\.\d\d", line)
