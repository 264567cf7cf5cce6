"""The fast lane: grade every learner's answer files with the one grading core.

No kernel starts and no learner code runs: each answer file is read as data
and scored by :mod:`safetyrater.grading`, the code nbgrader's test cells call,
so the points are the ones ``nbgrader autograde`` gives, in milliseconds.

A file that cannot be read, holds another exercise, or is missing from a
submission is reported by learner and path and scores 0; the rest of the
cohort is graded.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..answers import read_answers
from ..bank.casebank import CaseBank
from ..bank.policy import Policy, load_policy
from ..errors import DataError, Problem
from ..feedback.prescore import NoteChecker, notes_shares
from ..feedback.rubric import Rubric, load_rubric
from ..feedback.score_cache import NoteScores
from ..grading.core import score_learners
from ..io import LinkNotFollowed, write_csv
from ..kinds.probe import exercise_pairs
from ..kinds.table import object_column, rounded
from ..probes.data import TOPICS_FILE, ProbeCourse, load_probe_course, probes_dir
from .collect import CourseLayout, Submission, find_learners, find_submissions, link_leads_outside

#: what became of each learner × exercise
GRADED, UNREADABLE, WRONG_EXERCISE, MISSING, NOT_SUBMITTED = "graded", "unreadable", "wrong-exercise", "missing", "not-submitted"

#: columns of a scored row that the cohort's tables leave out (see :func:`grade_submissions`)
TEXT_COLUMNS = ("pair", "report")

#: the case and kind of the row holding a learner's written-feedback pre-score for an exercise
#: (the exercise notebook's ``written-feedback`` grade cell; see :func:`notes_rows`)
NOTES_CASE = NOTES_KIND = "written-feedback"

#: the tidy table's leading columns; the grading core's details follow
TIDY_COLUMNS = ["learner", "exercise", "case", "points", "max"]
#: what `safetyrater cohort grade --out` writes
CSV_COLUMNS = [*TIDY_COLUMNS, "status", "answered", "rating", "over_refusal", "categories", "mistakes", "messages"]


@dataclass
class CohortGrades:
    """A graded cohort: one row per learner × exercise × case, and what went wrong.

    Each learner × exercise also has one row whose case and kind are
    ``written-feedback``: the feedback coach's pre-score of the learner's
    notes, worth ``points_per_note`` (graders/rubric.toml) per case, as
    nbgrader's written-feedback cell records it. Totals include it;
    rating statistics (which read rating cases only) do not.
    """

    #: learner, exercise, case, points, max, then kind, status and the grading core's columns
    scores: pd.DataFrame
    #: learner, exercise, status, points, max, path, timestamp (nbgrader's, or None)
    submissions: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    exercises: list[str] = field(default_factory=list)
    layout: CourseLayout | None = None

    @property
    def learners(self) -> list[str]:
        return sorted(self.submissions["learner"].unique())

    def totals(self) -> pd.DataFrame:
        """Points per learner (rows) and exercise (columns), 0 where nothing was submitted."""
        table = self.submissions.pivot(index="learner", columns="exercise", values="points")
        return table.reindex(columns=self.exercises).fillna(0.0)

    def max_points(self) -> dict[str, float]:
        """The maximum of each exercise."""
        per_case = self.scores.drop_duplicates(["exercise", "case"])
        totals = per_case.groupby("exercise", sort=False)["max"].sum().reindex(self.exercises, fill_value=0.0)
        return {str(exercise): float(total) for exercise, total in totals.items()}

    def to_csv(self, path: Path | str | None = None) -> str | None:
        """The tidy table as CSV (tuples joined with ';', no cell a spreadsheet runs); to ``path`` or returned as text."""
        return write_csv(self.scores.reindex(columns=CSV_COLUMNS), path)


def graded_exercises(bank: CaseBank) -> list[str]:
    """The exercises nbgrader grades: the bank's graded decks, in decks.toml order, then the graded probe exercises."""
    probes = _probe_course(bank)
    graded_probes = [e.id for e in probes.exercises.values() if e.mode == "graded"] if probes is not None else []
    return [deck.id for deck in bank.decks.values() if deck.mode == "graded"] + graded_probes


