"""Does an attempt save every answer, time each case, mark late answers and respect the cap?"""

from __future__ import annotations

import json

import pytest

from safetyrater.assessment.forms import draw_form, pool_cases
from safetyrater.assessment.session import (
    HISTORY_FILE,
    AttemptError,
    AttemptLimitReached,
    History,
    open_attempt,
    read_attempt_file,
    start_attempt,
    submit_attempt,
)
from safetyrater.errors import DataError

from .helpers import START, FakeClock


@pytest.fixture
def form(bank):
    return draw_form(pool_cases(bank), 10, 4)


@pytest.fixture
def clock():
    return FakeClock()


def test_every_answer_is_saved_at_once_to_the_attempt_file(tmp_path, form, policy, clock):
    session = start_attempt(tmp_path, form, 30, policy.assessment, clock)
    first = form.case_ids[0]
    assert session.update(first, rating="risky", note="kept")
    saved = json.loads(session.path.read_text())
    assert saved["answers"][first]["rating"] == "risky" and saved["answers"][first]["note"] == "kept"
    assert saved["cases"] == list(form.case_ids)
    assert saved["deadline"] == "2026-11-29T10:30:00+00:00"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_the_attempt_file_carries_no_reference(tmp_path, bank, form, policy, clock):
    session = start_attempt(tmp_path, form, 30, policy.assessment, clock)
    session.update(form.case_ids[0], rating="safe")
    text = session.path.read_text()
    assert "reference" not in text
    for case_id in form.case_ids:
        assert bank.cases[case_id].rationale not in text


def test_time_per_case_is_recorded(tmp_path, form, policy, clock):
    """Is the time spent on each case summed over visits, by the injected clock?"""
    session = start_attempt(tmp_path, form, 30, policy.assessment, clock)
    a, b = form.case_ids[:2]
    session.visit(a)
    clock.advance(seconds=40)
    session.visit(b)
    clock.advance(seconds=15)
    session.visit(a)
    clock.advance(seconds=5)
    session.submit()
    assert read_attempt_file(session.path).seconds == {a: 45.0, b: 15.0}


def test_answers_after_the_deadline_are_marked_late_and_kept_apart(tmp_path, form, policy, clock):
    """Does a change after time-out leave the answer given in time as it was?"""
    session = start_attempt(tmp_path, form, 30, policy.assessment, clock)
    a, b = form.case_ids[:2]
    session.update(a, rating="safe")
    clock.advance(minutes=30)
    assert session.time_is_up()
    session.update(a, rating="harmful")
    session.update(b, rating="risky")
    attempt = read_attempt_file(session.path)
    assert attempt.answers == {a: {"rating": "safe", "updated": "2026-11-29T10:00:00+00:00"}}
    assert attempt.late_answers[a]["late"] is True and attempt.late_answers[a]["rating"] == "harmful"
    assert set(attempt.late_answers) == {a, b}
    assert session.get(a)["rating"] == "harmful"  # the card shows the latest choice
    assert attempt.answers_for_grading("not-scored")[a]["rating"] == "safe"
    assert b not in attempt.answers_for_grading("not-scored")
    assert attempt.answers_for_grading("scored")[a]["rating"] == "harmful"


def test_a_submitted_attempt_cannot_change(tmp_path, form, policy, clock):
    session = start_attempt(tmp_path, form, 30, policy.assessment, clock)
    clock.advance(minutes=31)
    session.submit()
    attempt = read_attempt_file(session.path)
    assert attempt.submitted is not None and attempt.submitted_late
    with pytest.raises(AttemptError, match="submitted at 2026-11-29T10:31:00"):
        session.update(form.case_ids[0], rating="safe")


def test_each_form_can_be_attempted_only_as_often_as_the_policy_says(tmp_path, bank, form, policy, clock):
    """Is the attempt cap per form enforced, from the saved history?"""
    rules = policy.assessment.model_copy(update={"attempts_per_form": 2})
    for number in (1, 2):
        session = start_attempt(tmp_path, form, 30, rules, clock)
        assert session.path.name == f".mock-assessment-{form.id}-{number}.attempt.json"
        submit_attempt(session)
    with pytest.raises(AttemptLimitReached, match=f"form {form.id} has been attempted 2 time\\(s\\).*attempts_per_form = 2"):
        start_attempt(tmp_path, form, 30, rules, clock)
    other = draw_form(pool_cases(bank), 10, 5)
    assert start_attempt(tmp_path, other, 30, rules, clock).attempt.number == 1
    history = json.loads((tmp_path / HISTORY_FILE).read_text())["attempts"]
    assert [(e["form"], e["attempt"], bool(e["submitted"])) for e in history] == [
        (form.id, 1, True),
        (form.id, 2, True),
        (other.id, 1, False),
    ]


def test_an_open_attempt_resumes_with_its_deadline(tmp_path, form, policy, clock):
    """After a kernel restart, is the same attempt picked up, answers and deadline unchanged?"""
    session = start_attempt(tmp_path, form, 30, policy.assessment, clock)
    session.update(form.case_ids[0], rating="risky")
    clock.advance(minutes=10)
    resumed = open_attempt(tmp_path, clock=clock)
    assert resumed is not None and resumed.path == session.path
    assert resumed.get(form.case_ids[0])["rating"] == "risky"
    assert resumed.seconds_left() == 20 * 60
    assert open_attempt(tmp_path, "n10-s99", clock) is None
    submit_attempt(resumed)
    assert open_attempt(tmp_path, clock=clock) is None


def test_a_broken_attempt_file_is_one_clear_error(tmp_path):
    path = tmp_path / "x.attempt.json"
    path.write_text("{")
    with pytest.raises(DataError, match=r"x.attempt.json:1: not valid JSON"):
        read_attempt_file(path)
    path.write_text(json.dumps({"exercise": "ex01", "answers": {}}))
    with pytest.raises(DataError, match="x.attempt.json: kind: not a mock-assessment attempt"):
        read_attempt_file(path)


def test_a_broken_history_is_kept_aside(tmp_path):
    (tmp_path / HISTORY_FILE).write_text("not json")
    history = History(tmp_path)
    assert history.entries == []
    assert history.recovered_from is not None and history.recovered_from.read_text() == "not json"


def test_the_clock_must_know_its_time_zone(tmp_path, form, policy):
    session = start_attempt(tmp_path, form, 30, policy.assessment, FakeClock())
    session.clock = lambda: START.replace(tzinfo=None)
    with pytest.raises(ValueError, match="aware datetime"):
        session.seconds_left()
