"""The written-feedback pre-score: one learner's notes on one deck, checked against the rubric.

Every place that totals a learner's points calls this one function: the
exercise notebook's written-feedback cell (:func:`safetyrater.nbgrader.cells.grade_notes`),
the cohort fast lane and ``safetyrater grade``, so a note earns the same
points wherever it is counted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .check import NoteCheck, NoteReading, check_note, check_reading, read_note
from .rubric import Rubric, load_rubric

if TYPE_CHECKING:
    from .score_cache import NoteScores

#: the name of an exercise's written-feedback item: its nbgrader grade cell and its row in grade tables
NOTES_ITEM = "written-feedback"


def saved_note(saved: Any) -> str | None:
    """The written note of one saved answer, or None: a comparison's written note is its reason."""
    if saved is None:
        return None
    # a dict looked for first: the Mapping check is an ABC's, slow at a cohort's 100,000 answers
    note = (saved.get("note") or saved.get("reason")) if type(saved) is dict or isinstance(saved, Mapping) else None
    # isspace, not strip: strip copies the note to find out
    return note if isinstance(note, str) and note and not note.isspace() else None


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
    :func:`~safetyrater.feedback.check.check_note`.
    """
    rubric = rubric or load_rubric()
    check = check or check_note
    notes = learner_notes(answers, [case.id for case in cases])
    checked = [(case, note, check(note, case, rubric) if note is not None else None) for case, note in zip(cases, notes, strict=True)]
    return mean_share([result.score for _, _, result in checked if result is not None], len(cases)), checked


def notes_shares(
    answers_by_learner: Iterable[Mapping[str, Any]],
    cases: Sequence[Any],
    rubric: Rubric | None = None,
    readings: dict[str, NoteReading] | None = None,
    kept: NoteScores | None = None,
) -> tuple[list[float], list[int]]:
    """:func:`notes_share`'s share for each of many learners' answers to one deck, and how many notes each wrote.

    For the cohort's fast lane. A note is read once (:func:`~safetyrater.feedback.check.read_note`)
    however many cases it was written for, and checked once per case however
    many learners wrote it: both are pure functions of what they are given.
    ``readings`` keeps the notes read, for the next deck of the same run and
    rubric; ``kept`` (:mod:`.score_cache`) holds scores from earlier runs and takes the new ones.
    """
    rubric = rubric or load_rubric()
    case_ids = [case.id for case in cases]
    readings = {} if readings is None else readings
    every = [learner_notes(answers, case_ids) for answers in answers_by_learner]
    wanted = {(position, note) for notes in every for position, note in enumerate(notes) if note is not None}
    scores: dict[tuple[int, str], float] = {}
    keys: dict[tuple[int, str], bytes] = {}
    if kept is not None and kept.active and wanted:
        from .score_cache import case_digest, coach_digest, score_key

        coach, seen = coach_digest(rubric), [case_digest(case) for case in cases]
        keys = {(position, note): score_key(coach, seen[position], note) for position, note in wanted}
        found = kept.get(keys.values())
        scores = {pair: found[key] for pair, key in keys.items() if key in found}
    new: dict[bytes, float] = {}
    for position, note in wanted - scores.keys():
        reading = readings.get(note)
        if reading is None:
            reading = readings[note] = read_note(note, rubric)
        scores[(position, note)] = check_reading(reading, cases[position], rubric).score
        if keys:
            new[keys[(position, note)]] = scores[(position, note)]
    if kept is not None:
        kept.put(new)
    shares, written = [], []
    for notes in every:
        learner_scores = [scores[(position, note)] for position, note in enumerate(notes) if note is not None]
        shares.append(mean_share(learner_scores, len(case_ids)))
        written.append(len(learner_scores))
    return shares, written


def learner_notes(answers: Mapping[str, Any], case_ids: Sequence[str]) -> list[str | None]:
    """The written note of each case (None where there is none), in the order of ``case_ids``."""
    return [saved_note(answers.get(case_id)) for case_id in case_ids]


def mean_share(scores: Sequence[float], cases: int) -> float:
    """The pre-score share: the notes' scores summed in the deck's order over every case, a missing note scoring 0."""
    return sum(scores) / cases if cases else 0.0


def notes_points(answers: Mapping[str, Any], cases: Sequence[Any], rubric: Rubric | None = None) -> tuple[float, float, int]:
    """(pre-score points, the written-feedback cell's points, notes written) for one learner's answers to one deck.

    The cell is worth ``points_per_note`` (graders/rubric.toml) per case, as
    the exercise notebook's written-feedback cell is.
    """
    rubric = rubric or load_rubric()
    maximum = rubric.points_per_note * len(cases)
    share, checked = notes_share(answers, cases, rubric)
    return round(share * maximum, 4), maximum, sum(note is not None for _, note, _ in checked)
