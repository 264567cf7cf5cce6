"""Does every error a learner can cause reach the page as one plain-language
message, never a traceback? (Kernel-free: the widgets run without a browser.)"""

from __future__ import annotations

import html
import json
from pathlib import Path

import ipywidgets
import pytest

from safetyrater.answers import AnswerFileMismatch
from safetyrater.widgets.deck import DeckView, show_deck
from safetyrater.errors import DataError, Problem
from safetyrater.widgets.errors import guarded, learner_message, problem_html, shown_safely

DECK = "lesson-01-two-questions"


def assert_plain(text: str) -> None:
    """One message: no traceback, no Python frames."""
    assert "Traceback" not in text
    assert 'File "' not in text
    assert "role='alert'" in text


@pytest.fixture
def course_root(tmp_path, datasets_copy, repo, monkeypatch):
    """A course checkout whose datasets/ a test may break: SAFETYRATER_ROOT points at it."""
    (tmp_path / "graders").symlink_to(repo / "graders", target_is_directory=True)
    monkeypatch.setenv("SAFETYRATER_ROOT", str(tmp_path))
    lesson = tmp_path / "lesson"
    lesson.mkdir()
    return tmp_path


def test_a_broken_case_bank_names_the_file_and_line_for_the_instructor(course_root):
    cases = course_root / "datasets" / "cases" / "core.jsonl"
    lines = cases.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace('"reference_rating": "', '"reference_rating": "dangerous-')
    cases.write_text("\n".join(lines) + "\n", encoding="utf-8")

    shown = show_deck(DECK, course_root / "lesson")
    assert isinstance(shown, ipywidgets.HTML)
    assert_plain(shown.value)
    assert "course material has a problem" in shown.value
    assert "Please tell your instructor: core.jsonl line 3: reference_rating:" in shown.value
    assert str(course_root) not in shown.value, "no folder paths for learners"


def test_an_answer_file_of_another_exercise_is_left_alone_and_explained(course_root):
    answer_file = course_root / "lesson" / f"{DECK}.answers.json"
    foreign = {"format": 1, "exercise": "ex01-two-questions", "answers": {"core-001": {"rating": "safe"}}}
    answer_file.write_text(json.dumps(foreign), encoding="utf-8")

    shown = show_deck(DECK, course_root / "lesson")
    assert isinstance(shown, ipywidgets.HTML)
    assert_plain(shown.value)
    assert f"{DECK}.answers.json, holds the answers of another exercise (“ex01-two-questions”)" in shown.value
    assert json.loads(answer_file.read_text(encoding="utf-8")) == foreign


def test_bad_json_is_kept_aside_and_the_cards_still_open(course_root):
    answer_file = course_root / "lesson" / f"{DECK}.answers.json"
    answer_file.write_text('{"exercise": "lesson-01-two-questions", "answers": {', encoding="utf-8")
    shown = show_deck(DECK, course_root / "lesson")
    assert isinstance(shown, DeckView)
    assert_plain(shown.header.value)
    assert "could not be read (it was damaged)" in shown.header.value
    assert shown.store.recovered_from.exists()


def test_a_missing_answer_file_is_started_again_at_the_next_click(course_root):
    shown = show_deck(DECK, course_root / "lesson")
    answer_file = course_root / "lesson" / f"{DECK}.answers.json"
    shown.cards[0].rating.value = "safe"
    answer_file.unlink()
    shown.cards[1].rating.value = "risky"
    answers = json.loads(answer_file.read_text(encoding="utf-8"))["answers"]
    assert answers[shown.cards[0].case.id]["rating"] == "safe", "answers kept in memory are written again"
    assert answers[shown.cards[1].case.id]["rating"] == "risky"


def test_an_unknown_deck_is_a_message(course_root):
    shown = show_deck("lesson-99-nothing", course_root / "lesson")
    assert_plain(shown.value)
    assert "decks.toml: no deck 'lesson-99-nothing'" in html.unescape(shown.value)


def test_an_exception_in_a_card_callback_shows_in_the_card(bank, tmp_path, monkeypatch):
    """A bug behind a click must not escape into the kernel's log as a traceback."""
    view = DeckView(bank, bank.deck(DECK), tmp_path)
    card = view.cards[0]

    def broken_update(*args, **kwargs):
        raise RuntimeError("disk gremlin")

    monkeypatch.setattr(card.store, "update", broken_update)
    card.rating.value = "harmful"  # would raise without the guard
    assert_plain(card.status.value)
    assert "Something went wrong on this page. Your saved answers are safe." in card.status.value
    assert "RuntimeError: disk gremlin" in card.status.value


def test_an_exception_behind_check_shows_in_the_card(bank, tmp_path, monkeypatch):
    view = DeckView(bank, bank.deck(DECK), tmp_path)
    card = view.cards[0]
    card.rating.value = "safe"

    def broken_score(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(type(card.kind), "score_one", broken_score)
    card.check_button.click()
    assert_plain(card.status.value)
    assert "ZeroDivisionError" in card.status.value


def test_every_deck_of_the_real_bank_opens_as_cards(repo, tmp_path, monkeypatch):
    """The guard must not hide a broken lesson from nbval: every deck really builds."""
    monkeypatch.setenv("SAFETYRATER_ROOT", str(repo))
    from safetyrater.bank.casebank import CaseBank

    for deck_id in CaseBank.load().decks:
        assert isinstance(show_deck(deck_id, folder=tmp_path), DeckView), deck_id


@pytest.mark.parametrize(
    "exc, expected",
    [
        (AnswerFileMismatch(Path("/x/d.answers.json"), "other", "d"), "holds the answers of another exercise"),
        (DataError([Problem("/srv/course/datasets/decks.toml", 4, "cases", "unknown case")]), "decks.toml line 4: cases: unknown case"),
        (PermissionError(13, "Permission denied", "/srv/course/d.answers.json"), "(d.answers.json) could not be read or written"),
        (ValueError("bad"), "Something went wrong on this page"),
    ],
)
def test_learner_messages_say_what_happened_in_plain_words(exc, expected):
    message = learner_message(exc)
    assert expected in message
    assert "/srv/course" not in message


def test_guarded_returns_the_value_when_nothing_fails():
    reports = []
    assert guarded(reports.append)(lambda x: x * 2)(21) == 42
    assert reports == []


def test_shown_safely_turns_a_failure_into_a_problem_widget():
    def build():
        raise KeyError("core-999")

    shown = shown_safely(build)
    assert isinstance(shown, ipywidgets.HTML)
    assert shown.value == problem_html(learner_message(KeyError("core-999")))


def test_problem_is_marked_by_a_sign_and_words_not_colour_alone():
    text = problem_html("x")
    assert "⚠" in text and "Something needs your attention" in text
