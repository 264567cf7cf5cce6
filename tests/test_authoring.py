"""Does the exercise builder add the written-feedback cell nbgrader needs?"""

from __future__ import annotations

from safetyrater.authoring import exercise_source_notebook
from safetyrater.exercise import NOTES_GRADE_ID


def test_an_exercise_ends_with_one_written_feedback_cell_worth_a_point_per_note(bank):
    deck = next(d for d in bank.decks.values() if d.mode == "graded")
    nb = exercise_source_notebook(deck, "# Exercise", 3)
    last = nb.cells[-1]
    meta = last.metadata["nbgrader"]
    assert (meta["grade_id"], meta["grade"], meta["solution"], meta["points"]) == (NOTES_GRADE_ID, True, False, len(deck.cases))
    assert f'grade_notes("{deck.id}", points={len(deck.cases)})' in last.source
    assert last.source.index("### BEGIN HIDDEN TESTS") < last.source.index("grade_notes")


def test_points_per_note_zero_leaves_the_cell_out(bank):
    deck = next(d for d in bank.decks.values() if d.mode == "graded")
    nb = exercise_source_notebook(deck, "# Exercise", 3, points_per_note=0)
    assert all(c.metadata["nbgrader"]["grade_id"] != NOTES_GRADE_ID for c in nb.cells)