def _probe_course(bank: CaseBank) -> ProbeCourse | None:
    """The probe exercises beside the bank (``datasets/probes/``), or None when it has none."""
    if not (probes_dir(bank.root) / TOPICS_FILE).is_file():
        return None
    return load_probe_course(bank.root)


def exercise_cases(bank: CaseBank, exercise: str) -> list[Any]:
    """What an exercise grades: a deck's cases, or a probe exercise's pairs; an unknown exercise is one clear error."""
    if exercise in bank.decks:
        return list(bank.deck_cases(exercise))
    probes = _probe_course(bank)
    if probes is None or exercise not in probes.exercises:
        return list(bank.deck_cases(exercise))  # the bank's error, naming the decks it knows
    return list(exercise_pairs(probes.exercise(exercise)))


def collected_exercises(layout: CourseLayout, bank: CaseBank) -> list[str]:
    """The graded exercises someone has handed in (all of them when nobody has yet).

    An exercise not yet collected would only add a column of zeros and
    "unanswered" to every report, so it is left out until it is.
    """
    graded = graded_exercises(bank)
    learners = find_learners(layout)
    handed_in = [e for e in graded if any(layout.submission_dir(learner, e).is_dir() for learner in learners)]
    return handed_in or graded


def grade_course(
    course_dir: Path | str,
    *,
    bank: CaseBank | None = None,
    policy: Policy | None = None,
    learners: Iterable[str] | None = None,
    exercises: Iterable[str] | None = None,
    progress: bool | None = None,
) -> CohortGrades:
    """Grade every learner × graded exercise found in an nbgrader course folder."""
    bank = bank or CaseBank.load()
    policy = policy or load_policy()
    layout = CourseLayout.find(course_dir)
    exercises = list(exercises) if exercises is not None else collected_exercises(layout, bank)
    for exercise in exercises:
        exercise_cases(bank, exercise)  # an unknown exercise is one clear error
    submissions, problems = find_submissions(layout, exercises, learners)
    grades = grade_submissions(submissions, bank, policy, exercises=exercises, progress=progress)
    grades.problems[:0] = problems
    grades.layout = layout
    return grades


def _read(submission: Submission) -> tuple[str, dict[str, Any], Problem | None]:
    where = f"learner {submission.learner}"
    if not submission.submitted:
        return NOT_SUBMITTED, {}, None
    try:
        try:
            # not following a link is checked in the same system call as the open: one call fewer per file
            deck_id, answers = read_answers(submission.answer_file, follow_links=False)
        except LinkNotFollowed:
            if link_leads_outside(submission.answer_file):
                return UNREADABLE, {}, Problem(submission.path, None, where, "links outside its submission folder; not read, scored 0")
            deck_id, answers = read_answers(submission.answer_file)
    except DataError as exc:
        path = submission.path
        if not path.is_file():  # looked for only when reading fails: one system call fewer per file
            return MISSING, {}, Problem(path, None, where, "no answer file in the submission; scored 0")
        first = exc.problems[0]
        return UNREADABLE, {}, Problem(path, first.line, where, f"{first.message}; scored 0")
    if deck_id != submission.exercise:
        message = f"holds answers for {deck_id!r}, not {submission.exercise!r}; scored 0"
        return WRONG_EXERCISE, {}, Problem(submission.path, None, where, message)
    return GRADED, answers, None


