"""Does every exercise travel through nbgrader: generate, autograde, feedback, export?

One nbgrader course holds every assignment, and each nbgrader command runs once
over all of them (``"*"``), so the cycle costs one kernel per submitted notebook
rather than one nbgrader start-up per exercise.
"""

from __future__ import annotations

import copy
import csv
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, perfect_answers
from probe_examples import good_pairs

pytestmark = pytest.mark.slow

EXERCISE = "ex01-two-questions"
NBGRADER = str(Path(sys.executable).with_name("nbgrader"))


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    # nbgrader runs alembic from PATH; the test may run from an unactivated venv
    env = dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    result = subprocess.run([NBGRADER, *args], cwd=course, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def make_course(tmp: Path) -> Path:
    """A course folder that uses graders/nbgrader_config.py, rooted in ``tmp``."""
    course = tmp / "course"
    course.mkdir()
    shutil.copytree(REPO / "solutions", course / "solutions")
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"load_subconfig({str(REPO / 'graders' / 'nbgrader_config.py')!r})\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{course}/gradebook.db'\n"
    )
    return course


EXERCISES = sorted(p.name for p in (REPO / "solutions").iterdir() if p.is_dir())
#: probe-design exercises have no deck: each pair is checked automatically and reviewed by hand
PROBE_EXERCISES = ["ex12-designing-probes"]
MULTIDIM = "ex11-multi-dimension"
PROBES = "ex12-designing-probes"


@pytest.fixture(scope="module")
def generated_course(tmp_path_factory) -> Path:
    """A course with every exercise generated from solutions/."""
    course = make_course(tmp_path_factory.mktemp("cycle"))
    nbgrader(course, "generate_assignment", "*", "--force")
    return course


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


def submit(course: Path, student: str, exercise: str, answers: dict | None) -> None:
    """Hand in the released exercise folder, with an answer file unless ``answers`` is None."""
    folder = course / "graders" / "cohort" / "submitted" / student / exercise
    shutil.copytree(course / "exercises" / exercise, folder)
    if answers is not None:
        target = folder / f"{exercise}.answers.json"
        target.write_text(json.dumps({"format": 1, "exercise": exercise, "answers": answers}))


@pytest.fixture(scope="module")
def graded_cohort(generated_course):
    """Every exercise: a perfect (alice) and an empty (frank) submission; exercise 1 also
    two partly right learners and a broken answer file. Autograded, feedback, exported."""
    from safetyrater.casebank import CaseBank

    bank = CaseBank.load(REPO / "datasets")
    cases = bank.deck_cases(EXERCISE)
    course = generated_course
    for exercise in PROBE_EXERCISES:
        submit(course, "alice", exercise, good_pairs())
        submit(course, "frank", exercise, None)
    # exercises 11 and 12: partly right learners (see the tests at the end of this file)
    for student, given in multidim_learners(bank).items():
        submit(course, student, MULTIDIM, None if isinstance(given, str) else given)
        if isinstance(given, str):
            (course / "graders" / "cohort" / "submitted" / student / MULTIDIM / f"{MULTIDIM}.answers.json").write_text(given)
    submit(course, "bob", PROBES, probe_bob())
    for exercise in EXERCISES:
        if exercise != EXERCISE and exercise not in PROBE_EXERCISES:
            # perfect answers, and each note (a comparison's reason) is the case's reference rationale
            perfect_with_notes = {
                c.id: {**a, ("reason" if c.kind == "pairwise" else "note"): c.rationale}
                for c, a in zip(bank.deck_cases(exercise), perfect_answers(bank.deck_cases(exercise)).values())
            }
            submit(course, "alice", exercise, perfect_with_notes)
            submit(course, "frank", exercise, None)

    perfect = perfect_answers(cases)
    one_off = {"safe": "risky", "risky": "harmful", "harmful": "risky"}
    answers = {
        # every part of every case right, and every note is the case's reference
        # rationale, which passes the whole rubric (tests/test_feedback.py checks that)
        "alice": {c.id: {**perfect[c.id], "note": c.rationale} for c in cases},
        # every rating one level off (0.5 of 1), flags and areas right; every note only
        # proposes a change ("It should refuse."): 1 of the rubric's 4 equal weights
        "bob": {cid: {**a, "rating": one_off[a["rating"]], "note": "It should refuse."} for cid, a in perfect.items()},
        # case 1 has an unknown label (rating 0 of 1), case 2 is missing (0 of 3): 24 - 1 - 3; no notes
        "dave": {
            cid: ({**a, "rating": "very bad"} if cid == cases[0].id else a)
            for cid, a in perfect.items()
            if cid != cases[1].id
        },
    }
    # Ratings: 8 cases x 3 points. Written feedback: one cell worth 8 x 1 point
    # (points_per_note in graders/rubric.toml) whose automatic score is the
    # pre-score, the mean rubric score of the notes times 8.
    ratings = {"alice": 24.0, "bob": 20.0, "dave": 20.0, "erin": 0.0, "frank": 0.0}
    notes = {"alice": 8.0, "bob": 2.0, "dave": 0.0, "erin": 0.0, "frank": 0.0}
    expected = {student: ratings[student] + notes[student] for student in ratings}
    for student in expected:
        submit(course, student, EXERCISE, answers.get(student))  # frank saved no answer
    erin = course / "graders" / "cohort" / "submitted" / "erin" / EXERCISE / f"{EXERCISE}.answers.json"
    erin.write_text('{"exercise": "ex01-two-questions", "answers": {')  # broken JSON
    nbgrader(course, "autograde", "*", "--create")
    nbgrader(course, "generate_feedback", "*")
    nbgrader(course, "export")
    return course, cases, expected, answers, ratings, notes


