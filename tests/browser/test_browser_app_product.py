"""The app as a learner's product, in a real browser: do pages leave no kernels behind, can a deck be rated
by keyboard alone, does an exercise end in a result, does a mock assessment wait for Start and confirm
Submit, and does practice follow the learner's own mistakes?"""

from __future__ import annotations

import json
import re
import time
import urllib.error

import pytest

from safetyrater.bank.casebank import CaseBank
from safetyrater.bank.policy import load_policy
from safetyrater.paths import module_number

from .harness import CARD, PAGE_SECONDS, REPO, answers_on_disk, voila_open, voila_wait_rendered, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: the app's pool of warm kernels (jupyter_config/app/jupyter_server_config.json)
APP_CONFIG = REPO / "src/safetyrater/deploy/jupyter_config/app/jupyter_server_config.json"
POOL = json.loads(APP_CONFIG.read_text())["WarmKernelManager"]["pool_size"]


def kernels(server) -> list[dict]:
    """The kernels the server lists; asked again once if the listing fails (seen once, 500, while a pool kernel started)."""
    try:
        return json.loads(server.get("/api/kernels")[1])
    except urllib.error.HTTPError:
        time.sleep(1)
        return json.loads(server.get("/api/kernels")[1])


def test_visiting_every_lesson_leaves_no_more_kernels_than_the_pool_and_one_page(page, app_server):
    """Start page, then every lesson one after another, as a learner clicks through: how many kernels stay alive?"""
    lessons = sorted(p.name for p in (REPO / "course").glob("*.ipynb") if module_number(p) is not None)
    # pages of earlier tests in this server were closed without a goodbye (the culler ends those later): leave them out
    earlier = {k["id"] for k in kernels(app_server)}

    def ours() -> int:
        return sum(k["id"] not in earlier for k in kernels(app_server))

    most = 0
    for name in lessons:
        voila_open(page, app_server, f"course/{name}")
        page.locator(".sr-nav").first.wait_for()
        most = max(most, ours())
    # the last page keeps its kernel; every earlier page's kernel is shut down on leaving
    alive = wait_until(lambda: (n := ours()) <= POOL + 1 and n, PAGE_SECONDS, f"at most {POOL} + 1 kernels")
    assert alive <= POOL + 1, f"{alive} kernels alive after {len(lessons)} pages (at most {most} at once)"
    assert most <= POOL + 2, f"{most} kernels at once while moving between {len(lessons)} pages"


def reveal_by_keyboard(page) -> None:
    """If the case on screen is behind a content warning, show it as a keyboard user does (Enter on the button),
    then leave the note box the focus moved to (Shift+Tab), so the shortcut keys act again."""
    show = page.locator(".sr-task").get_by_role("button", name="Show this case")
    if show.count() and show.first.is_visible():
        show.first.focus()
        page.keyboard.press("Enter")
        page.locator(".sr-task .sr-rating button").first.wait_for()
        page.wait_for_function("() => document.activeElement && document.activeElement.tagName === 'TEXTAREA'")
        page.keyboard.press("Shift+Tab")


def test_a_deck_is_rated_by_keyboard_alone_in_the_task_view(page, app_server, app_root, screenshots):
    """One case at a time: 1/2/3 rate, N goes to the next unrated case, O ticks over-refusal, C checks; all saved."""
    deck = "lesson-02-risk-categories"
    answer_file = app_root / "course" / f"{deck}.answers.json"
    voila_open(page, app_server, "course/02-risk-categories.ipynb")
    task = page.locator(".sr-task")
    task.wait_for()
    shown = page.locator(CARD).count() + page.get_by_role("button", name="Show this case").count()
    assert shown == 1, "the task view shows one case (its card, or its content warning)"
    assert "Keyboard:" in task.inner_text() and "next unrated case" in task.inner_text()
    reveal_by_keyboard(page)

    page.keyboard.press("1")
    wait_until(lambda: [a.get("rating") for a in answers_on_disk(answer_file).values()] == ["safe"], PAGE_SECONDS, "Safe saved")
    first = next(iter(answers_on_disk(answer_file)))
    page.keyboard.press("n")
    page.get_by_text(re.compile(r"case 2 of \d+")).first.wait_for()  # the next case is on screen
    reveal_by_keyboard(page)
    page.keyboard.press("3")
    wait_until(lambda: len(answers_on_disk(answer_file)) == 2, PAGE_SECONDS, "a second case rated")
    second = next(c for c in answers_on_disk(answer_file) if c != first)
    assert answers_on_disk(answer_file)[second]["rating"] == "harmful"
    page.keyboard.press("o")
    wait_until(lambda: answers_on_disk(answer_file)[second].get("over_refusal") is True, PAGE_SECONDS, "over-refusal ticked")
    page.keyboard.press("c")
    page.locator(".sr-feedback").wait_for()
    page.get_by_text(re.compile(r"2 of \d+ answered")).first.wait_for()
    if screenshots:
        task.screenshot(path=screenshots / "task-view.png")
    page.keyboard.press("ArrowLeft")
    page.locator(".sr-rating").get_by_role("button", name="✓ Safe", exact=True).wait_for()