def grade_submissions(
    submissions: Iterable[Submission],
    bank: CaseBank,
    policy: Policy,
    *,
    exercises: Iterable[str] | None = None,
    progress: bool | None = None,
) -> CohortGrades:
    """Read and score the given submissions; ``progress`` None shows a bar on a terminal only.

    One exercise at a time: every learner's answer file is read, the exercise is
    scored as one table (:func:`~safetyrater.grading.core.score_learners`) and
    the answers are let go before the next, so memory holds one exercise's answers.
    """
    submissions = list(submissions)
    exercises = list(exercises) if exercises is not None else list(dict.fromkeys(s.exercise for s in submissions))
    by_exercise: dict[str, list[Submission]] = {exercise: [] for exercise in exercises}
    for submission in submissions:
        by_exercise.setdefault(submission.exercise, []).append(submission)
    problems: list[Problem] = []
    frames = []
    notes = []
    rubric = load_rubric()
    bar = tqdm(total=len(submissions), desc="reading answer files", unit="file", disable=None if progress is None else not progress)
    # one note checker for the run: each note read once, scores kept between runs, large batches on every core
    with _no_cycle_collection(), NoteChecker(rubric, kept=NoteScores.open()) as checker:
        for exercise, handed_in in by_exercise.items():
            if not handed_in:
                continue
            read: dict[str, tuple[str, dict[str, Any], Submission]] = {}
            for submission in handed_in:
                status, answers, problem = _read(submission)
                if problem is not None:
                    problems.append(problem)
                read[submission.learner] = (status, answers, submission)
                bar.update()
            cases = exercise_cases(bank, exercise)
            scored = score_learners({learner: answers for learner, (_, answers, _) in read.items()}, cases, policy, every_kind=False)
            scored.insert(1, "exercise", exercise)
            scored["status"] = np.repeat(object_column([status for status, _, _ in read.values()]), len(cases))
            # whole probe pairs and their reports stay in the answer files (no cohort table reads them, and at
            # 10,000 learners they would be most of the memory); notes stay: the report's split page quotes them
            scored = scored.drop(columns=[c for c in TEXT_COLUMNS if c in scored.columns])
            frames.append(_shared_values(_leading(scored.rename(columns={"case_id": "case", "max_points": "max"}))))
            exercise_notes = notes_rows({exercise: read}, bank, rubric, checker)
            if exercise_notes is not None:
                notes.append(_shared_values(_leading(exercise_notes)))
    bar.close()
    if frames or notes:
        # each frame leads with the same columns, so the whole table has them first without a reordered copy
        scores = pd.concat(frames + notes, ignore_index=True)
        del frames, notes
        # the points nbgrader records: a rounded float in [0, max], as grade_item returns
        scores["points"] = nbgrader_points_column(scores["points"].to_numpy(dtype=float), scores["max"].to_numpy(dtype=float))
    else:
        scores = pd.DataFrame({column: pd.Series(dtype=float if column in ("points", "max") else object) for column in CSV_COLUMNS})

    found = {(s.learner, s.exercise): s for s in submissions}
    per_submission = scores.groupby(["learner", "exercise"], sort=False).agg(
        status=("status", "first"), points=("points", "sum"), max=("max", "sum")
    )
    per_submission["points"] = per_submission["points"].round(4)
    per_submission = per_submission.reset_index()
    # as lists: iterating pandas' string columns value by value is many times slower
    keys = list(zip(per_submission["learner"].tolist(), per_submission["exercise"].tolist(), strict=True))
    per_submission["path"] = [found[key].answer_file for key in keys]
    per_submission["timestamp"] = [found[key].timestamp for key in keys]
    return CohortGrades(scores=scores, submissions=per_submission, problems=problems, exercises=exercises)


#: the columns every cohort scores table starts with
LEADING_COLUMNS = [*TIDY_COLUMNS, "kind", "status"]


