"""Build nbgrader source notebooks for graded decks (instructor tooling).

An exercise's source notebook in ``solutions/<deck>/`` is: instructions,
one read-only cell that shows the deck's cards, and one read-only grade cell
per case whose hidden part calls :func:`safetyrater.exercise.grade_item`.
``nbgrader generate_assignment`` turns it into the learner version in
``exercises/``, dropping the hidden part.
"""

from __future__ import annotations

from typing import Any

import nbformat

from .schema import Deck

HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"


def _nbgrader(grade_id: str, *, grade: bool = False, points: float | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": True,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def grade_cell_source(deck_id: str, case_id: str, position: int, points: float) -> str:
    return "\n".join(
        [
            f"# Case {position} is graded after you submit, from your saved answer.",
            HIDDEN_BEGIN,
            "from safetyrater.exercise import grade_item",
            f'grade_item("{deck_id}", "{case_id}", points={points:g})',
            HIDDEN_END,
        ]
    )


def notes_cell_source(deck_id: str, points: float) -> str:
    return "\n".join(
        [
            "# Your notes are pre-scored against the feedback rubric after you submit; your instructor reviews them.",
            HIDDEN_BEGIN,
            "from safetyrater.exercise import grade_notes",
            f'grade_notes("{deck_id}", points={points:g})',
            HIDDEN_END,
        ]
    )


def notes_cell(deck: Deck, points_per_note: float) -> nbformat.NotebookNode:
    """The written-feedback grade cell: every note beside the rubric check, the pre-score as its value.

    nbgrader stores the pre-score as the cell's automatic score; the kit's
    autograde step (:mod:`safetyrater.nbgrader_review`) flags it for the
    instructor, who confirms or overrides it in the formgrader.
    """
    from .exercise import NOTES_GRADE_ID

    points = points_per_note * len(deck.cases)
    return nbformat.v4.new_code_cell(
        notes_cell_source(deck.id, points), metadata=_nbgrader(NOTES_GRADE_ID, grade=True, points=points)
    )


def exercise_source_notebook(
    deck: Deck, instructions: str, points_per_case: float, points_per_note: float | None = None
) -> nbformat.NotebookNode:
    """An exercise's nbgrader source notebook.

    ``points_per_note``: the written-feedback cell's points per case (default:
    ``points_per_note`` of graders/rubric.toml; 0 leaves the cell out).
    """
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    cells = [
        nbformat.v4.new_markdown_cell(instructions, metadata=_nbgrader("instructions")),
        nbformat.v4.new_code_cell(
            f'from safetyrater import show_deck\n\nshow_deck("{deck.id}")', metadata=_nbgrader("cards")
        ),
        nbformat.v4.new_markdown_cell(
            "## Grading\n\nThe cells below are read-only. They grade your saved answers after "
            "you submit; you do not need to run them.",
            metadata=_nbgrader("grading-intro"),
        ),
    ]
    for position, case_id in enumerate(deck.cases, 1):
        cells.append(
            nbformat.v4.new_code_cell(
                grade_cell_source(deck.id, case_id, position, points_per_case),
                metadata=_nbgrader(f"case-{case_id}", grade=True, points=points_per_case),
            )
        )
    if points_per_note is None:
        from .feedback import load_rubric

        points_per_note = load_rubric().points_per_note
    if points_per_note:
        cells.append(notes_cell(deck, points_per_note))
    nb.cells = cells
    # nbformat gives every cell a random id; stable ids keep the generated release reproducible.
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index:02d}"
    return nb
