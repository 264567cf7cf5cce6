"""Does `safetyrater start --instructor` open the formgrader on the course: its exercises and its collected
learners, asked of the formgrader's own HTTP API on a running server?"""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from pathlib import Path

import pytest

from safetyrater.cli import main

from browser.harness import REPO, CourseServer, course_copy, launch_chromium, running
from conftest import perfect_answers, write_submission

pytestmark = pytest.mark.slow

#: set by scripts/screenshots.py (as for the browser tests): where to save the README's picture of the formgrader
SCREENSHOTS_ENV = "SAFETYRATER_SCREENSHOTS"

EXERCISE = "ex01-two-questions"


@pytest.fixture(scope="module")
def course(tmp_path_factory, bank):
    root = course_copy(tmp_path_factory.mktemp("instructor") / "course-root")
    # the course's own graders/ (nbgrader_config.py finds the course from where it is) and nbgrader's source folder
    (root / "graders").unlink()
    shutil.copytree(REPO / "graders", root / "graders", ignore=shutil.ignore_patterns("cohort"))
    shutil.copytree(REPO / "solutions", root / "solutions")
    cases = bank.deck_cases(EXERCISE)
    for learner in ("alice", "bob"):
        write_submission(root, learner, EXERCISE, perfect_answers(cases))
    assert main(["cohort", "grade", str(root), "--gradebook", "--no-progress"]) == 0
    return root


def api(server: CourseServer, path: str):
    with urllib.request.urlopen(server.url(path), timeout=60) as response:
        return json.load(response)


def test_the_formgrader_lists_the_course_exercises_and_collected_learners(course, tmp_path):
    with running(CourseServer(course, tmp_path / "server", "--instructor")) as server:
        assignments = {a["name"]: a for a in api(server, "/formgrader/api/assignments")}
        students = {s["id"] for s in api(server, "/formgrader/api/students")}
        if os.environ.get(SCREENSHOTS_ENV):
            photograph_formgrader(server, Path(os.environ[SCREENSHOTS_ENV]))
        log = server.log()
    assert EXERCISE in assignments and assignments[EXERCISE]["num_submissions"] == 2
    assert {"ex02-risk-categories", "ex12-designing-probes"} <= set(assignments)  # from solutions/, not yet graded
    assert students == {"alice", "bob"}
    assert "No nbgrader_config.py" not in log
    assert (course / "graders" / "cohort" / "exchange").is_dir()  # the formgrader's release and collect use it


def photograph_formgrader(server: CourseServer, folder: Path) -> None:
    """The README's picture of the formgrader's assignment list (scripts/screenshots.py sets the folder)."""
    from playwright.sync_api import sync_playwright

    folder.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(server.url("/formgrader/manage_assignments"))
        page.locator("td", has_text=EXERCISE).first.wait_for()
        page.screenshot(path=folder / "formgrader.png")
        browser.close()
