"""Do exercises 11 (multi-dimension) and 12 (probe design) travel through nbgrader at known scores?"""

from __future__ import annotations

import copy
import csv
import json
import re
import shutil
import subprocess
import sys

import pytest

from conftest import REPO
from probe_examples import good_pairs
from test_nbgrader_cycle import make_course, nbgrader

pytestmark = pytest.mark.slow

MULTIDIM = "ex11-multi-dimension"
PROBES = "ex12-designing-probes"


def _submit(course, exercise, answers):
    """Copy the release into each learner's submission folder with their answer file (None: none saved)."""
    release = course / "exercises" / exercise
    for student, given in answers.items():
        folder = course / "graders" / "cohort" / "submitted" / student / exercise
        shutil.copytree(release, folder)
        target = folder / f"{exercise}.answers.json"
        if isinstance(given, str):
            target.write_text(given)
        elif given is not None:
            target.write_text(json.dumps({"format": 1, "exercise": exercise, "answers": given}))


def _grades(course):
    with open(course / "grades.csv", newline="") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle) if row["assignment"] in (MULTIDIM, PROBES)}


def _one_level_off(levels, level):
    index = levels.index(level)
    return levels[1] if index == 0 else levels[index - 1]


@pytest.fixture(scope="module")
def multidim_cohort(tmp_path_factory):
    from safetyrater.casebank import CaseBank
    from safetyrater.dimensions import load_dimensions

    bank = CaseBank.load(REPO / "datasets")
    cases = bank.deck_cases(MULTIDIM)
    helpfulness = load_dimensions(REPO / "graders" / "dimensions.toml")["helpfulness"].level_ids
    perfect = {c.id: {"dimensions": dict(c.references), "note": ""} for c in cases}
    bob = copy.deepcopy(perfect)
    for answer in bob.values():
        answer["dimensions"]["helpfulness"] = _one_level_off(helpfulness, answer["dimensions"]["helpfulness"])
    carol = copy.deepcopy(perfect)
    for answer in carol.values():
        answer["dimensions"].pop("preference", None)
    carol[cases[0].id]["dimensions"]["honesty"] = "sort of"
    answers = {"alice": perfect, "bob": bob, "carol": carol, "erin": '{"exercise": "ex11-multi-dimension", "answers": {'}
    # 8 cases x 3 dimensions + 2 cases x 4 (with the overall preference) = 32, notes left empty;
    # bob: helpfulness one level off in all 10 cases (0.5 each); carol: no preference (2 x 1), unknown honesty level (1)
    expected = {"alice": 32.0, "bob": 27.0, "carol": 29.0, "erin": 0.0}
    course = make_course(tmp_path_factory.mktemp("ex11"))
    nbgrader(course, "generate_assignment", MULTIDIM, "--force")
    _submit(course, MULTIDIM, answers)
    nbgrader(course, "autograde", MULTIDIM, "--create")
    nbgrader(course, "generate_feedback", MULTIDIM)
    nbgrader(course, "export")
    return course, cases, answers, expected


def test_ex11_autograde_gives_known_scores_per_dimension(multidim_cohort):
    course, cases, _, expected = multidim_cohort
    rows = _grades(course)
    assert {s: float(rows[s]["score"]) for s in expected} == expected
    # 32 for the dimensions and 10 for the written notes (none written here: pre-score 0)
    assert all(float(rows[s]["max_score"]) == 42.0 for s in expected)


def test_ex11_command_line_grade_agrees_with_nbgrader(multidim_cohort):
    course, _, answers, expected = multidim_cohort
    for student in ("alice", "bob", "carol"):
        path = course / "graders" / "cohort" / "submitted" / student / MULTIDIM / f"{MULTIDIM}.answers.json"
        out = subprocess.run([sys.executable, "-m", "safetyrater", "grade", "--json", str(path)], capture_output=True, text=True, check=True).stdout
        assert json.loads(out)[0]["points"] == expected[student]


