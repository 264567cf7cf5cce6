"""Does every exercise travel through nbgrader: generate, autograde, feedback, export?

The course is the one the slow nbgrader tests share (``course_cycle``, built by
tests/nbgrader_course.py): every exercise generated at once, exercise 1 handed in
by six learners through an exchange and every other exercise by alice (perfect,
with notes) and frank (no answer file), ONE ``nbgrader autograde "*"`` over all of it.
"""

from __future__ import annotations

import csv
import filecmp
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from support.nbgrader_course import EXERCISE, EXERCISES, MULTIDIM, MULTIDIM_EXPECTED, PROBE_EXERCISES, nbgrader
from support.probe_examples import good_pairs

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def generated_course(course_cycle) -> Path:
    """A course with every exercise generated from solutions/."""
    return course_cycle.course


def test_exercises_folder_is_what_generation_produces(generated_course):
    """Is exercises/ exactly the release nbgrader generates from solutions/ today?"""
    generated = generated_course / "exercises"
    committed = REPO / "exercises"
    assert sorted(p.name for p in generated.iterdir()) == sorted(p.name for p in committed.iterdir())
    for folder in generated.iterdir():
        mismatch = filecmp.dircmp(folder, committed / folder.name)
        assert not (mismatch.left_only or mismatch.right_only or mismatch.diff_files), (
            f"exercises/{folder.name} differs from a fresh nbgrader generate_assignment; "
            "regenerate it (see README, 'For instructors')"
        )
        for notebook in folder.glob("*.ipynb"):
            assert (committed / folder.name / notebook.name).read_bytes() == notebook.read_bytes()


@pytest.fixture(scope="module")
def graded_cohort(course_cycle, bank):
    """Every exercise: a perfect (alice) and an empty (frank) submission; exercise 1 also
    partly right learners and a broken answer file. Autograded, feedback, exported."""
    cases = bank.deck_cases(EXERCISE)
    answers = {learner: course_cycle.answers[learner] for learner in ("alice", "bob", "dave")}
    # Ratings: 8 cases x 3 points. Written feedback: one cell worth 8 x 1 point
    # (points_per_note in graders/rubric.toml) whose automatic score is the
    # pre-score, the mean rubric score of the notes times 8.
    ratings = {"alice": 24.0, "bob": 20.0, "dave": 20.0, "erin": 0.0, "frank": 0.0}
    notes = {"alice": 8.0, "bob": 2.0, "dave": 0.0, "erin": 0.0, "frank": 0.0}
    expected = {student: ratings[student] + notes[student] for student in ratings}
    return course_cycle.course, cases, expected, answers, ratings, notes


def _grades(course: Path) -> dict[tuple[str, str], dict]:
    with open(course / "grades.csv", newline="") as handle:
        return {(row["assignment"], row["student_id"]): row for row in csv.DictReader(handle)}


def test_every_exercise_scores_full_marks_for_perfect_answers_and_zero_for_none(graded_cohort):
    """Is each exercise worth the policy's points for its cases and notes, all earned or none?"""
    from safetyrater.bank.casebank import CaseBank
    from safetyrater.feedback.rubric import load_rubric
    from safetyrater.bank.policy import load_policy

    course = graded_cohort[0]
    bank = CaseBank.load(REPO / "datasets")
    policy = load_policy(REPO / "graders" / "policy.toml")
    rows = _grades(course)
    from safetyrater.grading.core import case_max_points

    assert len(EXERCISES) >= 9
    for exercise in EXERCISES:
        if exercise in PROBE_EXERCISES:  # the automatic checks only: the instructor grades the rest
            assert (float(rows[(exercise, "alice")]["score"]), float(rows[(exercise, "frank")]["score"])) == (6.0, 0.0)
            continue
        cases = bank.deck_cases(exercise)
        # every reference rationale passes the whole rubric (tests/test_feedback.py), so notes earn full marks
        maximum = sum(case_max_points(c, policy) for c in cases) + load_rubric().points_per_note * len(cases)
        assert float(rows[(exercise, "alice")]["score"]) == maximum, exercise
        assert float(rows[(exercise, "alice")]["max_score"]) == maximum, exercise
        assert float(rows[(exercise, "frank")]["score"]) == 0.0, exercise


def test_feedback_of_every_exercise_hides_the_grading_code(graded_cohort):
    course = graded_cohort[0]
    for exercise in EXERCISES:
        page = (course / "graders" / "cohort" / "feedback" / "alice" / exercise / f"{exercise}.html").read_text()
        text = re.sub(r"<[^>]+>", "", page)
        assert "HIDDEN TESTS" not in text and "grade_item" not in text, exercise
        assert "reference response" not in text and "reference rating" not in text.lower(), exercise


