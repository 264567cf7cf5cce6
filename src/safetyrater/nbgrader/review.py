"""An nbgrader preprocessor: flag each learner's written feedback for the instructor's review.

Written feedback is graded by the instructor with the kit's pre-score as a
head start. The written-feedback cell of an exercise is an autograded test
cell whose output lists every note beside its rubric check and whose value is
the pre-score, so nbgrader records the pre-score as the cell's automatic
score and the formgrader shows it, with the notes, in the score box. nbgrader
marks an autograded cell as needing manual grading only when it has no
automatic score (or was regraded after a manual grade), so this step runs
right after ``SaveAutoGrades`` and sets ``needs_manual_grade`` on the cell
whenever the learner wrote a note: the submission then shows "needs manual
grading" in the formgrader until the instructor confirms or overrides the
score (saving any score clears the flag).

``graders/nbgrader_config.py`` adds it to ``Autograde.autograde_preprocessors``.
"""

from __future__ import annotations

from typing import Any

from nbformat.notebooknode import NotebookNode
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade

from .cells import NO_NOTES, NOTES_GRADE_ID


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
            return super().preprocess(nb, resources)

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int) -> tuple[NotebookNode, dict[str, Any]]:
        if is_grade(cell) and cell.metadata["nbgrader"].get("grade_id") == NOTES_GRADE_ID and NO_NOTES not in _stdout(cell):
            grade = self.gradebook.find_grade(NOTES_GRADE_ID, *self._where)
            grade.needs_manual_grade = True
            self.gradebook.db.commit()
        return cell, resources
