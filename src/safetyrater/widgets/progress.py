"""A learner's progress through the course, read from the saved answer files.

The start page calls :func:`show_progress`. Lesson decks save beside their
notebook in ``course/``; an exercise saves beside its notebook in
``exercises/<exercise>/``. For lesson decks the table also shows agreement
so far: the share of points earned on the cases answered, scored by the
grading core. Exercises show only how many cases are answered, since their
references stay out of what learners see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from ..answers import read_answer_file
from ..bank.casebank import CaseBank
from ..bank.policy import load_policy, policy_path
from ..errors import SafetyraterError
from ..grading.core import score_deck
from ..paths import MODULE_FILE, START_NUMBER, answers_filename, course_dir, datasets_dir, exercises_dir, project_root
from .html import escape
from .navigation import course_modules

#: lesson-08-health -> 8, ex05-comparing-responses -> 5
DECK_MODULE = re.compile(r"^(?:lesson-|ex)(\d\d)-")


@dataclass(frozen=True)
class Lesson:
    """A lesson of the course: its number, notebook and title (without the number)."""

    number: int
    path: Path
    title: str

    @property
    def label(self) -> str:
        """The lesson's number as learners read it: ``3``, or ``3b`` for the second part of module 3."""
        found = MODULE_FILE.match(self.path.name)
        return f"{self.number}{found.group('part') if found else ''}"


def lessons(folder: Path) -> list[Lesson]:
    """The course's numbered lesson notebooks (01-…, 02-…), in order; 00 is the start page."""
    return [
        Lesson(module.number, Path(folder) / module.file, re.sub(r"^\d+[a-z]?\.\s*", "", module.title))
        for module in course_modules(folder)
        if module.number != START_NUMBER
    ]


def deck_module(deck_id: str) -> int | None:
    match = DECK_MODULE.match(deck_id)
    return int(match.group(1)) if match else None


def _saved_answers(path: Path) -> dict[str, dict[str, object]]:
    if not path.exists():
        return {}
    try:
        return read_answer_file(path).answers
    except SafetyraterError:
        return {}


def progress_frame(root: Path | None = None) -> pd.DataFrame:
    """One row per deck: module, deck, title, mode, answered, total, and for lessons agreement.

    ``points`` and ``max_points`` sum the answered cases of a lesson deck;
    ``agreement`` is their ratio (0 to 1). All three are None for graded decks
    and agreement is None while nothing is answered.
    """
    root = Path(root) if root is not None else project_root()
    bank = CaseBank.load(datasets_dir(root))
    policy = load_policy(policy_path(root))
    rows = []
    for deck in bank.decks.values():
        if deck.mode == "practice":
            path = course_dir(root) / answers_filename(deck.id)
        else:
            path = exercises_dir(root) / deck.id / answers_filename(deck.id)
        cases = bank.deck_cases(deck.id)
        saved = _saved_answers(path)
        points = max_points = agreement = None
        answered_count = 0
        if saved:  # a deck not yet opened has nothing to score (most of them, on a learner's first visit)
            scores = score_deck(saved, cases, policy)
            answered = scores[scores["answered"]]
            answered_count = int(len(answered))
            if deck.mode == "practice":
                points, max_points = float(answered["points"].sum()), float(answered["max_points"].sum())
                agreement = points / max_points if max_points else None
        elif deck.mode == "practice":
            points, max_points = 0.0, 0.0
        rows.append(
            {
                "module": deck_module(deck.id),
                "deck": deck.id,
                "title": deck.title,
                "mode": deck.mode,
                "answered": answered_count,
                "total": len(cases),
                "points": points,
                "max_points": max_points,
                "agreement": agreement,
            }
        )
    columns = ["module", "deck", "title", "mode", "answered", "total", "points", "max_points", "agreement"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["module", "mode", "deck"], ascending=[True, False, True], na_position="last").reset_index(drop=True)


def progress_html(root: Path | None = None) -> str:
    """The start page's progress table: each module, its lesson and exercise, and totals."""
    root = Path(root) if root is not None else project_root()
    frame = progress_frame(root)
    course_lessons = lessons(course_dir(root))
    numbered = {lesson.number for lesson in course_lessons}
    # a module's decks count on its first lesson; a second part (3b) shows its own row without decks
    rows: list[tuple[int, Lesson | None]] = [(lesson.number, lesson) for lesson in course_lessons]
    rows += [(module, None) for module in sorted(set(frame["module"].dropna().astype(int)) - numbered)]
    body = []
    seen: set[int] = set()
    for module, lesson in sorted(rows, key=lambda row: (row[0], row[1].path.name if row[1] else "")):
        name = escape(lesson.title) if lesson else ""
        link = f"<a href='{escape(lesson.path.name)}'>{escape(lesson.label)}. {name}</a>" if lesson else f"{module}."
        decks = frame[frame["module"] == module] if module not in seen else frame.iloc[0:0]
        seen.add(module)
        practice = decks[decks["mode"] == "practice"]
        graded = decks[decks["mode"] == "graded"]
        body.append(
            f"<tr><td style='text-align:left'>{link}</td>"
            f"<td>{_answered(practice)}</td><td>{_agreement(practice)}</td><td>{_answered(graded)}</td></tr>"
        )
    practice = frame[frame["mode"] == "practice"]
    summary = (
        f"You have answered <b>{int(practice['answered'].sum())} of {int(practice['total'].sum())}</b> practice cases"
        + (f"; agreement with the reference so far: <b>{_agreement(practice)}</b>." if practice["answered"].sum() else ".")
    )
    return (
        f"<div class='sr-progress'><p>{summary}</p><table>"
        "<thead><tr><th style='text-align:left'>Module</th><th>Lesson cases answered</th>"
        "<th>Agreement so far</th><th>Exercise cases answered</th></tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
        "<p style='font-size:smaller'>Agreement: points you earned on the lesson cases you answered, out of "
        "the points possible. Exercises are graded after you submit, so only your progress is shown.</p></div>"
    )


def _answered(rows: pd.DataFrame) -> str:
    if rows.empty:
        return "–"
    return f"{int(rows['answered'].sum())} of {int(rows['total'].sum())}"


def _agreement(rows: pd.DataFrame) -> str:
    possible = rows["max_points"].fillna(0).sum()
    if not possible:
        return "–"
    return f"{rows['points'].fillna(0).sum() / possible:.0%}"


def show_progress(root: Path | str | None = None) -> HTML:
    """Display the progress table (in a notebook); rerun the cell to refresh it."""
    return HTML(progress_html(Path(root) if root is not None else None))
