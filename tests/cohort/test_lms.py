"""Are the LMS exports in the shape Canvas and Moodle gradebook imports read?"""

from __future__ import annotations

import csv

import pytest

from safetyrater.cli import main
from safetyrater.cohort.lms import CANVAS_COLUMNS, MOODLE_COLUMNS

from conftest import perfect_answers, write_submission

EXERCISE = "ex01-two-questions"


@pytest.fixture
def course(tmp_path, bank):
    cases = bank.deck_cases(EXERCISE)
    perfect = perfect_answers(cases)
    # alice's notes are the reference rationales: full marks for written feedback too
    write_submission(tmp_path, "alice", EXERCISE, {c.id: {**perfect[c.id], "note": c.rationale} for c in cases})
    write_submission(tmp_path, "bob", EXERCISE, {cid: {**a, "rating": "risky" if a["rating"] != "risky" else "safe"} for cid, a in perfect.items()})
    (tmp_path / "graders/cohort/submitted/carol").mkdir()  # enrolled, submitted nothing
    return tmp_path


def read(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_canvas_csv_has_its_identity_columns_a_points_possible_row_and_one_row_per_learner(course, tmp_path):
    out = tmp_path / "canvas.csv"
    assert main(["cohort", "export", str(course), "--lms", "canvas", "--out", str(out)]) == 0
    rows = read(out)
    assert rows[0] == CANVAS_COLUMNS + [EXERCISE]
    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    # 8 cases x 3 points, and the written-feedback cell's 8 x 1
    assert rows[1] == ["Points Possible", "", "", "", "", "32"]
    learners = {row[3]: row for row in rows[2:]}
    assert set(learners) == {"alice", "bob", "carol"}
    assert learners["alice"][-1] == "32" and learners["carol"][-1] == "0"
    assert float(learners["bob"][-1]) < 24


def test_moodle_csv_has_a_username_to_map_and_one_column_per_exercise(course, tmp_path):
    out = tmp_path / "moodle.csv"
    assert main(["cohort", "export", str(course), "--lms", "moodle", "--out", str(out), "--scale", "percent"]) == 0
    rows = read(out)
    assert rows[0] == MOODLE_COLUMNS + [EXERCISE]
    by_user = {row[2]: row for row in rows[1:]}
    assert set(by_user) == {"alice", "bob", "carol"}
    assert by_user["alice"][-1] == "100" and by_user["carol"][-1] == "0"


@pytest.mark.slow
def test_export_reads_the_gradebook_with_names_and_emails_when_there_is_one(course, tmp_path, capsys):
    from safetyrater.cohort.gradebook import open_gradebook

    assert main(["cohort", "grade", str(course), "--gradebook", "--no-progress"]) == 0
    db_url = f"sqlite:///{course / 'graders/cohort/gradebook.db'}"
    with open_gradebook(db_url, "safetyrater") as gradebook:
        gradebook.update_or_create_student("alice", first_name="Alice", last_name="Liddell", email="alice@example.org")
        # an instructor's manual score in the formgrader wins over the automatic one
        grade = gradebook.find_grade("case-core-009", EXERCISE, EXERCISE, "alice")
        grade.manual_score = 1.0
        gradebook.db.commit()
    capsys.readouterr()
    moodle, canvas = tmp_path / "moodle.csv", tmp_path / "canvas.csv"
    assert main(["cohort", "export", str(course), "--lms", "moodle", "--out", str(moodle)]) == 0
    assert "gradebook" in capsys.readouterr().out
    assert main(["cohort", "export", str(course), "--lms", "canvas", "--out", str(canvas)]) == 0
    alice = next(row for row in read(moodle) if row[2] == "alice")
    assert alice == ["Alice", "Liddell", "alice", "alice@example.org", "30"]
    assert next(row for row in read(canvas) if row[3] == "alice")[0] == "Liddell, Alice"
    # carol submitted nothing: 0 in the course's record, and absent from the gradebook alone (as `nbgrader export`)
    assert {row[2]: row[-1] for row in read(moodle)[1:]}["carol"] == "0"
    assert main(["cohort", "export", str(course), "--lms", "moodle", "--source", "gradebook", "--out", str(moodle)]) == 0
    assert {row[2] for row in read(moodle)[1:]} == {"alice", "bob"}
    assert next(row for row in read(moodle) if row[2] == "alice")[-1] == "30"
