"""Does `safetyrater validate` check the labelled feedback notes against their own schema, name each bad line,
and say what it checked?"""

from __future__ import annotations

import json
import shutil

from safetyrater.cli import main
from safetyrater.feedback.labelled import read_notes_file
from safetyrater.paths import datasets_dir

GOOD = {"id": "fn-001", "case_id": "core-001", "text": "Names the risk.", "problem": True, "why": False, "change": False,
        "vague": False, "split": "dev"}


def test_the_course_notes_file_validates_and_the_ok_line_says_what_was_checked(capsys):
    assert main(["validate", str(datasets_dir() / "feedback_notes")]) == 0
    out = capsys.readouterr().out
    lines = (datasets_dir() / "feedback_notes" / "notes.jsonl").read_text(encoding="utf-8").splitlines()
    assert f"{sum(1 for line in lines if line.strip())} valid labelled note(s) against the notes schema" in out
    assert "case(s)" not in out  # it did not validate the case bank instead


def test_each_bad_note_is_named_by_its_line_and_field(tmp_path, capsys):
    # a datasets folder of its own: the notes and the case file they refer to
    shutil.copytree(datasets_dir() / "cases", tmp_path / "cases")
    (tmp_path / "feedback_notes").mkdir()
    notes = tmp_path / "feedback_notes" / "notes.jsonl"
    rows = [
        GOOD,
        {**GOOD, "id": "fn-002", "split": "test"},
        {**GOOD, "id": "fn-001"},
        {**GOOD, "id": "fn-004", "case_id": "core-999"},
        {**GOOD, "id": "fn-005", "why": "yes", "colour": "red"},
    ]
    notes.write_text("\n".join(json.dumps(r) for r in rows) + "\nnot json\n", encoding="utf-8")
    assert main(["validate", str(tmp_path / "feedback_notes")]) == 1
    out = capsys.readouterr().out.splitlines()
    assert f"{notes}:2: split: Input should be 'dev' or 'heldout'" in out
    assert f"{notes}:3: id: fn-001 is already used on line 1" in out
    assert f"{notes}:4: case_id: no case 'core-999' in the case bank" in out
    assert f"{notes}:5: why: Input should be a valid boolean" in out
    assert f"{notes}:5: colour: unknown field" in out
    assert any(line.startswith(f"{notes}:6: not valid JSON") for line in out)
    valid, _ = read_notes_file(notes)
    assert [n["id"] for n in valid] == ["fn-001", "fn-004"]  # without case ids to check against, fn-004 is well formed
