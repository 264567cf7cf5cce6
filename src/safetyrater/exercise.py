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
from pathlib import Path

from .answers import read_answer_file
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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            score, lines = _grade(deck_id, case_id, Path(folder) if folder else Path.cwd())
        except SafetyraterError as exc:
            score, lines = 0.0, [f"Case {case_id}: 0 points", f"  note: {exc}"]
    print("\n".join(lines))
    return nbgrader_points(score * points, points)


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
    path = folder / answers_filename(deck_id)
    if not path.exists():
        return 0.0, [f"Case {case_id}: 0 points", f"  note: no saved answers ({path.name} is missing)"]
    answer_file = read_answer_file(path)
    if answer_file.deck_id != deck_id:
        return 0.0, [f"Case {case_id}: 0 points", f"  note: {path.name} holds answers for {answer_file.deck_id!r}"]
    result = score_case(answer_file.answers.get(case_id), case, policy)
    share = result["points"] / result["max_points"] if result["max_points"] else 0.0
    return share, summary_lines(result, case, reveal=False)
