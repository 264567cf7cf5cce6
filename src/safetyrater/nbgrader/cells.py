"""What nbgrader's test cells call: grade one saved answer, as nbgrader needs it.

nbgrader reads partial credit from the last expression of a test cell, with
pitfalls this module absorbs:

* the value must be a plain Python float in ``[0, points]``: a numpy float, a
  negative number or text gives full credit, and a value above the maximum
  drops the whole submission, so :func:`grade_item` clamps and converts;
* any output on stderr (a library warning) scores the cell 0, so warnings are
  silenced and everything is printed to stdout;
* a missing or broken answer file scores 0 with a message, never an error.

Three kinds of grade cell call here: one per case (:func:`grade_item`), one per
exercise for the written notes (:func:`grade_notes`) and, in probe exercises,
one per pair (:func:`grade_pair`). Released exercises import the first two
from :mod:`safetyrater.exercise` and the third from :mod:`safetyrater.probes`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..answers import read_answer_file
from ..bank.casebank import CaseBank
from ..bank.policy import load_policy
from ..errors import SafetyraterError
from ..feedback.comments import load_comment_bank, suggested_comments
from ..feedback.prescore import NOTES_ITEM
from ..feedback.prescore import notes_share as notes_share  # the written-feedback cell's pre-score; the fast lane imports it from here
from ..feedback.render import note_check_summary
from ..feedback.rubric import load_rubric
from ..frames import row_dict
from ..grading.core import score_case, score_deck
from ..grading.explain import summary_lines
from ..kinds.probe import exercise_pairs
from ..paths import answers_filename
from ..probes.data import load_probe_course


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
    value of the nbgrader cell. Neither the reference nor the rationale is
    printed, so the feedback nbgrader returns carries the learner's scores
    and choices but not the key.
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


def saved_answers(deck_id: str, folder: Path) -> tuple[dict[str, Any] | None, str]:
    """The deck's saved answers, or why there are none."""
    path = folder / answers_filename(deck_id)
    if not path.exists():
        return None, f"no saved answers ({path.name} is missing)"
    answer_file = read_answer_file(path)
    if answer_file.deck_id != deck_id:
        return None, f"{path.name} holds answers for {answer_file.deck_id!r}"
    return answer_file.answers, ""


def _grade(deck_id: str, case_id: str, folder: Path) -> tuple[float, list[str]]:
    bank = CaseBank.load()
    policy = load_policy()
    case = bank.cases.get(case_id)
    if case is None:
        return 0.0, [f"Case {case_id}: 0 points", f"  note: case {case_id!r} is not in the case bank"]
    answers, why_none = saved_answers(deck_id, folder)
    if answers is None:
        return 0.0, [f"Case {case_id}: 0 points", f"  note: {why_none}"]
    result = score_case(answers.get(case_id), case, policy)
    share = result["points"] / result["max_points"] if result["max_points"] else 0.0
    return share, summary_lines(result, case, reveal=False, rationale=policy.feedback.show_rationale)


# Written feedback: one cell per exercise, pre-scored by the rubric, graded by the instructor.

#: the nbgrader grade id of an exercise's written-feedback cell
NOTES_GRADE_ID = NOTES_ITEM
#: printed when a learner wrote no note, so the cell needs no review (see preprocessors.FlagNotesForReview)
NO_NOTES = "No notes written: nothing to review."


def grade_notes(deck_id: str, points: float, folder: str | Path | None = None) -> float:
    """Print every saved note beside its rubric check; return the pre-score as nbgrader points.

    The pre-score is the mean of the notes' rubric scores (a missing note
    scores 0) times ``points``. It is a head start: nbgrader flags the cell
    for the instructor's review (:class:`~safetyrater.nbgrader.preprocessors.FlagNotesForReview`),
    who confirms or overrides it in the formgrader. The check is
    :func:`safetyrater.feedback.check.check_note`, as in ``safetyrater feedback check``.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            share, lines = _grade_notes(deck_id, Path(folder) if folder else Path.cwd(), points)
        except SafetyraterError as exc:
            share, lines = 0.0, [f"Written feedback: 0 / {points:g} points", f"  note: {exc}", NO_NOTES]
    print("\n".join(lines))
    return nbgrader_points(share * points, points)


def _grade_notes(deck_id: str, folder: Path, points: float) -> tuple[float, list[str]]:
    bank = CaseBank.load()
    cases = bank.deck_cases(deck_id)
    answers, why_none = saved_answers(deck_id, folder)
    if answers is None:
        return 0.0, [f"Written feedback: 0 / {points:g} points", f"  note: {why_none}", NO_NOTES]
    rubric, comments = load_rubric(), load_comment_bank()
    share, checked = notes_share(answers, cases, rubric)
    body = []
    for case, note, check in checked:
        if note is None or check is None:
            body.append(f"Case {case.id}: no note (pre-score 0)")
            continue
        body.append(f"Case {case.id}: pre-score {check.score:.2f}")
        body.append(f"  note: {' '.join(note.split())}")
        body.append(f"  rubric: {note_check_summary(check, rubric)}")
        body += [f"  suggested comment: {comment}" for comment in suggested_comments(check, comments)]
    head = [
        f"Written feedback: pre-score {share * points:.2f} / {points:g} points from the kit's rubric check "
        "(problem named, why explained, change proposed, specific). Your instructor reviews every note and decides."
    ]
    written = any(line.startswith("  note: ") for line in body)
    return share, head + body + ([] if written else [NO_NOTES])


# Probe exercises: each pair's automatic checks, and the pre-score of the instructor's part.


def _grade_pair(exercise_id: str, number: int, folder: Path) -> tuple[float, list[str]]:
    exercise = load_probe_course().exercise(exercise_id)  # an unknown exercise is a data error, not 0 points in silence
    answers, why_none = saved_answers(exercise_id, folder)
    if answers is None:
        return 0.0, [f"Pair {number}: 0 points", f"  note: {why_none.replace('no saved answers', 'no saved pairs')}"]
    pairs = exercise_pairs(exercise)[:number]  # a repeat of an earlier pair's prompt counts against the later one
    result = row_dict(score_deck(answers, pairs, load_policy()).iloc[-1])
    share = result["points"] / result["max_points"] if result["max_points"] else 0.0
    return share, summary_lines(result, pairs[-1], reveal=False, rationale=False)


def grade_pair(exercise_id: str, number: int, points: float, folder: str | Path | None = None) -> float:
    """What pair ``number``'s grade cell calls: print the pair, checks and pre-score; return nbgrader points.

    The automatic checks' share of their points is scaled to ``points`` (the
    cell's value), as :func:`run_grade_cell` runs every grade cell.
    """
    return run_grade_cell(f"Pair {number}", lambda where: _grade_pair(exercise_id, number, where), points, folder)
