"""Does a deck open one case at a time, count what is answered, and move to the next unrated case?"""

from __future__ import annotations

from safetyrater.widgets.deck import DeckView
from safetyrater.widgets.task import SHORTCUTS, TaskView, shortcuts_html

DECK = "lesson-01-two-questions"


def test_a_deck_opens_one_case_at_a_time_and_builds_only_that_card(bank, tmp_path):
    view = DeckView(bank, bank.deck(DECK), tmp_path)
    assert isinstance(view.task, TaskView)
    assert len(view.task.slot.children) == 1
    assert len(view.cards.built()) == 1, "only the case on screen is built"
    assert f"0 of {len(view.cases)} answered" in view.task.progress.value
    assert view.task.previous_button.disabled and not view.task.next_button.disabled


def test_next_unrated_skips_answered_cases_and_the_progress_line_follows(bank, tmp_path):
    """Answer case 1, then 3 (by jumping); from case 1 Next unrated goes to case 2, and from 2 to 4."""
    view = DeckView(bank, bank.deck(DECK), tmp_path)
    task = view.task
    view.store.update(view.cases[0].id, rating="safe")
    view.store.update(view.cases[2].id, rating="risky")
    view._refresh()
    assert f"2 of {len(view.cases)} answered" in task.progress.value
    task.next_unrated_button.click()
    assert task.index == 1
    task.next_unrated_button.click()
    assert task.index == 3
    task.previous_button.click()
    assert task.index == 2 and "case 3 of" in task.progress.value


def test_a_reopened_deck_starts_at_the_first_unanswered_case(bank, tmp_path):
    first = DeckView(bank, bank.deck(DECK), tmp_path)
    first.store.update(first.cases[0].id, rating="safe")
    assert DeckView(bank, bank.deck(DECK), tmp_path).task.index == 1


def test_all_cases_on_one_page_is_one_click_away(bank, tmp_path):
    view = DeckView(bank, bank.deck(DECK), tmp_path)
    view.view_choice.value = "all"
    assert view.task is None and len(view.body.children) == len(view.cases)


def test_the_shortcuts_are_listed_on_the_page():
    shown = shortcuts_html()
    for keys, what in SHORTCUTS:
        assert f"<kbd>{keys}</kbd> {what}" in shown
