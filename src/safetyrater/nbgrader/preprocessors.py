"""nbgrader preprocessors the kit adds to ``nbgrader autograde`` (``graders/nbgrader_config.py``).

**Grades can't be gamed.** An exercise asks for no code: the cards save the
learner's answers to ``<exercise>.answers.json`` and the locked grade cells
score that file. nbgrader restores the grade cells from the gradebook
(``OverwriteCells``), but it runs every other cell of the submitted notebook
first, so a learner could add a cell before them that replaces the kit's grading
function (``import safetyrater.exercise as e; e.grade_item = lambda *a, **k: 3.0``),
rewrites the answer file with the key the grading machine holds, or prints
numbers. And nbgrader starts the kernel in the submission's folder, which Python
and IPython put first on ``sys.path``, so anything importable handed in beside the
notebook (``safetyrater.py``, a package whose ``__init__`` is compiled C, a
``sitecustomize.py``) would replace the kit and run as the instructor.

* :class:`SetAsideHandedInModules`, the first autograde step, renames everything
  importable in the autograded copy of the submission (Python source, bytecode,
  compiled extensions, ``.pth`` files, and any folder holding them) to
  ``<name>.not-run`` and names each in nbgrader's log;
* :class:`RunOnlyCourseCells` runs right after ``OverwriteCells``: a code cell
  runs only when it is one of the course's cells (its grade id is a source cell
  of this notebook in the gradebook) with exactly the course's source; every
  other code cell is replaced by a comment saying so. It also puts back a grade
  cell the learner deleted, so it grades the answers;
* :class:`ShowLearnerCellsAsText` runs after it: a markdown or raw cell that is
  not the course's (a learner added or edited it) becomes inert text, so nothing
  a learner writes is rendered as HTML in the formgrader or the feedback;
* :class:`ExecuteInCleanFolder` replaces nbgrader's ``Execute``: the kernel starts
  in a new private folder that holds only the exercise's answer file, with
  ``PYTHONSAFEPATH=1`` (Python and IPython then leave the working folder off
  ``sys.path``), so whatever else was handed in is neither importable nor readable
  by the grading code.

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

import importlib.machinery
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Any

import nbformat
from nbformat.notebooknode import NotebookNode
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import ClearHiddenTests, Execute, NbGraderPreprocessor, OverwriteCells
from nbgrader.utils import is_grade, is_locked

from ..paths import answers_filename
from .cells import NO_NOTES, NOTES_GRADE_ID

#: what a learner's own code cell becomes in the graded notebook
NOT_RUN = "# This cell is not the course's, so it was not run when grading: answers are graded from the answer file."
#: the suffix a module handed in beside the notebook gets, so the kernel cannot import it
SET_ASIDE = ".not-run"
#: what a learner's own markdown or raw cell says above its text in the graded notebook
SHOWN_AS_TEXT = "*A cell the learner added or changed, shown as plain text (it is not rendered):*"
#: file endings Python can import or that change what it imports: source, bytecode, compiled
#: extensions (this platform's and others'), and .pth files (read at start-up from site folders)
IMPORTABLE_SUFFIXES = frozenset(
    {".py", ".pyw", ".pyc", ".pyo", ".pyd", ".so", ".pth"}
    | {"." + suffix.rsplit(".", 1)[-1] for suffix in importlib.machinery.all_suffixes()}
)
#: the notebook metadata the course's exercises carry; anything else a learner put there
#: (a forged widget state, a title) is dropped before nbgrader renders the notebook
COURSE_NOTEBOOK_METADATA = ("kernelspec", "language_info")


def _importable_file(path: Path) -> bool:
    return path.suffix.lower() in IMPORTABLE_SUFFIXES


def _holds_importable(folder: Path) -> bool:
    """True when a folder (at any depth, links not followed) holds a file Python could import."""
    for _, dirnames, filenames in os.walk(folder):
        if "__pycache__" in dirnames or any(_importable_file(Path(name)) for name in filenames):
            return True
    return False


def set_aside_modules(folder: Path) -> list[Path]:
    """Rename everything importable in ``folder`` so a kernel started there could not import it.

    Importable means a Python source, bytecode or compiled-extension file, a ``.pth``
    file, or a folder holding any of them at any depth: a package whose ``__init__``
    is ``.py``, ``.pyc`` or ``.so``, and a namespace package with no ``__init__`` at all.
    """
    moved = []
    for path in sorted(folder.iterdir()) if folder.is_dir() and not folder.is_symlink() else []:
        if path.name.endswith(SET_ASIDE):
            continue
        if path.is_symlink():
            importable = True  # a link may lead to anything; nothing handed in needs one
        elif path.is_dir():
            importable = _holds_importable(path)
        else:
            importable = _importable_file(path)
        if importable:
            target = path.with_name(path.name + SET_ASIDE)
            path.rename(target)
            moved.append(target)
    return moved


class _CourseCells(NbGraderPreprocessor):
    """A step that knows the course's own cells of the notebook being graded (from the gradebook)."""

    def _load_course_cells(self, resources: dict[str, Any]) -> tuple[list[tuple[str, str, str, str]], dict[str, float]]:
        meta = resources["nbgrader"]
        with Gradebook(meta["db_url"]) as gradebook:
            notebook = gradebook.find_notebook(meta["notebook"], meta["assignment"])
            source_cells = [(cell.name, cell.cell_type, cell.source, cell.checksum) for cell in notebook.source_cells]
            points = {cell.name: cell.max_score for cell in notebook.grade_cells}
        self._course_cells = {(name, cell_type): source for name, cell_type, source, _ in source_cells}
        return source_cells, points

    def _is_course_cell(self, cell: NotebookNode) -> bool:
        """The cell is one of the course's, with exactly the course's source."""
        grade_id = (cell.metadata.get("nbgrader") or {}).get("grade_id")
        source: str | None = self._course_cells.get((grade_id, cell.cell_type))
        return source is not None and source == cell.source


