"""In the course app (Voilà), can a learner who never sees code take a lesson,
by mouse, by keyboard and with a screen reader, and meet only plain-language errors?"""

from __future__ import annotations

import json
import re

import pytest

from .harness import (
    CARD,
    QUESTION,
    answers_on_disk,
    card,
    case_id_of,
    chosen_rating,
    press_check,
    rate,
    show_all_cases,
    voila_open,
    voila_wait_rendered,
    wait_for_answer,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LESSON = "course/01-the-two-questions.ipynb"
DECK = "lesson-01-two-questions"
RATINGS = ["Risky", "Harmful", "Safe"]
# what a hasty learner writes about case 1 (a safe answer about ending a frozen program)
NOTE = "Talks about killing and forcing a process to stop; could be misused."
CODE_SIGNS = ("show_deck", "module_nav", "import ", "safetyrater(")


def assert_no_code(page) -> None:
    # markdown cells also sit in .jp-InputArea; code cells must have none
    assert page.locator(".jp-CodeCell .jp-InputArea, .jp-InputPrompt, .jp-CodeMirrorEditor, .cm-editor").count() == 0
    text = page.locator("body").inner_text()
    for sign in CODE_SIGNS:
        assert sign not in text, f"code on the page: {sign!r}"
    assert "Traceback" not in text


def test_start_page_leads_to_lessons_and_exercises_without_showing_code(page, app_server, screenshots):
    """Does the app open at the start page, list the modules and exercises and
    link to them, with no code visible?"""
    page.goto(app_server.url("/"))
    voila_wait_rendered(page)
    assert page.url.split("?")[0].endswith("/voila/render/course/00-start-here.ipynb")
    modules = page.get_by_role("navigation", name="Course modules")
    lesson_link = modules.get_by_role("link", name="1. The two questions")
    lesson_link.wait_for()
    assert_no_code(page)
    if screenshots:
        page.screenshot(path=screenshots / "start-page.png")

    lesson_link.click()
    page.wait_for_url(re.compile(re.escape(LESSON)))
    voila_wait_rendered(page)
    page.locator(CARD).first.wait_for()
    assert_no_code(page)
    nav = page.get_by_role("navigation", name="Course modules")
    nav.get_by_role("link", name="Start page (all modules)").click()
    page.wait_for_url(re.compile("00-start-here"))

    # Graded exercises are pages too: the same cards, no Check button, no code.
    page.get_by_role("link", name="Exercise 1: the two questions").click()
    page.wait_for_url(re.compile(r"/voila/render/exercises/ex01-two-questions/ex01-two-questions\.ipynb"))
    voila_wait_rendered(page)
    page.locator(CARD).first.wait_for()
    assert page.get_by_role("button", name="Check").count() == 0
    assert_no_code(page)


def test_lesson_rated_by_clicking_is_checked_saved_and_restored_after_reload(page, app_server, app_root, screenshots):
    """Rate three cards, press Check, reload: are the answers back, on disk, with no code on the page?"""
    answer_file = app_root / "course" / f"{DECK}.answers.json"
    voila_open(page, app_server, LESSON)
    show_all_cases(page)
    first = card(page, 0)
    if screenshots:
        first.screenshot(path=screenshots / "card-before-check.png")

    case_ids = [case_id_of(card(page, i)) for i in range(len(RATINGS))]
    for i, label in enumerate(RATINGS):
        rate(card(page, i), label)
    first.get_by_role("textbox", name="Note").fill(NOTE)
    feedback = press_check(first)
    assert "Reference rating:" in feedback.inner_text()
    if screenshots:
        first.screenshot(path=screenshots / "card-after-check.png")
    for case_id, label in zip(case_ids, RATINGS):
        wait_for_answer(answer_file, case_id, "rating", label.lower())
    wait_for_answer(answer_file, case_ids[0], "note", NOTE)

    page.reload()
    voila_wait_rendered(page)
    show_all_cases(page)
    for i, label in enumerate(RATINGS):
        chosen_rating(card(page, i), label).wait_for()
    assert card(page, 0).get_by_role("textbox", name="Note").input_value() == NOTE
    assert_no_code(page)
    saved = answers_on_disk(answer_file)
    assert [saved[c]["rating"] for c in case_ids] == [r.lower() for r in RATINGS]


def test_rating_card_works_by_keyboard_and_names_its_controls(page, app_server, app_root):
    """Can a keyboard user reach and choose a rating, see where the focus is, and
    does a screen reader hear the choice (not only a colour)?"""
    voila_open(page, app_server, LESSON)
    show_all_cases(page)
    last = page.locator(CARD).last
    last.wait_for()
    case_id = case_id_of(last)
    rating = last.locator(".sr-rating")

    # Tab from the rating's label to its first button, as a keyboard user moves.
    rating.locator(".widget-label").click()
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.innerText.trim()")
    assert focused == "Safe"
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert outline[0] != "none" and outline[1] >= 2, f"focus is hard to see: {outline}"

    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    chosen_rating(last, "Risky").wait_for()
    # The choice is told apart by a mark and a border, not by colour alone.
    chosen = chosen_rating(last, "Risky")
    other = rating.get_by_role("button", name="Safe", exact=True)
    chosen_style, other_style = (
        b.evaluate("e => [getComputedStyle(e).fontWeight, getComputedStyle(e).borderTopWidth]") for b in (chosen, other)
    )
    assert int(chosen_style[0]) >= 700 and float(chosen_style[1].rstrip("px")) >= 2 > float(other_style[1].rstrip("px"))
    wait_for_answer(app_root / "course" / f"{DECK}.answers.json", case_id, "rating", "risky")

    # Every control has a name a screen reader reads out.
    assert last.get_by_role("checkbox", name=re.compile("^Over-refusal")).count() == 1
    assert last.get_by_role("textbox", name="Note").count() == 1
    assert last.get_by_role("button", name="Check").count() == 1
    area = last.get_by_role("button", name="Privacy", exact=True)
    assert area.get_attribute("title"), "risk-area buttons carry their definition"
    area.focus()
    page.keyboard.press("Enter")
    last.get_by_role("button", name="✓ Privacy", exact=True).wait_for()


def test_a_broken_answer_file_is_one_plain_message_not_a_traceback(page, app_server, app_root):
    """When the answer file beside a lesson belongs to another exercise, does the
    page say so in plain words, with no traceback, and leave the file alone?"""
    answer_file = app_root / "course" / f"{DECK}.answers.json"
    backup = answer_file.read_bytes() if answer_file.exists() else None
    foreign = {"format": 1, "exercise": "ex01-two-questions", "answers": {"core-001": {"rating": "safe"}}}
    answer_file.write_text(json.dumps(foreign), encoding="utf-8")
    try:
        voila_open(page, app_server, LESSON)
        alert = page.get_by_role("alert")
        alert.wait_for()
        message = alert.inner_text()
        assert "holds the answers of another exercise" in message
        assert "Traceback" not in page.locator("body").inner_text()
        assert page.locator(CARD).count() == 0
        assert json.loads(answer_file.read_text(encoding="utf-8")) == foreign
    finally:
        if backup is None:
            answer_file.unlink()
        else:
            answer_file.write_bytes(backup)


def test_lesson_one_shows_the_decision_flow_a_worked_example_and_answers_a_check_question(page, app_server, app_root, screenshots):
    """In the app, does lesson 1 show the decision-flow figure (loaded, with its alt text), the worked
    examples, and a check question that answers a click with a word and a mark, the reason, and saves it?"""
    page.set_viewport_size({"width": 1280, "height": 1500})  # the whole figure in one picture
    voila_open(page, app_server, LESSON)
    figure = page.get_by_role("img", name=re.compile("^Decision flow"))
    figure.wait_for()
    figure.scroll_into_view_if_needed()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", figure.element_handle())
    if screenshots:
        figure.screenshot(path=screenshots / "lesson-decision-flow.png")

    worked = page.get_by_role("heading", name=re.compile("^Worked examples"))
    worked.evaluate("(heading) => heading.scrollIntoView({block: 'start'})")
    assert worked.is_visible()
    if screenshots:
        page.screenshot(path=screenshots / "lesson-worked-example.png")

    question = page.locator(QUESTION).first
    question.scroll_into_view_if_needed()
    assert "Question 1 of 3" in question.inner_text()
    options = question.get_by_role("radio")
    options.nth(0).check()
    feedback = question.locator(".sr-feedback")
    feedback.wait_for()
    assert "✗ Not quite" in feedback.inner_text() and "Why:" in feedback.inner_text()
    options.nth(1).check()
    # the widget redraws its HTML on each answer: look the feedback up again rather than hold the old element
    question.locator(".sr-feedback", has_text="✓ Right").wait_for()
    if screenshots:
        question.screenshot(path=screenshots / "check-question.png")
    wait_for_answer(app_root / "course" / "lesson-01-check.answers.json", "l01-q1", "choice", 1)
