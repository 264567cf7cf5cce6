"""In JupyterLab, does a learner's lesson work by clicking, and survive a reload?"""

from __future__ import annotations

import json
import re

import pytest

from safetyrater.nbgrader.exchange import exchange_configured

from .harness import (
    REPO,
    CourseServer,
    answers_on_disk,
    card,
    case_id_of,
    chosen_rating,
    lab_open,
    LAB_NONE_RAN,
    lab_wait_cards,
    lab_wait_idle,
    press_check,
    rate,
    running,
    show_all_cases,
    wait_for_answer,
    wait_until,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LESSON = "course/01-the-two-questions.ipynb"
DECK = "lesson-01-two-questions"
RATINGS = ["Harmful", "Safe", "Risky"]


def test_lesson_rated_by_clicking_is_checked_saved_and_restored_after_reload(page, lab_server, lab_root, screenshots):
    """Open a lesson (it runs by itself), rate three cards, press Check, reload: are the cards back, with the
    answers, without Run All, and on disk?"""
    answer_file = lab_root / "course" / f"{DECK}.answers.json"
    lab_open(page, lab_server, LESSON)
    lab_wait_cards(page)
    show_all_cases(page)

    case_ids = [case_id_of(card(page, i)) for i in range(len(RATINGS))]
    for i, label in enumerate(RATINGS):
        rate(card(page, i), label)
    card(page, 1).get_by_role("checkbox", name=re.compile("^Over-refusal")).check()

    feedback = press_check(card(page, 0))
    assert "Reference rating:" in feedback.inner_text()
    assert "Why:" in feedback.inner_text()
    if screenshots:
        card(page, 0).scroll_into_view_if_needed()
        page.screenshot(path=screenshots / "jupyterlab-lesson.png")

    for case_id, label in zip(case_ids, RATINGS, strict=True):
        wait_for_answer(answer_file, case_id, "rating", label.lower())
    wait_for_answer(answer_file, case_ids[1], "over_refusal", True)

    # Saving the notebook (as autosave does) leaves the tracked file as committed: no outputs, no widget state.
    notebook = lab_root / LESSON
    saved_before = notebook.stat().st_mtime_ns
    page.get_by_role("menuitem", name="File", exact=True).click()
    page.get_by_role("menuitem", name=re.compile("^Save Notebook")).first.click()
    wait_until(lambda: notebook.stat().st_mtime_ns != saved_before, 60, "JupyterLab to save the notebook")
    assert notebook.read_bytes() == (REPO / LESSON).read_bytes()

    page.reload()
    lab_wait_idle(page)
    lab_wait_cards(page)
    show_all_cases(page)
    for i, label in enumerate(RATINGS):
        chosen_rating(card(page, i), label).wait_for()
    assert card(page, 1).get_by_role("checkbox", name=re.compile("^Over-refusal")).is_checked()
    saved = answers_on_disk(answer_file)
    assert [saved[c]["rating"] for c in case_ids] == [r.lower() for r in RATINGS]

    # The lesson's links open the other module inside JupyterLab, in the same window.
    nav = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").get_by_role("navigation", name="Course modules")
    nav.get_by_role("link", name="Start page (all modules)").click()
    page.wait_for_url(re.compile(r"/lab/tree/course/00-start-here\.ipynb"))
    assert len(page.context.pages) == 1


def test_learner_set_up_hides_instructor_panels_and_news(page, lab_server, lab_root):
    """Does `safetyrater start --lab` keep nbgrader's instructor panels, Validate and the news pop-up away from
    learners, and the Assignment List too when there is no exchange to list?"""
    lab_open(page, lab_server, "course/00-start-here.ipynb")
    config = json.loads(page.locator("#jupyter-config-data").text_content())
    disabled = config["disabledExtensions"]
    assert "@jupyterlab/apputils-extension:announcements" in disabled
    assert "@jupyter/nbgrader:formgrader" in disabled
    assert "@jupyter/nbgrader:validate-assignment" in disabled
    has_exchange = exchange_configured(lab_root)
    assert ("@jupyter/nbgrader:assignment-list" in disabled) is not has_exchange

    nbgrader_menu = page.get_by_role("menuitem", name="Nbgrader", exact=True)
    items: list[str] = []
    if nbgrader_menu.count():
        nbgrader_menu.click()
        items = page.locator("#jp-mainmenu-nbgrader").get_by_role("menuitem").all_inner_texts()
        page.keyboard.press("Escape")
    assert not [item for item in items if re.search(r"formgrader|create assignment|course list|validate", item, re.I)], items
    assert any("Assignment List" in item for item in items) is has_exchange, items
    assert page.get_by_text("Would you like to get notified about official Jupyter news?").count() == 0


def test_instructor_set_up_keeps_nbgrader_panels(page, lab_root, tmp_path):
    """Does `safetyrater start --instructor` still give instructors the formgrader and create-assignment panels?"""
    with running(CourseServer(lab_root, tmp_path / "server", "--instructor")) as server:
        lab_open(page, server, "course/00-start-here.ipynb")
        # an instructor's JupyterLab never runs a notebook by opening it (a handed-in one could carry the flag)
        page.wait_for_timeout(3000)
        assert page.evaluate(LAB_NONE_RAN), "the instructor's JupyterLab ran a notebook on opening"
        page.get_by_role("menuitem", name="Nbgrader", exact=True).click()
        menu = page.locator("#jp-mainmenu-nbgrader")
        menu.get_by_role("menuitem", name="Formgrader").first.wait_for()
        items = " | ".join(menu.get_by_role("menuitem").all_inner_texts()).lower()
        assert "create assignment" in items and "course list" in items
