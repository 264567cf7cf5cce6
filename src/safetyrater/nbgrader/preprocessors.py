"""nbgrader preprocessors the kit adds to ``nbgrader autograde`` (``graders/nbgrader_config.py``).

**Grades can't be gamed.** An exercise asks for no code: the cards save the
learner's answers to ``<exercise>.answers.json`` and the locked grade cells
score that file. nbgrader restores the grade cells from the gradebook
(``OverwriteCells``), but it runs every other cell of the submitted notebook
first, so a learner could add a cell before them that replaces the kit's grading
function (``import safetyrater.exercise as e; e.grade_item = lambda *a, **k: 3.0``),
rewrites the answer file with the key the grading machine holds, or prints
numbers. And the kernel imports from the notebook's folder first, so a
``safetyrater.py`` handed in beside the notebook would replace the kit.

* :class:`SetAsideHandedInModules`, the first autograde step, renames Python
  modules in the autograded copy of the submission (``*.py``, ``*.pth``, ``*.so``,
  a folder with ``__init__.py``) to ``<name>.not-run``, so the kernel imports the
  installed kit;
* :class:`RunOnlyCourseCells` runs right after ``OverwriteCells``: a code cell
  runs only when it is one of the course's cells (its grade id is a source cell
  of this notebook in the gradebook) with exactly the course's source; every
  other code cell is replaced by a comment saying so. It also puts back a grade
  cell the learner deleted, so it grades the answers.

**Written feedback waits for the instructor.** The written-feedback cell of an
exercise is an autograded test cell whose output lists every note beside its
rubric check and whose value is the pre-score, so nbgrader records the
pre-score as the cell's automatic score and the formgrader shows it, with the
notes, in the score box. nbgrader marks an autograded cell as needing manual
grading only when it has no automatic score (or was regraded after a manual
grade), so :class:`FlagNotesForReview` runs right after ``SaveAutoGrades`` and
sets ``needs_manual_grade`` on the cell whenever the learner wrote a note: the
submission then shows "needs manual grading" in the formgrader until the
instructor confirms or overrides the score (saving any score clears the flag).

**A warning means tampering.** nbgrader's ``OverwriteCells`` compares each locked
cell of a submission with the gradebook's source cell and logs ``Attribute
'checksum' for cell … has changed!`` when they differ, then restores the source.
The released notebook's grade cells lack their hidden tests (the call that reads
the key; ``ClearHiddenTests`` removed it at release), so every untouched
submission differed in every such cell: nine warnings each, which read like
tampering. :class:`OverwriteCellsQuietlyRestoringHiddenTests` replaces
``OverwriteCells`` and puts the hidden tests back first when a cell is exactly
the released one, so nbgrader's own check runs on the restored cell and warns
only about a cell the learner changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
from nbformat.notebooknode import NotebookNode
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor, OverwriteCells
from nbgrader.utils import is_grade, is_locked

from .cells import NO_NOTES, NOTES_GRADE_ID

#: what a learner's own code cell becomes in the graded notebook
NOT_RUN = "# This cell is not the course's, so it was not run when grading: answers are graded from the answer file."
#: the suffix a module handed in beside the notebook gets, so the kernel cannot import it
SET_ASIDE = ".not-run"


def set_aside_modules(folder: Path) -> list[Path]:
    """Rename importable Python code in ``folder`` so a kernel started there cannot import it."""
    moved = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        importable = path.suffix in {".py", ".pth", ".so", ".pyc"} if path.is_file() else (path / "__init__.py").exists()
        if importable:
            target = path.with_name(path.name + SET_ASIDE)
            path.rename(target)
            moved.append(target)
    return moved


class RunOnlyCourseCells(NbGraderPreprocessor):
    """Blank every code cell that is not the course's own (a sanitizing step, after OverwriteCells)."""

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        meta = resources["nbgrader"]
        with Gradebook(meta["db_url"]) as gradebook:
            notebook = gradebook.find_notebook(meta["notebook"], meta["assignment"])
            source_cells = [(cell.name, cell.cell_type, cell.source, cell.checksum) for cell in notebook.source_cells]
            points = {cell.name: cell.max_score for cell in notebook.grade_cells}
        self._course_cells = {name: source for name, cell_type, source, _ in source_cells if cell_type == "code"}
        nb, resources = super().preprocess(nb, resources)
        self._restore_missing_grade_cells(nb, source_cells, points)
        return nb, resources

    def _restore_missing_grade_cells(
        self, nb: NotebookNode, source_cells: list[tuple[str, str, str, str]], points: dict[str, float]
    ) -> None:
        """Put back every grade cell a learner deleted (or unmarked), after the course cell before it.

        nbgrader's ``OverwriteCells.add_missing_cells`` does this too, but fails
        the whole submission when the cell before the missing one is not a
        grade cell (nbgrader 0.9.6), as in every exercise of this course.
        """
        def grade_id(cell: NotebookNode) -> str | None:
            return (cell.metadata.get("nbgrader") or {}).get("grade_id")

        after = -1
        for name, cell_type, source, checksum in source_cells:
            present = [i for i, cell in enumerate(nb.cells) if grade_id(cell) == name]
            if present:
                after = present[0]
                continue
            if name not in points or cell_type != "code":
                continue
            self.log.warning("Grade cell %s was missing from the submission; put back", name)
            cell = nbformat.v4.new_code_cell(source)
            cell.metadata["deletable"] = False
            cell.metadata["editable"] = False
            cell.metadata["nbgrader"] = {
                "grade": True, "grade_id": name, "locked": True, "checksum": checksum, "points": points[name],
                "solution": False, "task": False, "schema_version": 3, "cell_type": "code",
            }
            after += 1
            nb.cells.insert(after, cell)

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int) -> tuple[NotebookNode, dict[str, Any]]:
        if cell.cell_type != "code":
            return cell, resources
        grade_id = (cell.metadata.get("nbgrader") or {}).get("grade_id")
        if grade_id in self._course_cells and cell.source == self._course_cells[grade_id]:
            return cell, resources
        cell.source = NOT_RUN
        cell.outputs = []
        cell.execution_count = None
        return cell, resources