def test_autograde_gives_known_scores(graded_cohort):
    course, cases, expected, *_ = graded_cohort
    assert len(cases) == 8
    rows = {student: row for (exercise, student), row in _grades(course).items() if exercise == EXERCISE}
    assert {s: float(rows[s]["score"]) for s in expected} == expected
    assert all(float(rows[s]["max_score"]) == 32.0 for s in expected)


def test_written_feedback_awaits_the_instructor_with_the_pre_score(graded_cohort):
    """Does the formgrader show each note's pre-score and flag it for review when there is a note?"""
    from nbgrader.api import Gradebook

    course, _, _, answers, _, notes = graded_cohort
    with Gradebook(f"sqlite:///{course}/gradebook.db") as gradebook:
        for student, pre_score in notes.items():
            grade = gradebook.find_grade("written-feedback", EXERCISE, EXERCISE, student)
            assert grade.auto_score == pre_score
            assert grade.max_score == 8.0
            wrote = any((a.get("note") or "").strip() for a in answers.get(student, {}).values())
            assert grade.needs_manual_grade is wrote, student
            # the instructor's score, once given, replaces the pre-score
            assert grade.manual_score is None and grade.score == pre_score


def test_command_line_grade_agrees_with_nbgrader(graded_cohort):
    """Does `safetyrater grade` give each file nbgrader's total, the written-feedback pre-score included?"""
    course, _, expected, answers, _, _ = graded_cohort
    from safetyrater.cli import main

    for student in answers:
        path = course / "graders" / "cohort" / "submitted" / student / EXERCISE / f"{EXERCISE}.answers.json"
        out = subprocess.run(
            [sys.executable, "-m", "safetyrater", "grade", "--json", str(path)], capture_output=True, text=True, check=True
        ).stdout
        assert json.loads(out)[0]["points"] == expected[student]


def test_autograde_keeps_the_learners_answer_file(graded_cohort):
    course, _, _, answers, *_ = graded_cohort
    for student, given in answers.items():
        path = course / "graders" / "cohort" / "autograded" / student / EXERCISE / f"{EXERCISE}.answers.json"
        assert json.loads(path.read_text())["answers"] == given


def test_feedback_shows_scores_but_neither_the_key_nor_the_rationale(graded_cohort):
    course, cases, *_ = graded_cohort
    for student in ("alice", "bob", "dave"):
        page = (course / "graders" / "cohort" / "feedback" / student / EXERCISE / f"{EXERCISE}.html").read_text()
        text = re.sub(r"<[^>]+>", "", page)
        assert "HIDDEN TESTS" not in text and "grade_item" not in text and "grade_notes" not in text
        for case in cases:
            assert re.search(rf"reference\s*(&#39;|'|rating)\s*{case.reference_rating}", text, re.I) is None
        assert "points" in text
    bob = re.sub(r"<[^>]+>", "", (course / "graders" / "cohort" / "feedback" / "bob" / EXERCISE / f"{EXERCISE}.html").read_text())
    assert "pre-score 2.00 / 8 points" in bob and "Why explained" in bob
    # bob's notes are not the rationale, so no rationale reaches his feedback
    import html

    assert not any(case.rationale[:60] in html.unescape(bob) for case in cases)


# --- exercises 11 (multi-dimension) and 12 (probe design); learners in tests/nbgrader_course.py ---

PROBES = PROBE_EXERCISES[0]


def test_ex11_autograde_scores_each_dimension_by_distance(graded_cohort):
    rows = _grades(graded_cohort[0])
    assert {s: float(rows[(MULTIDIM, s)]["score"]) for s in MULTIDIM_EXPECTED} == MULTIDIM_EXPECTED
    # 32 for the dimensions and 10 for the written notes (none written: pre-score 0)
    assert all(float(rows[(MULTIDIM, s)]["max_score"]) == 42.0 for s in MULTIDIM_EXPECTED)


def test_ex11_command_line_grade_agrees_with_nbgrader(graded_cohort):
    course = graded_cohort[0]
    for student in ("bob", "carol"):
        path = course / "graders" / "cohort" / "submitted" / student / MULTIDIM / f"{MULTIDIM}.answers.json"
        out = subprocess.run([sys.executable, "-m", "safetyrater", "grade", "--json", str(path)], capture_output=True, text=True, check=True).stdout
        assert json.loads(out)[0]["points"] == MULTIDIM_EXPECTED[student]


