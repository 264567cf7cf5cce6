"""The written-feedback pre-score: one learner's notes on one deck, checked against the rubric.

Every place that totals a learner's points calls this one function: the
exercise notebook's written-feedback cell (:func:`safetyrater.nbgrader.cells.grade_notes`),
the cohort fast lane and ``safetyrater grade``, so a note earns the same
points wherever it is counted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .check import NoteCheck, check_note
from .rubric import Rubric, load_rubric

#: the name of an exercise's written-feedback item: its nbgrader grade cell and its row in grade tables
NOTES_ITEM = "written-feedback"


def saved_note(saved: Any) -> str | None:
    """The written note of one saved answer, or None: a comparison's written note is its reason."""
    # a dict looked for first: the Mapping check is an ABC's, slow at a cohort's 100,000 answers
    note = (saved.get("note") or saved.get("reason")) if type(saved) is dict or isinstance(saved, Mapping) else None
    return note if isinstance(note, str) and note.strip() else None


def notes_share(
    answers: Mapping[str, Any],
    cases: Sequence[Any],
    rubric: Rubric | None = None,
    check: Callable[[str, Any, Rubric], NoteCheck] | None = None,
) -> tuple[float, list[tuple[Any, str | None, NoteCheck | None]]]:
    """The written-feedback pre-score of one learner's answers to one deck, as a share in [0, 1].

    The mean of the notes' rubric scores, a missing note scoring 0; with
    each case, its note (or None) and its :class:`~safetyrater.feedback.check.NoteCheck`
    (or None). A pure function. ``check`` replaces
    :func:`~safetyrater.feedback.check.check_note` (the fast lane passes a cached one).
    """
    rubric = rubric or load_rubric()
    check = check or check_note
    checked: list[tuple[Any, str | None, NoteCheck | None]] = []
    for case in cases:
        note = saved_note(answers.get(case.id))
        checked.append((case, note, check(note, case, rubric) if note is not None else None))
    share = sum(result.score for _, _, result in checked if result is not None) / len(checked) if checked else 0.0
    return share, checked


def notes_points(answers: Mapping[str, Any], cases: Sequence[Any], rubric: Rubric | None = None) -> tuple[float, float, int]:
    """(pre-score points, the written-feedback cell's points, notes written) for one learner's answers to one deck.

    The cell is worth ``points_per_note`` (graders/rubric.toml) per case, as
    the exercise notebook's written-feedback cell is.
    """
    rubric = rubric or load_rubric()
    maximum = rubric.points_per_note * len(cases)
    share, checked = notes_share(answers, cases, rubric)
    return round(share * maximum, 4), maximum, sum(note is not None for _, note, _ in checked)