class SetAsideHandedInModules(NbGraderPreprocessor):
    """Rename Python modules in the autograded copy before the kernel starts there.

    It runs first among the autograde steps, whose notebook sits in the
    autograded folder; the learner's submitted folder is never changed.
    """

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        folder = (resources.get("metadata") or {}).get("path")
        if folder:
            for path in set_aside_modules(Path(folder)):
                self.log.warning("Set aside %s handed in with the submission: it is not run when grading", path.name)
        return nb, resources


# --- written feedback: the instructor's review --------------------------------------------


def _stdout(cell: NotebookNode) -> str:
    return "".join(
        output.get("text", "")
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream" and output.get("name") == "stdout"
    )


class FlagNotesForReview(NbGraderPreprocessor):
    """Mark written-feedback cells that hold a learner's notes as needing manual grading."""

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        meta = resources["nbgrader"]
        self._where = (meta["notebook"], meta["assignment"], meta["student"])
        with Gradebook(meta["db_url"]) as self.gradebook:
            done: tuple[NotebookNode, dict[str, Any]] = super().preprocess(nb, resources)
        return done

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int) -> tuple[NotebookNode, dict[str, Any]]:
        if is_grade(cell) and cell.metadata["nbgrader"].get("grade_id") == NOTES_GRADE_ID and NO_NOTES not in _stdout(cell):
            grade = self.gradebook.find_grade(NOTES_GRADE_ID, *self._where)
            grade.needs_manual_grade = True
            self.gradebook.db.commit()
        return cell, resources


class OverwriteCellsQuietlyRestoringHiddenTests(OverwriteCells):
    """nbgrader's ``OverwriteCells``, which first puts back the hidden tests a released cell lacks.

    A locked cell whose source is exactly its gradebook source with the hidden
    tests removed (as ``ClearHiddenTests`` released it) gets the full source
    before nbgrader compares checksums, so only a cell the learner changed is
    reported (and restored) as before.
    """

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], cell_index: int) -> tuple[NotebookNode, dict[str, Any]]:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is not None and is_locked(cell):
            try:
                source_cell = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
            except MissingEntry:
                source_cell = None  # nbgrader's own step reports it
            if source_cell is not None and source_cell.locked and cell.source != source_cell.source:
                if cell.source == released_source(source_cell.source, cell, self):
                    cell.source = source_cell.source
        done: tuple[NotebookNode, dict[str, Any]] = super().preprocess_cell(cell, resources, cell_index)
        return done


def released_source(source: str, cell: NotebookNode, parent: Any) -> str:
    """``source`` as the release gave it to learners: without its hidden tests (nbgrader's ClearHiddenTests, same config)."""
    released = nbformat.from_dict(dict(cell, source=source))
    ClearHiddenTests(parent=parent)._remove_hidden_test_region(released)
    return str(released.source)