def test_a_self_study_exercise_ends_in_a_locked_graded_result(page, app_server, app_root, screenshots):
    """Rate a case, press Finish and see my result: is the result shown, saved and the answers locked?"""
    exercise = "ex02-risk-categories"
    answer_file = app_root / "exercises" / exercise / f"{exercise}.answers.json"
    voila_open(page, app_server, f"exercises/{exercise}/{exercise}.ipynb")
    page.locator(CARD).first.wait_for()
    page.keyboard.press("2")
    wait_until(lambda: answers_on_disk(answer_file), PAGE_SECONDS, "the rating saved")
    page.get_by_role("button", name="Finish and see my result").click()
    result = page.get_by_role("region", name="Your result")
    result.wait_for()
    cases = len(CaseBank.load(REPO / "datasets").deck(exercise).cases)
    assert re.search(r"Your result: [\d.]+ / [\d.]+ points", result.inner_text())
    assert result.inner_text().count("Case ") >= cases
    wait_until(lambda: json.loads(answer_file.read_text()).get("finished"), PAGE_SECONDS, "the finish saved")
    assert page.locator(".sr-rating button").first.is_disabled()
    assert page.get_by_role("navigation", name="Course modules").count() >= 1  # the way back
    if screenshots:
        result.screenshot(path=screenshots / "exercise-result.png")


def test_a_mock_assessment_waits_for_start_and_confirms_submit_in_a_dialog(page, app_server, app_root, screenshots):
    """Lesson 10 shows a form and no attempt; Start begins it; a double click on Submit only opens the dialog."""
    course = app_root / "course"
    voila_open(page, app_server, "course/10-mock-assessment.ipynb")
    form = page.locator(".sr-start-form")
    form.wait_for()
    assert not list(course.glob(".mock-assessment-*.attempt.json")), "no attempt before Start"
    numbers = form.locator("input[type=number]")
    numbers.nth(0).fill("5")
    numbers.nth(0).press("Tab")
    # the form suggests the policy's pace for 5 cases; wait for it, as a learner sees it, so the
    # kernel's suggestion cannot overwrite the minutes typed next
    rules = load_policy().assessment
    suggested = str(max(1, round(5 * rules.minutes / rules.cases)))
    page.wait_for_function("([el, value]) => el.value === value", arg=[numbers.nth(1).element_handle(), suggested],
                           timeout=PAGE_SECONDS * 1000)
    numbers.nth(1).fill("7")
    numbers.nth(1).press("Tab")
    if screenshots:
        form.screenshot(path=screenshots / "assessment-start.png")
    page.get_by_role("button", name="Start", exact=True).click()
    page.locator(CARD).first.wait_for()
    attempt_file = wait_until(lambda: next(iter(course.glob(".mock-assessment-*.attempt.json")), None), PAGE_SECONDS, "the attempt file")
    attempt = json.loads(attempt_file.read_text())
    assert len(attempt["cases"]) == 5 and attempt["minutes"] == 7

    page.locator(".sr-rating").first.get_by_role("button", name="Safe", exact=True).click()
    page.get_by_role("button", name="Submit…").dblclick()
    dialog = page.get_by_role("alertdialog")
    dialog.wait_for()
    assert json.loads(attempt_file.read_text())["submitted"] is None, "a double click must not submit"
    page.get_by_role("button", name="Submit my answers").click()
    page.get_by_role("link", name="Practice on your weak spots").wait_for()
    assert json.loads(attempt_file.read_text())["submitted"]


def test_a_learner_who_over_flags_gets_a_weak_spots_deck_of_safe_cases(page, app_server, app_root, screenshots):
    """Answers that flag every safe case: does the start page lead to a deck that names over-flagging and shows new cases?"""
    bank = CaseBank.load(REPO / "datasets")
    deck = "lesson-08-health"
    cases = [c for c in bank.deck_cases(deck) if c.kind == "rating"]
    answers = {c.id: {"rating": "harmful", "over_refusal": False, "categories": list(c.categories)} for c in cases}
    (app_root / "course" / f"{deck}.answers.json").write_text(json.dumps({"format": 1, "exercise": deck, "answers": answers}))

    voila_open(page, app_server, "course/00-start-here.ipynb")
    page.get_by_role("link", name="Practice on your weak spots").click()
    page.wait_for_url(re.compile("weak-spots"))
    voila_wait_rendered(page)
    summary = page.locator(".sr-weak-spots")
    summary.wait_for()
    assert "Over-flagging" in summary.inner_text()
    page.locator(".sr-task").first.wait_for()  # the first case, or its content warning
    drawn = json.loads((app_root / "course" / ".weak-spots.answers.json.deck").read_text())["cases"]
    assert not set(drawn) & set(answers)
    assert sum(bank.cases[c].reference_rating == "safe" for c in drawn) >= len(drawn) * 0.6
    if screenshots:
        page.screenshot(path=screenshots / "weak-spots.png", full_page=True)


def test_an_app_page_fetches_nothing_from_the_internet(browser, app_server):
    """Offline use: does a lesson page (fonts, icons, MathJax, scripts) load only from the course's own server?"""
    context = browser.new_context()
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url) if not request.url.startswith((app_server.base, "data:")) else None)
    try:
        voila_open(page, app_server, "course/03-safety-and-over-refusal.ipynb")
        page.locator(".sr-task").first.wait_for()
        page.wait_for_load_state("networkidle")
        assert outside == []
    finally:
        context.close()
