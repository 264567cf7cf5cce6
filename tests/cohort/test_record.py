"""Is there one set of numbers? The gradebook's points (an instructor's manual scores included) where it
holds a submission, the fast lane's otherwise, the same in `cohort grade`, the report and the LMS export."""

from __future__ import annotations

import csv

import pytest

from safetyrater.cli import main
from safetyrater.cohort.gradebook import open_gradebook
from safetyrater.cohort.record import FROM_ANSWERS, FROM_GRADEBOOK, GRADEBOOK_KIND, read_record

from conftest import perfect_answers, write_submission

EXERCISE = "ex01-two-questions"
DB = "graders/cohort/gradebook.db"


def rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def course(tmp_path, bank):
    cases = bank.deck_cases(EXERCISE)
    perfect = perfect_answers(cases)
    write_submission(tmp_path, "alice", EXERCISE, {c.id: {**perfect[c.id], "note": c.rationale} for c in cases})
    # bob rates every case right and writes one short note
    first = cases[0]
    write_submission(tmp_path, "bob", EXERCISE, {**perfect, first.id: {**perfect[first.id], "note": "Looks fine."}})
    return tmp_path


@pytest.mark.slow
def test_a_written_feedback_score_changed_in_the_gradebook_shows_in_grade_report_and_exports(course, bank, tmp_path, capsys):
    cases = bank.deck_cases(EXERCISE)
    ratings, notes_max = 3.0 * len(cases), 1.0 * len(cases)
    assert main(["cohort", "grade", str(course), "--gradebook", "--no-progress"]) == 0
    with open_gradebook(f"sqlite:///{course / DB}", "safetyrater") as gradebook:
        grade = gradebook.find_grade("written-feedback", EXERCISE, EXERCISE, "bob")
        assert grade.auto_score < 5.0  # the pre-score of one short note
        grade.manual_score, grade.needs_manual_grade = 5.0, False  # the instructor read it and gave 5
        gradebook.db.commit()
    capsys.readouterr()

    scores = tmp_path / "scores.csv"
    assert main(["cohort", "grade", str(course), "--no-progress", "--out", str(scores)]) == 0
    printed = capsys.readouterr().out
    assert f"/ {ratings + notes_max:g} points" in printed  # the written-feedback cell counts in the maximum
    assert "1 score(s) set by hand" in printed
    bob = [r for r in rows(scores) if r["learner"] == "bob"]
    assert sum(float(r["points"]) for r in bob) == ratings + 5.0

    report = tmp_path / "report"
    assert main(["cohort", "report", str(course), "--out", str(report), "--no-progress"]) == 0
    learners = {r["learner"]: r for r in rows(report / "learners.csv")}
    assert float(learners["bob"]["points"]) == ratings + 5.0
    assert float(learners["bob"]["max"]) == ratings + notes_max

    canvas = tmp_path / "canvas.csv"
    assert main(["cohort", "export", str(course), "--lms", "canvas", "--out", str(canvas)]) == 0
    exported = {r["SIS Login ID"]: r for r in rows(canvas)}
    assert float(exported["bob"][EXERCISE]) == ratings + 5.0


def test_without_a_gradebook_the_record_is_the_fast_lane(course, bank):
    record = read_record(course, bank=bank, progress=False)
    assert set(record.scores["source"]) == {FROM_ANSWERS}
    assert record.gradebook is None
    # alice's notes are the reference rationales: every point, the written-feedback cell's included
    cases = bank.deck_cases(EXERCISE)
    assert record.totals().loc["alice", EXERCISE] == 4.0 * len(cases)


@pytest.mark.slow
def test_the_probe_exercise_appears_in_every_view(course_cycle, bank, tmp_path):
    """Exercise 12 (probe design): autograde's scores where it ran, the fast lane's elsewhere; is it in the record,
    the report and the export?"""
    course = course_cycle.course
    record = read_record(course, bank=bank, progress=False)
    assert "ex12-designing-probes" in record.exercises
    probe_rows = record.scores[record.scores["exercise"] == "ex12-designing-probes"]
    assert len(probe_rows) and FROM_GRADEBOOK in set(probe_rows["source"]) <= {FROM_GRADEBOOK, FROM_ANSWERS}
    assert GRADEBOOK_KIND in set(probe_rows["kind"]) or probe_rows["points"].sum() > 0
    canvas = tmp_path / "canvas.csv"
    assert main(["cohort", "export", str(course), "--lms", "canvas", "--out", str(canvas)]) == 0
    with open(canvas, newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert "ex12-designing-probes" in header
    report = tmp_path / "report"
    assert main(["cohort", "report", str(course), "--out", str(report), "--no-progress"]) == 0
    assert "ex12-designing-probes" in (report / "learners" / "alice.html").read_text(encoding="utf-8")
