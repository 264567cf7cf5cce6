"""What nbgrader's test cells call: grade one saved answer, as nbgrader needs it.

nbgrader reads partial credit from the last expression of a test cell, with
pitfalls this module absorbs:

* the value must be a plain Python float in ``[0, points]``: a numpy float, a
  negative number or text gives full credit, and a value above the maximum
  drops the whole submission, so :func:`grade_item` clamps and converts;
* any output on stderr (a library warning) scores the cell 0, so warnings are
  silenced and everything is printed to stdout;
* a missing or broken answer file scores 0 with a message, never an error.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

from .answers import AnswerFile, read_answer_file
from .errors import SafetyraterError
from .paths import answers_filename


def nbgrader_points(value: float, points: float) -> float:
    """A value nbgrader reads as partial credit: a rounded Python float in [0, points]."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    if number != number:  # NaN
        return 0.0
    return round(min(max(number, 0.0), float(points)), 4)


def grade_item(deck_id: str, case_id: str, points: float, folder: str | Path | None = None) -> float:
    """Score the saved answer to one case, print the breakdown, return nbgrader points.

    The case's own maximum (from the policy) is scaled to ``points``, the
    value of the nbgrader cell. Reference ratings are not printed, so the
    feedback nbgrader returns carries the learner's scores and the rationale
    but not the key.
    """
    return run_grade_cell(f"Case {case_id}", lambda where: _grade(deck_id, case_id, where), points, folder)


def run_grade_cell(
    label: str, grade: Callable[[Path], tuple[float, list[str]]], points: float, folder: str | Path | None = None
) -> float:
    """Run a grade cell's scoring as nbgrader needs it: quietly, on stdout, as a clamped float.

    ``grade`` takes the submission folder and returns the share of the points
    earned (0 to 1) and the lines to print; a data problem scores 0 with a note.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            share, lines = grade(Path(folder) if folder else Path.cwd())
        except SafetyraterError as exc:
            share, lines = 0.0, [f"{label}: 0 points", f"  note: {exc}"]
    print("\n".join(lines))
    return nbgrader_points(share * points, points)


def saved_answers(deck_id: str, folder: Path, label: str, nothing: str = "no saved answers") -> tuple[AnswerFile | None, list[str]]:
    """The answer file of ``deck_id`` in ``folder``, or None and the lines saying why it cannot be graded."""
    path = folder / answers_filename(deck_id)
    if not path.exists():
        return None, [f"{label}: 0 points", f"  note: {nothing} ({path.name} is missing)"]
    answer_file = read_answer_file(path)
    if answer_file.deck_id != deck_id:
        return None, [f"{label}: 0 points", f"  note: {path.name} holds answers for {answer_file.deck_id!r}"]
    return answer_file, []


def _grade(deck_id: str, case_id: str, folder: Path) -> tuple[float, list[str]]:
    from .casebank import CaseBank
    from .explain import summary_lines
    from .grading import score_case
    from .policy import load_policy

    bank = CaseBank.load()
    policy = load_policy()
    case = bank.cases.get(case_id)
    if case is None:
        return 0.0, [f"Case {case_id}: 0 points", f"  note: case {case_id!r} is not in the case bank"]
    answer_file, lines = saved_answers(deck_id, folder, f"Case {case_id}")
    if answer_file is None:
        return 0.0, lines
    result = score_case(answer_file.answers.get(case_id), case, policy)
    share = result["points"] / result["max_points"] if result["max_points"] else 0.0
    return share, summary_lines(result, case, reveal=False)