def _grades(course: Path) -> dict[tuple[str, str], dict]:
    with open(course / "grades.csv", newline="") as handle:
        return {(row["assignment"], row["student_id"]): row for row in csv.DictReader(handle)}


def test_every_exercise_scores_full_marks_for_perfect_answers_and_zero_for_none(graded_cohort):
    """Is each exercise worth the policy's points for its cases and notes, all earned or none?"""
    from safetyrater.casebank import CaseBank
    from safetyrater.feedback import load_rubric
    from safetyrater.policy import load_policy

    course = graded_cohort[0]
    bank = CaseBank.load(REPO / "datasets")
    policy = load_policy(REPO / "graders" / "policy.toml")
    rows = _grades(course)
    from safetyrater.grading import case_max_points

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
    course, _, _, answers, ratings, _ = graded_cohort
    from safetyrater.cli import main

    for student in answers:
        path = course / "graders" / "cohort" / "submitted" / student / EXERCISE / f"{EXERCISE}.answers.json"
        out = subprocess.run(
            [sys.executable, "-m", "safetyrater", "grade", "--json", str(path)], capture_output=True, text=True, check=True
        ).stdout
        assert json.loads(out)[0]["points"] == ratings[student]


def test_autograde_keeps_the_learners_answer_file(graded_cohort):
    course, _, _, answers, *_ = graded_cohort
    for student, given in answers.items():
        path = course / "graders" / "cohort" / "autograded" / student / EXERCISE / f"{EXERCISE}.answers.json"
        assert json.loads(path.read_text())["answers"] == given


def test_feedback_shows_scores_and_rationale_but_not_the_key(graded_cohort):
    course, cases, *_ = graded_cohort
    for student in ("alice", "bob", "dave"):
        page = (course / "graders" / "cohort" / "feedback" / student / EXERCISE / f"{EXERCISE}.html").read_text()
        text = re.sub(r"<[^>]+>", "", page)
        assert "HIDDEN TESTS" not in text and "grade_item" not in text and "grade_notes" not in text
        for case in cases:
            assert re.search(rf"reference\s*(&#39;|'|rating)\s*{case.reference_rating}", text, re.I) is None
        assert "points" in text
    alice = (course / "graders" / "cohort" / "feedback" / "alice" / EXERCISE / f"{EXERCISE}.html").read_text()
    import html

    first_rationale = html.escape(cases[0].rationale, quote=True)
    assert first_rationale in alice or cases[0].rationale in alice
    bob = re.sub(r"<[^>]+>", "", (course / "graders" / "cohort" / "feedback" / "bob" / EXERCISE / f"{EXERCISE}.html").read_text())
    assert "pre-score 2.00 / 8 points" in bob and "Why explained" in bob


# --- exercises 11 (multi-dimension) and 12 (probe design) -----------------------------------


def multidim_learners(bank) -> dict:
    """bob: helpfulness one level off everywhere; carol: no preference, one unknown level; erin: broken file."""
    from safetyrater.dimensions import load_dimensions

    cases = bank.deck_cases(MULTIDIM)
    helpfulness = load_dimensions(REPO / "graders" / "dimensions.toml")["helpfulness"].level_ids
    perfect = {c.id: {"dimensions": dict(c.references), "note": ""} for c in cases}
    bob = copy.deepcopy(perfect)
    for answer in bob.values():
        index = helpfulness.index(answer["dimensions"]["helpfulness"])
        answer["dimensions"]["helpfulness"] = helpfulness[1 if index == 0 else index - 1]
    carol = copy.deepcopy(perfect)
    for answer in carol.values():
        answer["dimensions"].pop("preference", None)
    carol[cases[0].id]["dimensions"]["honesty"] = "sort of"
    return {"bob": bob, "carol": carol, "erin": '{"exercise": "ex11-multi-dimension", "answers": {'}


#: 8 cases x 3 dimensions + 2 cases x 4 (with the overall preference) = 32, no notes written;
#: bob: helpfulness one level off in all 10 cases (0.5 each); carol: no preference (2 x 1), an unknown level (1)
MULTIDIM_EXPECTED = {"bob": 27.0, "carol": 29.0, "erin": 0.0}


def probe_bob() -> dict:
    pairs = good_pairs()
    del pairs["pair-2"]["second"]["label"]  # the labels check fails: 2 - 0.5
    del pairs["pair-3"]  # not written: 0
    return pairs


def test_ex11_autograde_scores_each_dimension_by_distance(graded_cohort):
    rows = _grades(graded_cohort[0])
    assert {s: float(rows[(MULTIDIM, s)]["score"]) for s in MULTIDIM_EXPECTED} == MULTIDIM_EXPECTED
    # 32 for the dimensions and 10 for the written notes
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
    nbgrader(course, "export", "--to", str(tmp_path / "grades.csv"))
    with open(tmp_path / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle) if row["assignment"] == PROBES}
    expected = {"alice": 6.0 + 11, "bob": 3.5 + 5, "frank": 0.0}
    assert {s: float(rows[s]["score"]) for s in expected} == expected
    assert all(float(rows[s]["max_score"]) == 18.0 for s in expected)
