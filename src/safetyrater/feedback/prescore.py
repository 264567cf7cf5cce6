"""The written-feedback pre-score: one learner's notes on one deck, checked against the rubric.

Every place that totals a learner's points calls this one function: the
exercise notebook's written-feedback cell (:func:`safetyrater.nbgrader.cells.grade_notes`),
the cohort fast lane and ``safetyrater grade``, so a note earns the same
points wherever it is counted.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
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
    checker: NoteChecker | None = None,
) -> tuple[list[float], list[int]]:
    """:func:`notes_share`'s share for each of many learners' answers to one deck, and how many notes each wrote.

    For the cohort's fast lane: every distinct note of a case is scored once
    (by ``checker``, which a run keeps from deck to deck; see :class:`NoteChecker`).
    """
    rubric = rubric or load_rubric()
    checker = checker or NoteChecker(rubric, kept=None, workers=1)
    case_ids = [case.id for case in cases]
    every = [learner_notes(answers, case_ids) for answers in answers_by_learner]
    scores = checker.scores({(position, note) for notes in every for position, note in enumerate(notes) if note is not None}, cases)
    shares, written = [], []
    for notes in every:
        learner_scores = [scores[(position, note)] for position, note in enumerate(notes) if note is not None]
        shares.append(mean_share(learner_scores, len(case_ids)))
        written.append(len(learner_scores))
    return shares, written


class NoteChecker:
    """Scores the notes of a whole run, each exactly as :func:`~safetyrater.feedback.check.check_note` scores it.

    * A note is read once (:func:`~safetyrater.feedback.check.read_note`),
      however many cases it was written for, and checked once per case, however
      many learners wrote it: both are pure functions of what they are given.
    * ``kept`` (:mod:`.score_cache`) gives the scores of earlier runs and takes the new ones.
    * A batch of at least ``parallel_from`` notes still to check is shared among
      ``workers`` processes (default: one per core, up to 8; on Linux, where they
      are forked): in a real cohort every learner writes their own notes, and
      checking them is most of the fast lane's time. The pool starts at the first
      such batch and stops with :meth:`close`; if it fails, the notes are checked here.
    """

    def __init__(self, rubric: Rubric, kept: NoteScores | None = None, workers: int | None = None, parallel_from: int = 2000):
        self.rubric = rubric
        self.kept = kept
        self.workers = workers if workers is not None else max(1, min(os.cpu_count() or 1, 8))
        self.parallel_from = parallel_from
        self._readings: dict[str, NoteReading] = {}
        self._pool: ProcessPoolExecutor | None = None

    def scores(self, wanted: set[tuple[int, str]], cases: Sequence[Any]) -> dict[tuple[int, str], float]:
        """The score of each (position in ``cases``, note)."""
        scores: dict[tuple[int, str], float] = {}
        keys: dict[tuple[int, str], bytes] = {}
        if self.kept is not None and self.kept.active and wanted:
            from .score_cache import case_digest, coach_digest, score_key

            coach, seen = coach_digest(self.rubric), [case_digest(case) for case in cases]
            keys = {(position, note): score_key(coach, seen[position], note) for position, note in wanted}
            found = self.kept.get(keys.values())
            scores = {pair: found[key] for pair, key in keys.items() if key in found}
        pending = sorted(wanted - scores.keys())
        checked: dict[tuple[int, str], float] = {}
        if self.workers > 1 and len(pending) >= self.parallel_from and CAN_FORK:
            try:
                checked = self._in_parallel(pending, cases)
            except (BrokenProcessPool, OSError):  # a worker killed, no process left to start: checked here instead
                self.workers = 1
                self.close_pool()
        scores.update(checked)
        if len(checked) < len(pending):
            for position, note in pending:
                reading = self._readings.get(note)
                if reading is None:
                    reading = self._readings[note] = read_note(note, self.rubric)
                scores[(position, note)] = check_reading(reading, cases[position], self.rubric).score
        if self.kept is not None and keys:
            self.kept.put({keys[pair]: scores[pair] for pair in pending})
        return scores

    def _in_parallel(self, pending: list[tuple[int, str]], cases: Sequence[Any]) -> dict[tuple[int, str], float]:
        if self._pool is None:
            # forked, not spawned: a spawned worker runs the caller's main script again, which an
            # instructor's unguarded script (no `if __name__ == "__main__"`) would repeat, side effects and all
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"))
        by_case: dict[int, list[str]] = {}
        for position, note in pending:
            by_case.setdefault(position, []).append(note)
        # a few batches per worker: even shares without sending each note on its own
        size = max(50, len(pending) // (self.workers * 4))
        tasks = [(position, notes[start : start + size]) for position, notes in by_case.items() for start in range(0, len(notes), size)]
        results = self._pool.map(_score_batch, [(str(self.rubric.path), cases[position], notes) for position, notes in tasks])
        scores = {}
        for (position, notes), batch in zip(tasks, results, strict=True):
            scores.update({(position, note): score for note, score in zip(notes, batch, strict=True)})
        return scores

    def close_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        self.close_pool()
        if self.kept is not None:
            self.kept.close()

    def __enter__(self) -> NoteChecker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


#: worker processes are forked, where forking is safe: Linux (macOS's system libraries are not fork-safe, Windows cannot)
CAN_FORK = sys.platform.startswith("linux")


def _score_batch(task: tuple[str, Any, list[str]]) -> list[float]:
    """In a worker process: the scores of one case's notes (the rubric loaded from the same file as the run's)."""
    rubric_path, case, notes = task
    rubric = load_rubric(rubric_path)
    return [check_note(note, case, rubric).score for note in notes]


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
