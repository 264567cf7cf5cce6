"""Inert text in the real page: does a case written as an attack show as text in the course app,
and does markup a learner adds to a submitted notebook stay text in the instructor's pages
(nbgrader's feedback page and the formgrader, which runs on the instructor's server beside the keys)?"""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest

from .harness import REPO, CARD, CourseServer, FormgraderServer, card, press_check, rate, running, voila_open

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LESSON = "course/01-the-two-questions.ipynb"
DECK = "lesson-01-two-questions"
HOSTILE = (
    "<script>window.pwned = 1; alert('script ran')</script> "
    "<img src=x id=sr-injected onerror=\"window.pwned = 2; alert('onerror ran')\"> "
    "[claim your reward](javascript:alert('link ran'))"
)


def hostile_course(dest: Path) -> Path:
    """A course copy whose lesson-1 first case has hostile prompt, context and response."""
    dest.mkdir(parents=True)
    skip = shutil.ignore_patterns("*.answers.json*", ".ipynb_checkpoints")
    for name in ("course", "exercises", "datasets"):
        shutil.copytree(REPO / name, dest / name, ignore=skip)
    (dest / "graders").symlink_to(REPO / "graders", target_is_directory=True)
    first = tomllib.loads((dest / "datasets" / "decks.toml").read_text())["deck"][DECK]["cases"][0]
    for path in (dest / "datasets" / "cases").glob("*.jsonl"):
        records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        if any(r["id"] == first for r in records):
            for record in records:
                if record["id"] == first:
                    record.update(prompt=HOSTILE, context=HOSTILE, response=HOSTILE)
            path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return dest


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    root = hostile_course(tmp_path_factory.mktemp("hostile") / "course-root")
    with running(CourseServer(root, tmp_path_factory.mktemp("hostile-server"), "--app")) as server:
        yield server


def test_a_hostile_case_shows_as_text_with_no_script_run_and_no_element_injected(browser, hostile_server):
    """Script tag, onerror image and javascript: link in a case: shown literally, no dialog, no injected element?"""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        voila_open(page, hostile_server, LESSON)
        first = card(page, 0)
        first.wait_for()
        rate(first, "Risky")
        press_check(first)  # the feedback panel shows the case again beside the reference
        text = first.inner_text()
        assert "<script>window.pwned = 1;" in text and "onerror=" in text and "javascript:alert" in text
        assert page.locator(f"{CARD} script, {CARD} img#sr-injected, {CARD} a[href^='javascript']").count() == 0
        assert page.evaluate("() => window.pwned === undefined")
        assert dialogs == []
    finally:
        context.close()


# --- a learner's markup in the instructor's pages ---------------------------------------------

#: the elements a payload in tests/support/adversaries.py would inject, or make live
INJECTED = "[id^='sr-injected'], a[href^='javascript' i], [onerror], [onload], [ontoggle], iframe[srcdoc]"


def open_hostile_page(browser, url: str, ready: str):
    """Open ``url`` with every request off this machine refused (the page's CDN scripts too);
    return the page and the list that collects any dialog a script raises."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "http://127.0.0.1")) else route.abort())
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url, wait_until="load")
    page.locator(ready).first.wait_for()
    return context, page, dialogs


def assert_learner_markup_is_inert(page, dialogs: list[str]) -> None:
    from support.adversaries import XSS_MARKDOWN

    page.wait_for_timeout(500)  # an onerror or ontoggle handler fires within moments of the load
    assert dialogs == [], dialogs
    assert page.evaluate("() => document.documentElement.dataset.pwned === undefined")
    assert page.locator(INJECTED).count() == 0, page.locator(INJECTED).first.evaluate("e => e.outerHTML")
    shown = page.locator("body").inner_text()
    for source in XSS_MARKDOWN:  # the learner's words reach the instructor, as text
        assert source in shown, source


def test_the_feedback_page_shows_a_learners_markup_as_text_with_no_script_run(browser, adversarial_course):
    """nbgrader's feedback page for a learner who added script, onerror, javascript: links, raw HTML and a widget state."""
    from support.adversaries import EXERCISE

    feedback = adversarial_course.course / "graders" / "cohort" / "feedback" / "mallory-xss" / EXERCISE / f"{EXERCISE}.html"
    context, page, dialogs = open_hostile_page(browser, feedback.as_uri(), "#notebook-container")
    try:
        assert_learner_markup_is_inert(page, dialogs)
    finally:
        context.close()


@pytest.fixture(scope="module")
def formgrader(adversarial_course, tmp_path_factory):
    with running(FormgraderServer(adversarial_course.course, tmp_path_factory.mktemp("formgrader"))) as server:
        yield server


def test_the_formgrader_shows_a_learners_markup_as_text_with_no_script_run(browser, adversarial_course, formgrader):
    """The formgrader's page of the same submission, on the instructor's own server: no dialog, no injected element?"""
    from nbgrader.api import Gradebook

    from support.adversaries import EXERCISE

    with Gradebook(f"sqlite:///{adversarial_course.course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission_notebook(EXERCISE, EXERCISE, "mallory-xss").id
    context, page, dialogs = open_hostile_page(browser, formgrader.url(f"/formgrader/submissions/{submission}/"), "#notebook-container")
    try:
        assert page.locator(".score").count() > 0  # the grading form is there: this is the page the instructor grades on
        assert_learner_markup_is_inert(page, dialogs)
    finally:
        context.close()
