"""Does the assessment widget save clicks, count down without blocking, hide the key and report?"""

from __future__ import annotations

import json
import shutil
import threading

import ipywidgets as widgets
import pytest

from safetyrater.assessment import ui
from safetyrater.assessment.forms import draw_form, pool_cases, public_form
from safetyrater.assessment.session import HISTORY_FILE, read_attempt_file
from safetyrater.assessment.ui import AssessmentView, countdown_text, open_assessment, start_assessment
from safetyrater.paths import ROOT_ENV

from .helpers import FakeClock, reference_answer


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture(autouse=True)
def no_options_from_the_command_line(monkeypatch):
    for name in (ui.ENV_CASES, ui.ENV_SEED, ui.ENV_MINUTES):
        monkeypatch.delenv(name, raising=False)


def open_view(tmp_path, clock, **options) -> AssessmentView:
    return open_assessment(**{"cases": 10, "minutes": 30, "seed": 4, "folder": tmp_path, "clock": clock, "autostart": False, **options})


def states(widget: widgets.Widget) -> str:
    """Everything the front end receives about a widget and its descendants."""
    found, todo = [], [widget]
    while todo:
        current = todo.pop()
        found.append(current.get_state())
        todo += [child for child in getattr(current, "children", ()) if isinstance(child, widgets.Widget)]
    return json.dumps(found, default=str)


def test_a_click_writes_the_attempt_file(tmp_path, clock):
    view = open_view(tmp_path, clock)
    view.card(0).rating.value = "harmful"
    view.card(0).note.value = "typed"
    saved = json.loads(view.session.path.read_text())
    assert saved["answers"][view.cases[0].id]["rating"] == "harmful"
    assert saved["answers"][view.cases[0].id]["note"] == "typed"
    assert "saved" in view.card(0).status.value
    assert view.progress.value.startswith("1 of 10 cases rated.")


def test_the_widget_shows_no_reference_before_submission(tmp_path, bank, clock):
    view = open_view(tmp_path, clock)
    for index in range(len(view.cases)):
        view.show(index)
    shown = states(view) + json.dumps([states(view.card(i)) for i in range(len(view.cases))])
    for case_id in view.session.attempt.case_ids:
        assert bank.cases[case_id].rationale not in shown
    assert "Reference rating" not in shown and '"description": "Check"' not in shown
    assert all(not hasattr(view.card(i), "check_button") for i in range(len(view.cases)))


def test_navigation_shows_one_case_at_a_time_and_times_it(tmp_path, clock):
    view = open_view(tmp_path, clock)
    assert view.body.children[-1] is view.card(0)
    clock.advance(seconds=42)
    view.next_button.click()
    assert view.index == 1 and view.body.children[-1] is view.card(1)
    clock.advance(seconds=8)
    view.jump.value = 5
    assert view.body.children[-1] is view.card(5)
    seconds = read_attempt_file(view.session.path).seconds
    assert seconds == {view.cases[0].id: 42.0, view.cases[1].id: 8.0}


def test_the_countdown_follows_the_clock(tmp_path, clock):
    """Is the time left shown, and does time-out switch to late answers? (no sleeping: a fake clock)"""
    view = open_view(tmp_path, clock)
    assert view.countdown.value == "Time left: 30:00"
    clock.advance(minutes=29, seconds=30)
    assert view.tick() == "Time left: 0:30" == view.countdown.value
    clock.advance(seconds=30)
    assert view.tick().startswith("Time is up. Answers you give or change now are marked late and not scored.")
    view.card(0).rating.value = "risky"
    assert "marked late" in view.card(0).status.value
    assert read_attempt_file(view.session.path).late_answers[view.cases[0].id]["late"] is True


def test_countdown_text():
    assert countdown_text(3725, False, False) == "Time left: 1:02:05"
    assert countdown_text(0.2, False, False) == "Time left: 0:01"
    assert "scored but marked late" in countdown_text(-5, False, True)
    assert countdown_text(100, True, False) == "Submitted."


def test_the_timer_thread_updates_the_label_and_stops(tmp_path, clock):
    """The countdown runs in a daemon thread, so the kernel is never blocked."""
    view = open_view(tmp_path, clock)
    ticked = threading.Event()
    original = view.tick

    def tick():
        text = original()
        ticked.set()
        return text

    view.tick = tick  # type: ignore[method-assign]
    clock.advance(minutes=10)
    view.start_timer(0.01)
    assert view._timer is not None and view._timer.daemon
    assert ticked.wait(10)
    assert view.countdown.value == "Time left: 20:00"
    view.stop_timer()
    view._timer.join(10)
    assert not view._timer.is_alive()


