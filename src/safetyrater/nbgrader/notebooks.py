"""nbgrader source notebooks: cell metadata, a case's cells, and the notebook as it is committed.

What every exercise's source notebook in ``solutions/`` is made of, whatever
builds it (:mod:`.authoring` for graded decks, :mod:`safetyrater.probes.authoring`
for probe exercises): cells marked for nbgrader (``grade_id``, read-only, worth
``points``), stable cell ids so the generated release is reproducible, and
nbformat's layout with a final newline.
"""

from __future__ import annotations

from typing import Any

import nbformat
from nbformat.notebooknode import NotebookNode

from ..kinds import GradeCell


def cell_metadata(grade_id: str, *, grade: bool = False, points: float | None = None, task: bool = False) -> dict[str, Any]:
    """nbgrader's metadata of a read-only cell (``grade``: autograded; ``task``: graded by hand in the formgrader)."""
    meta: dict[str, Any] = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": True,
        "schema_version": 3,
        "solution": False,
        "task": task,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def whole(points: float) -> int | float:
    """Points as nbgrader shows them: 3, not 3.0."""
    return int(points) if float(points).is_integer() else float(points)


def exercise_head(instructions: str, show: str, show_id: str, grading: str) -> list[NotebookNode]:
    """The read-only cells an exercise starts with: its instructions, the cell that ``show``s the cards, and the grading note."""
    return [
        nbformat.v4.new_markdown_cell(instructions, metadata=cell_metadata("instructions")),
        nbformat.v4.new_code_cell(show, metadata=cell_metadata(show_id)),
        nbformat.v4.new_markdown_cell(f"## Grading\n\n{grading}", metadata=cell_metadata("grading-intro")),
    ]


def notebook_cell(cell: GradeCell) -> NotebookNode:
    """The notebook cell of a case's :class:`~safetyrater.kinds.base.GradeCell`."""
    points = whole(cell.points) if cell.points is not None else None
    metadata = cell_metadata(cell.grade_id, grade=not cell.task, points=points, task=cell.task)
    node: NotebookNode
    if cell.cell_type == "markdown":
        node = nbformat.v4.new_markdown_cell(cell.source, metadata=metadata)
    else:
        node = nbformat.v4.new_code_cell(cell.source, metadata=metadata)
    return node


#: notebook metadata asking the learner's JupyterLab to run the notebook when it opens, so its
#: cards show without Run All (``deploy/labextensions/safetyrater-lab``); lessons carry it too
RUN_ON_OPEN = {"run_on_open": True}


def source_notebook(cells: list[NotebookNode]) -> NotebookNode:
    """An exercise's source notebook of ``cells``, with the kernel, run-on-open and stable cell ids."""
    nb: NotebookNode = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["safetyrater"] = dict(RUN_ON_OPEN)
    nb.cells = cells
    # nbformat gives every cell a random id; stable ids keep the generated release reproducible.
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index:02d}"
    return nb


def notebook_text(nb: NotebookNode) -> str:
    """A notebook as it is committed (nbformat's layout, a final newline)."""
    text: str = nbformat.writes(nb) + "\n"
    return text