def test_ex11_feedback_shows_each_dimension_but_not_the_key(multidim_cohort):
    course, cases, _, _ = multidim_cohort
    page = (course / "graders" / "cohort" / "feedback" / "bob" / MULTIDIM / f"{MULTIDIM}.html").read_text()
    text = re.sub(r"<[^>]+>", "", page)
    assert "HIDDEN TESTS" not in text and "grade_item" not in text
    assert "Helpfulness: you chose" in text and "0.5 of 1 point(s)" in text
    assert re.search(r"reference\s*&#39;", text) is None and "; reference" not in text


@pytest.fixture(scope="module")
def probe_cohort(tmp_path_factory):
    pairs = good_pairs()
    bob = good_pairs()
    del bob["pair-2"]["second"]["label"]  # labels check fails: 2 - 0.5
    del bob["pair-3"]  # pair 3 not written: 0
    answers = {"alice": pairs, "bob": bob, "frank": None}
    course = make_course(tmp_path_factory.mktemp("ex12"))
    nbgrader(course, "generate_assignment", PROBES, "--force")
    _submit(course, PROBES, answers)
    nbgrader(course, "autograde", PROBES, "--create")
    nbgrader(course, "export")
    automatic = _grades(course)
    return course, answers, automatic


def test_ex12_autograde_scores_the_automatic_checks(probe_cohort):
    _, _, automatic = probe_cohort
    assert {s: float(row["score"]) for s, row in automatic.items()} == {"alice": 6.0, "bob": 3.5, "frank": 0.0}
    assert all(float(row["max_score"]) == 18.0 for row in automatic.values())


def test_ex12_routes_each_pair_to_the_instructor_and_the_manual_grades_count(probe_cohort):
    from nbgrader.api import Gradebook

    course, _, _ = probe_cohort
    db = f"sqlite:///{course}/gradebook.db"
    manual = {"alice": [4, 3, 4], "bob": [3, 2, 0]}
    with Gradebook(db) as gradebook:
        for student in ("alice", "bob", "frank"):
            for number in (1, 2, 3):
                check = gradebook.find_grade(f"pair-{number}-checks", PROBES, PROBES, student)
                review = gradebook.find_grade(f"pair-{number}-review", PROBES, PROBES, student)
                assert not check.needs_manual_grade
                assert review.needs_manual_grade and review.auto_score is None
        for student, scores in manual.items():
            for number, score in enumerate(scores, 1):
                grade = gradebook.find_grade(f"pair-{number}-review", PROBES, PROBES, student)
                grade.manual_score = score
                grade.needs_manual_grade = False
        gradebook.db.commit()
    nbgrader(course, "export")
    rows = _grades(course)
    assert {s: float(row["score"]) for s, row in rows.items()} == {"alice": 6.0 + 11, "bob": 3.5 + 5, "frank": 0.0}


def test_ex12_output_shows_the_pairs_checks_and_prescore_to_the_instructor(probe_cohort):
    course, answers, _ = probe_cohort
    notebook = json.loads((course / "graders" / "cohort" / "autograded" / "bob" / PROBES / f"{PROBES}.ipynb").read_text())
    outputs = "".join(
        "".join(output.get("text", "")) for cell in notebook["cells"] if cell["cell_type"] == "code" for output in cell.get("outputs", [])
    )
    assert answers["bob"]["pair-1"]["first"]["prompt"] in outputs
    assert "✗ labels: the second prompt has no label" in outputs
    assert "For your instructor (task 'Pair 1: review', 4 points): confirm or override" in outputs
    assert "expectations (2): pre-score" in outputs
    assert "incomplete pair: no topic chosen" in outputs  # pair 3, never written
    nbgrader(course, "generate_feedback", PROBES, "--force")
    page = (course / "graders" / "cohort" / "feedback" / "bob" / PROBES / f"{PROBES}.html").read_text()
    assert "HIDDEN TESTS" not in page and "grade_pair" not in page
    assert "looks-unsafe" in page