def test_submit_opens_a_dialog_that_a_double_click_cannot_confirm_then_shows_the_report(tmp_path, bank, clock):
    """Does Submit ask in a dialog (rated, unrated, time left), ignore a second press, and submit only from the dialog?"""
    view = open_view(tmp_path, clock)
    for index, case in enumerate(view.cases[:-1]):
        answer = reference_answer(bank.cases[case.id])
        view.show(index)
        view.card(index).rating.value = answer["rating"]
        view.card(index).over_refusal.value = answer["over_refusal"]
    view.submit_button.click()
    assert view.confirming and "1 case(s) have no rating" in view.dialog_text.value
    assert "You have rated 9 of 10 cases" in view.dialog_text.value and "Time left: 30:00" in view.dialog_text.value
    view.submit_button.click()  # the second click of a double click
    assert view.session.submitted is False and view.submit_button.disabled
    view.cancel_button.click()
    assert not view.confirming and not view.session.submitted and not view.submit_button.disabled
    view.submit_button.click()
    view.confirm_button.click()
    assert view.session.submitted and not view.confirming
    assert view.report is not None and view.report_area.value.startswith(view.report.html())
    assert "weak-spots.ipynb" in view.report_area.value  # the report leads on to practice
    assert "Cases" in view.report_area.value and view.body.children == ()
    assert view.countdown.value == "Submitted."
    assert json.loads((tmp_path / HISTORY_FILE).read_text())["attempts"][0]["result"]["points"] == view.report.points


def test_reopening_resumes_the_attempt_with_its_answers(tmp_path, clock):
    view = open_view(tmp_path, clock, seed=None)
    view.card(0).rating.value = "safe"
    clock.advance(minutes=5)
    again = open_view(tmp_path, clock, seed=None)
    assert again.session.path == view.session.path
    assert again.card(0).rating.value == "safe"
    assert again.countdown.value == "Time left: 25:00"


def test_the_cap_is_a_message_in_the_notebook_not_a_traceback(tmp_path, clock, policy):
    for _ in range(policy.assessment.attempts_per_form):
        view = open_view(tmp_path, clock)
        view.submit(confirmed=True)
    page = start_assessment(cases=10, minutes=30, seed=4, folder=tmp_path, clock=clock, autostart=False)
    page.form.start_button.click()
    assert page.view is None and "form n10-s4 has been attempted" in page.form.status.value
    assert "Traceback" not in page.form.status.value and not page.form.start_button.disabled


def test_the_page_starts_nothing_until_start_and_the_clock_counts_from_start(tmp_path, clock):
    """Lesson 10: a form (cases, minutes) and no attempt file until Start; the deadline is Start plus the minutes."""
    page = start_assessment(folder=tmp_path, clock=clock, autostart=False)
    assert page.view is None and page.form.cases.value == 40 and page.form.minutes.value == 60
    assert list(tmp_path.iterdir()) == []
    clock.advance(minutes=10)  # reading the page costs no time
    page.form.cases.value = 20
    assert page.form.minutes.value == 30  # the policy's pace, until the learner sets the minutes
    page.form.minutes.value = 25
    page.form.start_button.click()
    view = page.view
    assert view is not None and page.children == (view,)
    assert len(view.cases) == 20 and view.countdown.value == "Time left: 25:00"
    attempt = view.session.attempt
    assert attempt.started == clock()  # ten minutes after the page opened, when Start was pressed
    assert (attempt.deadline - attempt.started).total_seconds() == 25 * 60


def test_an_attempt_under_way_carries_on_without_the_form(tmp_path, clock):
    view = open_view(tmp_path, clock, seed=None)
    view.card(0).rating.value = "risky"
    page = start_assessment(folder=tmp_path, clock=clock, autostart=False)
    assert page.view is not None and page.view.session.path == view.session.path
    assert page.view.card(0).rating.value == "risky"


def test_options_from_the_command_line_reach_the_notebook(tmp_path, clock, monkeypatch):
    monkeypatch.setenv(ui.ENV_CASES, "12")
    monkeypatch.setenv(ui.ENV_SEED, "9")
    monkeypatch.setenv(ui.ENV_MINUTES, "15")
    view = open_assessment(folder=tmp_path, clock=clock, autostart=False)
    assert view.session.attempt.form == "n12-s9" and len(view.cases) == 12
    assert view.countdown.value == "Time left: 15:00"


def test_a_deployment_without_the_pool_runs_from_a_form_file(tmp_path, repo, bank, clock, monkeypatch):
    """Cohort: learners get a reference-free form and no pool; grading happens where the pool is."""
    learner = tmp_path / "learner"
    shutil.copytree(repo / "datasets", learner / "datasets", ignore=shutil.ignore_patterns("pool"))
    shutil.copytree(repo / "graders", learner / "graders", ignore=shutil.ignore_patterns("cohort"))
    form = draw_form(pool_cases(bank), 10, 4)
    form_file = tmp_path / "form.json"
    form_file.write_text(json.dumps(public_form(form, bank, minutes=20)))
    work = tmp_path / "work"
    work.mkdir()

    monkeypatch.setenv(ROOT_ENV, str(learner))
    view = open_assessment(folder=work, form_file=form_file, clock=clock, autostart=False)
    assert view.countdown.value == "Time left: 20:00"
    view.card(0).rating.value = "risky"
    view.submit(confirmed=True)
    assert view.session.submitted and view.report is None
    assert "the report comes when it is graded" in view.report_area.value
    monkeypatch.delenv(ROOT_ENV)

    from safetyrater.assessment.report import grade_attempt
    from safetyrater.bank.policy import load_policy

    report = grade_attempt(read_attempt_file(view.session.path), bank, load_policy())
    assert report.attempt.form == form.id and report.scores["answered"].sum() == 1
