"""Inert text in the real page: does a case written as an attack show as text in the course app?"""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest

from .harness import REPO, CARD, CourseServer, card, press_check, rate, running, voila_open

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
