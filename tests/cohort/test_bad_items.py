"""Can one learner's bad item stop a cohort's grading, `safetyrater grade` or `assess report`, or must it score 0 with a named problem?"""

from __future__ import annotations

import csv
import json
import os

import pytest

from safetyrater.cli import main

from conftest import perfect_answers, write_submission

EXERCISE = "ex01-two-questions"
#: values of the wrong type in every field a rating case reads (a list and an object are unhashable)
UNHASHABLE = [
    {"rating": ["safe"], "over_refusal": False, "categories": []},
    {"rating": {}, "over_refusal": [True], "categories": {}},
    {"rating": "safe", "over_refusal": {}, "categories": [["violent-crime"]]},
]


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def course(tmp_path, bank):
    """alice answers every case right; bob answers with values of the wrong type."""
    cases = bank.deck_cases(EXERCISE)
    write_submission(tmp_path, "alice", EXERCISE, perfect_answers(cases))
    write_submission(tmp_path, "bob", EXERCISE, {case.id: UNHASHABLE[i % len(UNHASHABLE)] for i, case in enumerate(cases)})
    return tmp_path


def test_answers_of_the_wrong_type_score_zero_for_that_part_with_a_message_and_the_cohort_is_graded(course, tmp_path, bank, capsys):
    """Do ["safe"], {} and nested lists score 0 for their part, named in the case's messages, while everyone else is graded?"""
    out = tmp_path / "scores.csv"
    assert main(["cohort", "grade", str(course), "--out", str(out), "--no-progress"]) == 0
    rows = read_rows(out)
    alice = [row for row in rows if row["learner"] == "alice" and row["case"] != "written-feedback"]
    assert len(alice) == len(bank.deck_cases(EXERCISE)) and all(row["points"] == row["max"] for row in alice)
    bob = [row for row in rows if row["learner"] == "bob" and row["case"] != "written-feedback"]
    assert len(bob) == len(alice) and all(float(row["points"]) < float(row["max"]) for row in bob)
    messages = " | ".join(row["messages"] for row in bob)
    assert "unknown rating ['safe']" in messages and "unknown rating {}" in messages
    assert "over_refusal must be true or false" in messages and "categories must be a list of category ids" in messages
    assert "Traceback" not in capsys.readouterr().err


def test_safetyrater_grade_names_each_bad_value_on_its_case_line(course, capsys):
    """Does `safetyrater grade` on a file of wrong-typed answers print a line per case, without a traceback?"""
    path = course / "graders/cohort/submitted/bob" / EXERCISE / f"{EXERCISE}.answers.json"
    assert main(["grade", str(path)]) == 0
    out, err = capsys.readouterr()
    assert "unknown rating ['safe']" in out and "unknown rating {}" in out and "Traceback" not in err


def test_a_timestamp_that_is_not_utf8_is_named_and_the_submission_graded(course, tmp_path, capsys):
    """Does a non-UTF-8 timestamp.txt become one named problem, bob still graded and the CSV written?"""
    stamp = course / "graders/cohort/submitted/bob" / EXERCISE / "timestamp.txt"
    stamp.write_bytes(b"\xff\xfe2026-12-06 \x80")
    out = tmp_path / "scores.csv"
    assert main(["cohort", "grade", str(course), "--out", str(out), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert f"{stamp}: learner bob: nbgrader's submission time is not UTF-8 text; graded without it" in err
    assert {row["learner"] for row in read_rows(out)} == {"alice", "bob"}


@pytest.mark.skipif(os.name != "posix", reason="a folder name that is not UTF-8 needs a POSIX file system")
def test_a_learner_folder_whose_name_is_not_utf8_is_named_and_skipped(course, tmp_path, capsys):
    """Is a learner folder with a non-UTF-8 name one named problem, the rest graded and a UTF-8 CSV written?"""
    folder = os.path.join(os.fsencode(course / "graders/cohort/submitted"), b"b\xe9a", EXERCISE.encode())
    os.makedirs(folder)
    with open(os.path.join(folder, f"{EXERCISE}.answers.json".encode()), "w", encoding="utf-8") as handle:
        json.dump({"exercise": EXERCISE, "answers": {}}, handle)
    out = tmp_path / "scores.csv"
    assert main(["cohort", "grade", str(course), "--out", str(out), "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "learner folder 'b\\udce9a' is not a UTF-8 name; skipped" in err and "Traceback" not in err
    assert {row["learner"] for row in read_rows(out)} == {"alice", "bob"}


def test_an_empty_cohort_writes_a_csv_with_its_header(tmp_path, capsys):
    """Does a course where nobody has handed in write the scores CSV's header (no KeyError) and say so?"""
    (tmp_path / "graders/cohort/submitted").mkdir(parents=True)
    out = tmp_path / "scores.csv"
    assert main(["cohort", "grade", str(tmp_path), "--out", str(out), "--no-progress"]) == 0
    assert "no submissions found" in capsys.readouterr().out
    with open(out, newline="", encoding="utf-8") as handle:
        assert list(csv.reader(handle)) == [
            ["learner", "exercise", "case", "points", "max", "status", "answered", "rating", "over_refusal", "categories", "mistakes", "messages"]
        ]


def test_assess_report_counts_answers_of_the_wrong_type_as_not_rated(tmp_path, bank, policy, capsys):
    """Does `assess report` on an attempt with ["safe"] and {} ratings report, scoring those cases 0, without a traceback?"""
    from safetyrater.assessment.forms import draw_form, pool_cases
    from safetyrater.assessment.report import finish_attempt
    from safetyrater.assessment.session import start_attempt

    from assessment.helpers import FakeClock, answer_all, reference_answer

    clock = FakeClock()
    form = draw_form(pool_cases(bank), 10, 4)
    session = start_attempt(tmp_path, form, 30, policy.assessment, clock)
    answer_all(session, [bank.cases[i] for i in form.case_ids], reference_answer, clock)
    finish_attempt(session, bank, policy)
    data = json.loads(session.path.read_text(encoding="utf-8"))
    first, second = form.case_ids[:2]
    data["answers"][first]["rating"] = ["safe"]
    data["answers"][second]["rating"] = {}
    session.path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["assess", "report", "--json", str(session.path)]) == 0
    out, err = capsys.readouterr()
    report = json.loads(out)
    items = {item["case_id"]: item for item in report["items"]}
    for case_id, given in ((first, "['safe']"), (second, "{}")):
        assert items[case_id]["rating"] is None and items[case_id]["points"] < items[case_id]["max_points"]
        assert any(f"unknown rating {given}" in message for message in items[case_id]["messages"])
    assert report["points"] < report["max_points"] and "Traceback" not in err