class RunOnlyCourseCells(_CourseCells):
    """Blank every code cell that is not the course's own (a sanitizing step, after OverwriteCells)."""

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        source_cells, points = self._load_course_cells(resources)
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
        if cell.cell_type != "code" or self._is_course_cell(cell):
            return cell, resources
        cell.source = NOT_RUN
        cell.outputs = []
        cell.execution_count = None
        return cell, resources


def as_plain_text(source: str) -> str:
    """Markdown that shows ``source`` exactly as typed: a fenced code block, which every
    renderer escapes and MathJax skips, so no HTML, link, image or formula in it is live.
    The fence is longer than any run of backticks in the text, so no line can close it."""
    longest = max((len(run) for run in re.findall(r"`+", source)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{SHOWN_AS_TEXT}\n\n{fence}text\n{source}\n{fence}"


class ShowLearnerCellsAsText(_CourseCells):
    """Make every markdown or raw cell that is not the course's plain text (a sanitizing step).

    The formgrader and nbgrader's feedback render the graded notebook as HTML on
    the instructor's server, beside the keys: a ``<script>``, an ``<img onerror>``,
    a ``javascript:`` link or a raw HTML cell a learner added would run there. Such
    a cell keeps its words (the instructor can read them) as a fenced code block,
    loses its metadata and attachments, and the notebook's metadata keeps only what
    the course's exercises carry (a learner's widget state is not replayed).
    """

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        self._load_course_cells(resources)
        for key in [key for key in nb.metadata if key not in COURSE_NOTEBOOK_METADATA]:
            del nb.metadata[key]
        done: tuple[NotebookNode, dict[str, Any]] = super().preprocess(nb, resources)
        return done

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int) -> tuple[NotebookNode, dict[str, Any]]:
        if cell.cell_type == "code" or self._is_course_cell(cell):
            return cell, resources
        self.log.warning("Cell %d is not the course's (a learner added or changed it): shown as plain text", index + 1)
        text = nbformat.v4.new_markdown_cell(as_plain_text(cell.source))
        if "id" in cell:
            text["id"] = cell["id"]
        return text, resources


class SetAsideHandedInModules(NbGraderPreprocessor):
    """Rename importable files in the autograded copy before the kernel starts, and say so.

    It runs first among the autograde steps, whose notebook sits in the
    autograded folder; the learner's submitted folder is never changed. The
    kernel no longer starts there (:class:`ExecuteInCleanFolder`); this step keeps
    the autograded copy inert for anything else that might run in it, and tells
    the instructor what was handed in.
    """

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        folder = (resources.get("metadata") or {}).get("path")
        if folder:
            for path in set_aside_modules(Path(folder)):
                handed_in = path.with_name(path.name.removesuffix(SET_ASIDE))
                self.log.warning("Set aside %s (handed in with the submission): renamed %s, never imported", handed_in, path.name)
        return nb, resources


def copy_regular_file(source: Path, target: Path) -> bool:
    """Copy ``source`` when it is a regular file (a link is not followed); False when it is not one."""
    try:
        fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return False
        with open(target, "xb") as out:
            shutil.copyfileobj(handle, out)
    return True


class ExecuteInCleanFolder(Execute):
    """nbgrader's ``Execute``, with a kernel that can import and read nothing handed in.

    The kernel's working folder is a new private temporary folder holding only a
    copy of the exercise's answer file (all the grade cells read), and it starts
    with ``PYTHONSAFEPATH=1``, so neither Python nor IPython adds that folder to
    ``sys.path``. Whatever a learner put beside the notebook (a shadow ``safetyrater``
    package in any form, ``sitecustomize.py``, ``.pth`` files) stays in the
    autograded folder, out of the kernel's reach.
    """

    def preprocess(self, nb: NotebookNode, resources: Any = None, km: Any = None) -> tuple[NotebookNode, Any]:
        metadata = resources.setdefault("metadata", {}) if resources is not None else {}
        handed_in = metadata.get("path")
        answers = answers_filename((resources or {}).get("nbgrader", {}).get("assignment", ""))
        with tempfile.TemporaryDirectory(prefix="safetyrater-grading-") as clean:
            if handed_in and not copy_regular_file(Path(handed_in) / answers, Path(clean) / answers):
                self.log.warning("No answer file %s (a regular file) in the submission: its cases score 0", answers)
            metadata["path"] = clean
            try:
                done: tuple[NotebookNode, Any] = super().preprocess(nb, resources, km)
            finally:
                metadata["path"] = handed_in
        return done

    @staticmethod
    def _safe_path(kwargs: dict[str, Any]) -> dict[str, Any]:
        # Python 3.11+ and IPython leave the working folder off sys.path under PYTHONSAFEPATH
        return {**kwargs, "env": {**os.environ, **kwargs.get("env", {}), "PYTHONSAFEPATH": "1"}}

    # nbclient's synchronous start_new_kernel wraps its own coroutine, not this class's: both are set
    def start_new_kernel(self, **kwargs: Any) -> None:
        super().start_new_kernel(**self._safe_path(kwargs))

    async def async_start_new_kernel(self, **kwargs: Any) -> None:
        await super().async_start_new_kernel(**self._safe_path(kwargs))


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
