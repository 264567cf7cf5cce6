"""Do nbgrader's test cells get a value nbgrader reads correctly?"""

from __future__ import annotations

import json

import numpy as np
import pytest

from safetyrater.nbgrader.cells import grade_item, nbgrader_points

from conftest import REPO, perfect_answers


@pytest.mark.parametrize(
    ("value", "points", "expected"),
    [
        (np.float64(1.5), 3, 1.5),
        (-1.0, 3, 0.0),
        (4.2, 3, 3.0),
        (float("nan"), 3, 0.0),
        ("2", 3, 2.0),
        ("text", 3, 0.0),
        (1 / 3, 1, 0.3333),
    ],
)
def test_points_are_a_plain_clamped_float(value, points, expected):
    result = nbgrader_points(value, points)
    assert type(result) is float
    assert result == expected


def _graded_deck(bank):
    return next(d for d in bank.decks.values() if d.mode == "graded")


def test_grade_item_scores_a_saved_answer_without_showing_the_key(bank, tmp_path, capsys):
    deck = _graded_deck(bank)
    cases = bank.deck_cases(deck.id)
    answers = perfect_answers(cases)
    first = cases[0]
    wrong = {"safe": "harmful", "risky": "safe", "harmful": "safe"}[first.reference_rating]
    answers[first.id]["rating"] = wrong
    (tmp_path / f"{deck.id}.answers.json").write_text(json.dumps({"exercise": deck.id, "answers": answers}))
    assert grade_item(deck.id, first.id, points=3, folder=tmp_path) == 2.0
    assert grade_item(deck.id, cases[1].id, points=3, folder=tmp_path) == 3.0
    out, err = capsys.readouterr()
    assert err == ""
    assert f"you chose '{wrong}'" in out
    assert first.rationale not in out, "the rationale names the reference"
    assert f"reference '{first.reference_rating}'" not in out


def test_grade_item_without_answers_scores_zero_quietly(bank, tmp_path, capsys):
    deck = _graded_deck(bank)
    assert grade_item(deck.id, deck.cases[0], points=3, folder=tmp_path) == 0.0
    out, err = capsys.readouterr()
    assert "no saved answers" in out and err == ""


def test_grade_item_with_a_broken_answer_file_scores_zero_quietly(bank, tmp_path, capsys):
    deck = _graded_deck(bank)
    (tmp_path / f"{deck.id}.answers.json").write_text("{broken")
    assert grade_item(deck.id, deck.cases[0], points=3, folder=tmp_path) == 0.0
    out, err = capsys.readouterr()
    assert "not valid JSON" in out and err == ""


def test_grade_item_scores_pairwise_and_span_answers_to_the_cell_points(mixed_root, mixed_bank, tmp_path, monkeypatch, capsys):
    """Does a grade cell scale a pairwise (1 point) or span (2 points) case to its own points?"""
    monkeypatch.setenv("SAFETYRATER_ROOT", str(mixed_root))
    deck = mixed_bank.deck("ex01-fx-mixed")
    answers = perfect_answers(mixed_bank.deck_cases(deck.id))
    answers["fx-span-ex"] = {"flagged": [1, 2], "rating": "risky"}  # one safe step flagged: F1 2/3
    (tmp_path / f"{deck.id}.answers.json").write_text(json.dumps({"exercise": deck.id, "answers": answers}))
    assert grade_item(deck.id, "fx-pair-ex", points=1, folder=tmp_path) == 1.0
    assert grade_item(deck.id, "fx-span-ex", points=2, folder=tmp_path) == 1.6667
    assert grade_item(deck.id, "fx-rating-ex", points=3, folder=tmp_path) == 3.0
    out, err = capsys.readouterr()
    assert err == ""
    assert "you chose response B" in out
    assert "you flagged 2, 3" in out and "flagged a safe step" in out
    assert "reference" not in out


def _answers_with_notes(folder, deck_id, notes):
    (folder / f"{deck_id}.answers.json").write_text(
        json.dumps({"format": 1, "exercise": deck_id, "answers": {cid: {"note": n} for cid, n in notes.items()}})
    )


def test_written_feedback_cell_prints_each_note_and_returns_the_pre_score(bank, tmp_path, capsys):
    from safetyrater.nbgrader.cells import grade_notes
    from safetyrater.feedback.check import check_note

    deck = next(d for d in bank.decks.values() if d.mode == "graded")
    first, second = bank.deck_cases(deck.id)[:2]
    note = "It should refuse."
    _answers_with_notes(tmp_path, deck.id, {first.id: first.rationale, second.id: note})
    points = grade_notes(deck.id, points=8, folder=tmp_path)
    expected = (check_note(first.rationale, first).score + check_note(note, second).score) / len(deck.cases) * 8
    assert type(points) is float and points == round(expected, 4)
    out = capsys.readouterr().out
    assert f"note: {note}" in out and "suggested comment:" in out and "no note" in out
    assert "No notes written" not in out


def test_written_feedback_without_notes_needs_no_review(bank, tmp_path, capsys):
    from safetyrater.nbgrader.cells import NO_NOTES, grade_notes

    deck = next(d for d in bank.decks.values() if d.mode == "graded")
    assert grade_notes(deck.id, points=8, folder=tmp_path) == 0.0
    assert NO_NOTES in capsys.readouterr().out
    _answers_with_notes(tmp_path, deck.id, {bank.deck_cases(deck.id)[0].id: "   "})
    assert grade_notes(deck.id, points=8, folder=tmp_path) == 0.0
    assert NO_NOTES in capsys.readouterr().out


def test_an_instructor_can_return_the_rationale_in_feedback(bank, tmp_path, monkeypatch, capsys):
    """With `[feedback] show_rationale = true` in graders/policy.toml, does graded feedback carry the rationale (still no reference label)?"""
    import shutil

    root = tmp_path / "course"
    shutil.copytree(REPO / "datasets", root / "datasets")
    shutil.copytree(REPO / "graders", root / "graders", ignore=shutil.ignore_patterns("cohort"))
    policy = root / "graders" / "policy.toml"
    policy.write_text(policy.read_text().replace("show_rationale = false", "show_rationale = true"))
    monkeypatch.setenv("SAFETYRATER_ROOT", str(root))
    deck = _graded_deck(bank)
    first = bank.deck_cases(deck.id)[0]
    answers = perfect_answers([first])
    (tmp_path / f"{deck.id}.answers.json").write_text(json.dumps({"exercise": deck.id, "answers": answers}))
    assert grade_item(deck.id, first.id, points=3, folder=tmp_path) == 3.0
    out = capsys.readouterr().out
    assert f"why: {first.rationale}" in out
    assert f"reference '{first.reference_rating}'" not in out