def _leading(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with :data:`LEADING_COLUMNS` first, the rest in their order."""
    return frame[LEADING_COLUMNS + [c for c in frame.columns if c not in LEADING_COLUMNS]]


#: columns that keep what a learner wrote as the answer file held it (one object per row)
LEARNER_TEXT_COLUMNS = ("note",)


def _shared_values(scored: pd.DataFrame) -> pd.DataFrame:
    """``scored`` with each repeated note held once, by every row that has it.

    A note is the parsed answer file's own string, one per learner; keeping
    them would keep the memory of every parsed file (Python cannot hand back
    memory a single live string sits in), so the cohort's memory would grow
    with each exercise read. The other columns hold labels and tuples the
    kinds share already (the rating kind's risk areas: one tuple per distinct choice).
    Values are kept exactly (types included).
    """
    for name in LEARNER_TEXT_COLUMNS:
        if name not in scored.columns or scored[name].dtype != object:
            continue
        scored[name] = shared_values(scored[name].to_numpy())
    return scored.copy()  # fresh blocks: the old ones would keep the replaced values alive


def shared_values(values: np.ndarray) -> np.ndarray:
    """An object column with each str, and each tuple of str, held once by every row equal to it; the rest as they are."""
    if pd.api.types.infer_dtype(values, skipna=False) == "string":
        codes, uniques = pd.factorize(values)  # every value a str: hashed and matched in C
        return uniques[codes]
    seen: dict[Any, Any] = {}
    shared = []
    for value in values.tolist():
        if type(value) is str:
            value = seen.setdefault(value, value)
        elif type(value) is tuple:
            # only a tuple of str: True == 1 would merge (True,) with (1,), changing a value's type
            for item in value:
                if type(item) is not str:
                    break
            else:
                value = seen.setdefault(value, value)
        shared.append(value)
    return object_column(shared)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while the answer files are parsed and scored.

    Parsing makes millions of small dicts and lists, none in a cycle; each batch
    of them set off a collection that walks every object still alive, so the
    collector took about a quarter of the fast lane's time at 10,000 learners
    (benchmarks/cohort_grading.py); the peak memory measured the same with it
    paused. Restored as it was, even after an error.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def nbgrader_points_column(points: np.ndarray, maximum: np.ndarray) -> np.ndarray:
    """:func:`~safetyrater.nbgrader.cells.nbgrader_points` of every row: NaN 0, clamped to [0, max], rounded as Python rounds."""
    return rounded(np.clip(np.nan_to_num(points, nan=0.0), 0.0, maximum))


def notes_rows(
    read: dict[str, dict[str, tuple[str, dict[str, Any], Submission]]],
    bank: CaseBank,
    rubric: Rubric | None = None,
    checker: NoteChecker | None = None,
) -> pd.DataFrame | None:
    """One ``written-feedback`` row per learner × exercise: the pre-score nbgrader's cell gives.

    The share comes from :func:`~safetyrater.feedback.prescore.notes_shares`,
    the many-learner form of the code the written-feedback cell runs, scaled to the cell's points
    (``points_per_note`` × the exercise's cases) and rounded as nbgrader
    records it. None when the rubric gives notes no points (the cell is then
    left out of the exercises). ``checker``: the run's :class:`~safetyrater.feedback.prescore.NoteChecker`.
    """
    rubric = rubric or load_rubric()
    if not rubric.points_per_note:
        return None
    frames = []
    for exercise, by_learner in read.items():
        if exercise not in bank.decks or not by_learner:
            continue  # a probe exercise has no written-feedback cell: its pairs are its writing
        cases = bank.deck_cases(exercise)
        maximum = float(rubric.points_per_note * len(cases))
        shares, written = notes_shares([answers for _, answers, _ in by_learner.values()], cases, rubric, checker)
        rows = len(shares)
        # one message per number of notes written, shared by every row that wrote that many
        messages = {n: (f"{n} of {len(cases)} notes written; pre-score, for the instructor's review",) if n else () for n in set(written)}
        frames.append(
            pd.DataFrame(
                {
                    "learner": object_column(list(by_learner)),
                    "exercise": object_column([exercise] * rows),
                    "case": object_column([NOTES_CASE] * rows),
                    "points": nbgrader_points_column(np.asarray(shares, dtype=float) * maximum, np.full(rows, maximum)),
                    "max": np.full(rows, maximum),
                    "kind": object_column([NOTES_KIND] * rows),
                    "status": object_column([status for status, _, _ in by_learner.values()]),
                    "answered": np.asarray(written) > 0,
                    "categories": object_column([()] * rows),
                    "mistakes": object_column([()] * rows),
                    "messages": object_column([messages[n] for n in written]),
                }
            )
        )
    if not frames:
        return None
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def summary_lines(grades: CohortGrades) -> list[str]:
    """What an instructor reads after a run: counts by status and the mean score per exercise."""
    lines = []
    submissions = grades.submissions
    for exercise in grades.exercises:
        rows = submissions[submissions["exercise"] == exercise]
        if rows.empty:
            continue
        counts = rows["status"].value_counts()
        handed_in = rows[rows["status"] != NOT_SUBMITTED]
        mean = handed_in["points"].mean() if len(handed_in) else 0.0
        detail = ", ".join(f"{counts[s]} {s}" for s in (GRADED, UNREADABLE, WRONG_EXERCISE, MISSING, NOT_SUBMITTED) if s in counts)
        lines.append(f"{exercise}: {detail}; mean {mean:.2f} / {rows['max'].iloc[0]:g} points")
    if not lines:
        where = grades.layout.submitted if grades.layout else "the course"
        lines.append(f"no submissions found in {where}")
    return lines
