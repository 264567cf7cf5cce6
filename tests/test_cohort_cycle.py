"""Does the whole nbgrader cycle run for a cohort through an exchange, and does the fast lane agree with it?

Five learners fetch the exercise from a temporary exchange and submit as
themselves (nbgrader takes the learner's name from the operating-system user,
or from ``--student``, which stands in for five accounts on one machine); the
instructor collects, autogrades, returns feedback and exports; each learner
fetches their own feedback.
"""

from __future__ import annotations

import csv
import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from safetyrater.cli import main
from safetyrater.cohort.grade import grade_course
from safetyrater.cohort.gradebook import grade_cell_name, open_gradebook

from conftest import perfect_answers
from test_nbgrader_cycle import make_course, nbgrader

pytestmark = pytest.mark.slow

EXERCISE = "ex01-two-questions"
COURSE_ID = "safetyrater"
ONE_OFF = {"safe": "risky", "risky": "harmful", "harmful": "risky"}


def learner_answers(cases) -> dict[str, dict | str | None]:
    """What each learner saved: answers, broken text, or nothing."""
    perfect = perfect_answers(cases)
    return {
        "alice": perfect,
        "bob": {cid: {**a, "rating": ONE_OFF[a["rating"]]} for cid, a in perfect.items()},
        "carol": {cid: {**a, "rating": "harmful", "over_refusal": False, "categories": ["privacy"]} for cid, a in perfect.items()},
        "erin": '{"exercise": "ex01-two-questions", "answers": {',
        "frank": None,
    }


def grades_csv(path: Path) -> dict[str, float]:
    with open(path, newline="") as handle:
        return {row["student_id"]: float(row["score"]) for row in csv.DictReader(handle) if row["assignment"] == EXERCISE}


@pytest.fixture(scope="module")
def cycle(tmp_path_factory, bank):
    tmp = tmp_path_factory.mktemp("exchange-cycle")
    exchange = tmp / "exchange"
    exchange.mkdir()
    course = make_course(tmp)
    exchange_root = f"--Exchange.root={exchange}"
    nbgrader(course, "generate_assignment", EXERCISE, "--force")
    nbgrader(course, "release_assignment", EXERCISE, exchange_root)

    answers = learner_answers(bank.deck_cases(EXERCISE))
    # each learner has a home folder and an nbgrader cache of their own, as on their own account
    homes = {learner: (tmp / "home" / learner, [f"--course={COURSE_ID}", exchange_root, f"--Exchange.cache={tmp / 'home' / learner / '.nbgrader-cache'}"]) for learner in answers}

    def work_and_submit(learner: str) -> None:
        home, as_learner = homes[learner]
        home.mkdir(parents=True)
        nbgrader(home, "fetch_assignment", EXERCISE, *as_learner)
        target = home / EXERCISE / f"{EXERCISE}.answers.json"
        saved = answers[learner]
        if isinstance(saved, dict):
            target.write_text(json.dumps({"format": 1, "exercise": EXERCISE, "answers": saved}))
        elif isinstance(saved, str):
            target.write_text(saved)
        nbgrader(home, "submit", EXERCISE, f"--student={learner}", *as_learner)

    def fetch_feedback(learner: str) -> None:
        home, as_learner = homes[learner]
        nbgrader(home, "fetch_feedback", EXERCISE, f"--student={learner}", *as_learner)

    # learners work at the same time, as a class does
    with ThreadPoolExecutor(max_workers=len(homes)) as pool:
        list(pool.map(work_and_submit, homes))
    nbgrader(course, "collect", EXERCISE, exchange_root)
    nbgrader(course, "autograde", EXERCISE, "--create")
    nbgrader(course, "generate_feedback", EXERCISE)
    nbgrader(course, "release_feedback", EXERCISE, exchange_root)
    with ThreadPoolExecutor(max_workers=len(homes)) as pool:
        list(pool.map(fetch_feedback, homes))
    nbgrader(course, "export")
    return course, homes, answers


def test_every_learner_is_collected_autograded_and_exported(cycle, bank):
    course, _, answers = cycle
    scores = grades_csv(course / "grades.csv")
    assert set(scores) == set(answers)
    cases = bank.deck_cases(EXERCISE)
    assert scores["alice"] == 3.0 * len(cases)
    assert scores["bob"] == 2.5 * len(cases)
    assert scores["erin"] == scores["frank"] == 0.0
    assert 0 < scores["carol"] < scores["bob"]


def test_each_learner_fetches_only_their_own_feedback(cycle):
    _, homes, _ = cycle
    pages = {}
    for learner, (home, _) in homes.items():
        found = list((home / EXERCISE / "feedback").glob(f"*/{EXERCISE}.html"))
        assert len(found) == 1, learner
        pages[learner] = found[0].read_text()
    assert len(set(pages.values())) == len(pages)
    assert "grade_item" not in pages["alice"]


def test_fast_lane_scores_are_autogrades_case_by_case(cycle, bank, policy):
    """On the collected submissions, does every case get the points autograde recorded?"""
    course, _, answers = cycle
    grades = grade_course(course, bank=bank, policy=policy, progress=False)
    assert set(grades.learners) == set(answers)
    with open_gradebook(grades.layout.db_url, COURSE_ID) as gradebook:
        for row in grades.scores.itertuples():
            recorded = gradebook.find_grade(grade_cell_name(row.case), EXERCISE, EXERCISE, row.learner)
            assert recorded.auto_score == row.points, (row.learner, row.case)
    assert grades.totals()[EXERCISE].to_dict() == grades_csv(course / "grades.csv")
    assert {p.field for p in grades.problems} == {"learner erin", "learner frank"}


def test_lms_export_after_the_cycle_has_autogrades_totals(cycle, tmp_path):
    course, _, _ = cycle
    out = tmp_path / "canvas.csv"
    assert main(["cohort", "export", str(course), "--lms", "canvas", "--out", str(out)]) == 0
    with open(out, newline="") as handle:
        rows = list(csv.DictReader(handle))
    exported = {row["SIS Login ID"]: float(row[EXERCISE]) for row in rows[1:]}
    assert exported == pytest.approx(grades_csv(course / "grades.csv"), abs=0.005)  # LMS columns carry 2 decimals


def test_fast_lane_gradebook_write_is_what_nbgrader_export_sees(cycle, tmp_path):
    """Without autograde, does `cohort grade --gradebook` give `nbgrader export` the same grades?"""
    graded_course, _, _ = cycle
    course = make_course(tmp_path)
    nbgrader(course, "generate_assignment", EXERCISE, "--force")
    shutil.copytree(graded_course / "graders" / "cohort" / "submitted", course / "graders" / "cohort" / "submitted")
    assert main(["cohort", "grade", str(course), "--gradebook", "--no-progress"]) == 1  # erin and frank reported
    nbgrader(course, "export")
    assert grades_csv(course / "grades.csv") == grades_csv(graded_course / "grades.csv")