def test_ex11_feedback_shows_each_dimension_but_not_the_key(graded_cohort):
    course = graded_cohort[0]
    page = (course / "graders" / "cohort" / "feedback" / "bob" / MULTIDIM / f"{MULTIDIM}.html").read_text()
    text = re.sub(r"<[^>]+>", "", page)
    assert "HIDDEN TESTS" not in text and "grade_item" not in text
    assert "Helpfulness: you chose" in text and "0.5 of 1 point(s)" in text
    assert "; reference" not in text


def test_ex12_autograde_scores_the_automatic_checks_and_shows_them_to_the_instructor(graded_cohort):
    course = graded_cohort[0]
    assert float(_grades(course)[(PROBES, "bob")]["score"]) == 2.0 + 1.5 + 0.0
    notebook = json.loads((course / "graders" / "cohort" / "autograded" / "bob" / PROBES / f"{PROBES}.ipynb").read_text())
    outputs = "".join("".join(o.get("text", "")) for cell in notebook["cells"] if cell["cell_type"] == "code" for o in cell.get("outputs", []))
    assert good_pairs()["pair-1"]["first"]["prompt"] in outputs
    assert "✗ labels: the second prompt has no label" in outputs
    assert "For your instructor (task 'Pair 1: review', 4 points): confirm or override" in outputs
    assert "expectations (2): pre-score" in outputs
    assert "incomplete pair: no topic chosen" in outputs  # pair 3, never written
    page = (course / "graders" / "cohort" / "feedback" / "bob" / PROBES / f"{PROBES}.html").read_text()
    assert "HIDDEN TESTS" not in page and "grade_pair" not in page and "looks-unsafe" in page


def test_ex12_routes_each_pair_to_the_instructor_and_the_manual_grades_count(graded_cohort, tmp_path):
    from nbgrader.api import Gradebook

    course = graded_cohort[0]
    with Gradebook(f"sqlite:///{course}/gradebook.db") as gradebook:
        for student in ("alice", "bob", "frank"):
            for number in (1, 2, 3):
                assert not gradebook.find_grade(f"pair-{number}-checks", PROBES, PROBES, student).needs_manual_grade
                review = gradebook.find_grade(f"pair-{number}-review", PROBES, PROBES, student)
                assert review.needs_manual_grade and review.auto_score is None
        for student, scores in {"alice": [4, 3, 4], "bob": [3, 2, 0]}.items():
            for number, score in enumerate(scores, 1):
                grade = gradebook.find_grade(f"pair-{number}-review", PROBES, PROBES, student)
                grade.manual_score = score
                grade.needs_manual_grade = False
        gradebook.db.commit()
    # exported apart, so the course's own grades.csv (read by other tests) stays as autograde left it
    nbgrader(course, "export", "--to", str(tmp_path / "grades.csv"))
    with open(tmp_path / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle) if row["assignment"] == PROBES}
    expected = {"alice": 6.0 + 11, "bob": 3.5 + 5, "frank": 0.0}
    assert {s: float(rows[s]["score"]) for s in expected} == expected
    assert all(float(rows[s]["max_score"]) == 18.0 for s in expected)


def test_autograde_warns_of_no_changed_cell_when_nobody_changed_one(course_cycle):
    """Untouched notebooks differ from the source only by the hidden tests the release removed: is autograde quiet?"""
    log = course_cycle.autograde_log
    assert "Autograding" in log or "autograd" in log.lower()  # the log is autograde's
    assert "Attribute 'checksum'" not in log


def test_autograde_still_warns_of_a_locked_cell_a_learner_changed(course_cycle, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(course_cycle.course, course, ignore=shutil.ignore_patterns("home"))
    config = course / "nbgrader_config.py"
    config.write_text(config.read_text().replace(str(course_cycle.course), str(course)))
    alice = course / "graders" / "cohort" / "submitted" / "alice" / EXERCISE
    mallory = course / "graders" / "cohort" / "submitted" / "mallory" / EXERCISE
    shutil.copytree(alice, mallory)
    notebook_path = mallory / f"{EXERCISE}.ipynb"
    notebook = json.loads(notebook_path.read_text())
    changed = next(c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("locked") and c["metadata"]["nbgrader"].get("grade"))
    changed["source"] = "".join(changed["source"]) + "\nprint(3.0)"
    notebook_path.write_text(json.dumps(notebook))
    log = nbgrader(course, "autograde", EXERCISE, "--student=mallory", "--create")
    warnings = [line for line in (log.stdout + log.stderr).splitlines() if "Attribute 'checksum'" in line]
    assert len(warnings) == 1 and changed["metadata"]["nbgrader"]["grade_id"] in warnings[0]
