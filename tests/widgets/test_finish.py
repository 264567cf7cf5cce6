"""Does a graded exercise lead somewhere: a locked result in self-study, a submit (or a plain word why not) in a cohort?"""

from __future__ import annotations

import json

from conftest import perfect_answers
from safetyrater.answers import AnswerStore, read_answer_file
from safetyrater.kinds.rating import answer_class
from safetyrater.widgets.deck import DeckView
from safetyrater.widgets.finish import RESULT_CLASS, FinishPanel

EXERCISE = "ex01-two-questions"


def _exercise(bank, folder, answers=None):
    if answers is not None:
        (folder / f"{EXERCISE}.answers.json").write_text(json.dumps({"format": 1, "exercise": EXERCISE, "answers": answers}))
    return DeckView(bank, bank.deck(EXERCISE), folder)


def test_finish_locks_the_answers_and_shows_the_graded_result_without_the_key(bank, tmp_path):
    """A self-study learner with every case right but one: is the total what the grading core gives, and are the cards locked?"""
    cases = bank.deck_cases(EXERCISE)
    answers = perfect_answers(cases)
    answers[cases[0].id]["rating"] = "harmful" if cases[0].reference_rating == "safe" else "safe"
    view = _exercise(bank, tmp_path, answers)
    assert view.finish is not None and view.finish.self_study
    # the way back: the exercise's lesson and the start page
    links = view.finish.children[-1].value
    assert "../../course/01-the-two-questions.ipynb" in links and "../../course/00-start-here.ipynb" in links
    assert not any(getattr(w, "disabled", False) for w in _walk(view.cards[0]) if w.__class__.__name__ == "ToggleButtons")

    view.finish.finish_button.click()
    shown = view.finish.result.value
    assert RESULT_CLASS in shown
    assert f"/ {3 * len(cases)} points" in shown and f"Your result: {3 * len(cases) - 1}" in shown
    assert "Case 1</b>: 2 / 3 points" in shown
    # nbgrader-style feedback: points and the learner's own choices, never the reference or its rationale
    assert "Reference" not in shown and cases[0].rationale[:40] not in shown
    assert read_answer_file(tmp_path / f"{EXERCISE}.answers.json").finished
    # locked: the rating of a card built before finishing, and of one built after
    for card in (view.cards[0], view.cards[len(cases) - 1]):
        ratings = [w for w in _walk(card) if w.__class__.__name__ == "ToggleButtons"]
        assert ratings and all(w.disabled for w in ratings)
    assert view.finish.finish_button.disabled and not view.finish.retake_button.disabled


def test_a_reopened_finished_exercise_shows_its_result_and_a_retake_starts_afresh(bank, tmp_path):
    """Reopen after Finish: result and lock are back; Retake: no answers, the attempt kept as a hidden file."""
    cases = bank.deck_cases(EXERCISE)
    _exercise(bank, tmp_path, perfect_answers(cases)).finish.finish_button.click()
    reopened = _exercise(bank, tmp_path)
    assert f"Your result: {3 * len(cases)} / {3 * len(cases)}" in reopened.finish.result.value
    assert reopened.locked

    reopened.finish.retake_button.click()
    assert not reopened.locked and reopened.finish.result.value == ""
    assert read_answer_file(tmp_path / f"{EXERCISE}.answers.json").answers == {}
    kept = tmp_path / f".{EXERCISE}.answers.json.attempt-1"
    assert len(read_answer_file(kept).answers) == len(cases)
    assert not any(getattr(w, "disabled", False) for w in _walk(reopened.cards[0]) if w.__class__.__name__ == "ToggleButtons")


def test_a_retake_draws_unseen_cases_like_the_exercises_and_keeps_them_on_reopening(bank, tmp_path):
    """Retake after Finish: are the cards new cases of the same module, kind and answer, never from a deck or the pool,
    shown again when the page is reopened and graded when the retake is finished? A second retake draws others again."""
    original = bank.deck(EXERCISE)
    _exercise(bank, tmp_path, perfect_answers(bank.deck_cases(EXERCISE))).finish.finish_button.click()
    view = _exercise(bank, tmp_path)
    view.finish.retake_button.click()
    first = list(view.deck.cases)
    in_decks = {c for d in bank.decks.values() for c in d.cases}
    new = [c for c in first if c not in original.cases]
    assert len(first) == len(original.cases) and len(new) >= len(first) // 2, first
    assert not set(new) & in_decks and all(bank.cases[c].use == "lesson" for c in new)
    for old, drawn in zip(original.cases, first, strict=True):
        a, b = bank.cases[old], bank.cases[drawn]
        assert (b.module, b.kind, answer_class(b)) == (a.module, a.kind, answer_class(a))
    assert "new to you" in view.finish.message.value
    assert [case.id for case in view.cases] == first  # the cards show the drawn cases

    reopened = _exercise(bank, tmp_path)
    assert list(reopened.deck.cases) == first and [case.id for case in reopened.cases] == first
    (tmp_path / f"{EXERCISE}.answers.json").write_text(
        json.dumps({"format": 1, "exercise": EXERCISE, "answers": perfect_answers([bank.cases[c] for c in first])})
    )
    graded = _exercise(bank, tmp_path)
    graded.finish.finish_button.click()
    assert f"Your result: {3 * len(first)} / {3 * len(first)}" in graded.finish.result.value

    graded.finish.retake_button.click()
    second = list(graded.deck.cases)
    assert not (set(second) - set(original.cases)) & set(first), "a second retake draws cases not given before"


def test_a_learner_kit_submits_instead_and_says_plainly_when_there_is_no_exchange(bank, tmp_path, monkeypatch):
    """A cohort install (no key): is the button a submit, and with no exchange does it say so instead of failing?"""
    for case_id in bank.deck(EXERCISE).cases[:1]:
        monkeypatch.delitem(bank.cases, case_id)
        monkeypatch.setitem(bank.public, case_id, object())
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "nbgrader_config.py").write_text(f"c.Exchange.root = {str(tmp_path / 'no-exchange')!r}\n")
    store = AnswerStore(EXERCISE, tmp_path)
    panel = FinishPanel(bank, bank.deck(EXERCISE), store, lambda locked: None, lambda deck: None)
    assert not panel.self_study
    panel.submit_button.click()
    assert "no nbgrader exchange" in panel.message.value and tmp_path.name in panel.message.value


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)
