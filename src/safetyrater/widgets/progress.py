"""A learner's progress through the course, read from the saved answer files.

The start page calls :func:`show_progress`. Lesson decks save beside their
notebook in ``course/``; an exercise saves beside its notebook in
``exercises/<exercise>/``. For lesson decks the table also shows agreement
so far: the share of points earned on the cases answered, scored by the
grading core. Exercises show only how many cases are answered, since their
references stay out of what learners see.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..paths import answers_filename, project_root

LESSON_FILE = re.compile(r"^(\d\d)-[a-z0-9-]+\.ipynb$")
#: lesson-08-health -> 8, ex05-comparing-responses -> 5
DECK_MODULE = re.compile(r"^(?:lesson-|ex)(\d\d)-")


@dataclass(frozen=True)
class Lesson:
    number: int
    path: Path
    title: str


def lesson_title(path: Path) -> str:
    """The first level-1 heading of a notebook, without its number."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return path.stem
    for cell in cells:
        if cell.get("cell_type") != "markdown":
            continue
        source = "".join(cell.get("source", []))
        found = re.search(r"^# (?:\d+\.\s*)?(.+)$", source, re.M)
        if found:
            return found.group(1).strip()
    return path.stem


def lessons(course_dir: Path) -> list[Lesson]:
    """The course's numbered lesson notebooks (01-…, 02-…), in order; 00 is the start page."""
    found = []
    for path in sorted(course_dir.glob("*.ipynb")):
        match = LESSON_FILE.match(path.name)
        if match and int(match.group(1)) > 0:
            found.append(Lesson(int(match.group(1)), path, lesson_title(path)))
    return found


def deck_module(deck_id: str) -> int | None:
    match = DECK_MODULE.match(deck_id)
    return int(match.group(1)) if match else None


def _saved_answers(path: Path) -> dict[str, Any]:
    from ..answers import read_answer_file
    from ..errors import SafetyraterError

    if not path.exists():
        return {}
    try:
        return read_answer_file(path).answers
    except SafetyraterError:
        return {}


def progress_frame(root: Path | None = None) -> Any:
    """One row per deck: module, deck, title, mode, answered, total, and for lessons agreement.

    ``points`` and ``max_points`` sum the answered cases of a lesson deck;
    ``agreement`` is their ratio (0 to 1). All three are None for graded decks
    and agreement is None while nothing is answered.
    """
    import pandas as pd

    from ..bank.casebank import CaseBank
    from ..grading.core import score_deck
    from ..bank.policy import load_policy

    root = Path(root) if root is not None else project_root()
    bank = CaseBank.load(root / "datasets")
    policy = load_policy(root / "graders" / "policy.toml")
    rows = []
    for deck in bank.decks.values():
        if deck.mode == "practice":
            path = root / "course" / answers_filename(deck.id)
        else:
            path = root / "exercises" / deck.id / answers_filename(deck.id)
        cases = bank.deck_cases(deck.id)
        scores = score_deck(_saved_answers(path), cases, policy)
        answered = scores[scores["answered"]]
        points = max_points = agreement = None
        if deck.mode == "practice":
            points, max_points = float(answered["points"].sum()), float(answered["max_points"].sum())
            agreement = points / max_points if max_points else None
        rows.append(
            {
                "module": deck_module(deck.id),
                "deck": deck.id,
                "title": deck.title,
                "mode": deck.mode,
                "answered": int(len(answered)),
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
    titles = {lesson.number: lesson for lesson in lessons(root / "course")}
    body = []
    for module in sorted(set(frame["module"].dropna().astype(int)) | set(titles)):
        lesson = titles.get(module)
        name = html.escape(lesson.title) if lesson else ""
        link = f"<a href='{html.escape(lesson.path.name)}'>{module}. {name}</a>" if lesson else f"{module}."
        practice = frame[(frame["module"] == module) & (frame["mode"] == "practice")]
        graded = frame[(frame["module"] == module) & (frame["mode"] == "graded")]
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


def _answered(rows: Any) -> str:
    if rows.empty:
        return "–"
    return f"{int(rows['answered'].sum())} of {int(rows['total'].sum())}"


def _agreement(rows: Any) -> str:
    possible = rows["max_points"].fillna(0).sum()
    if not possible:
        return "–"
    return f"{rows['points'].fillna(0).sum() / possible:.0%}"


def show_progress(root: Path | str | None = None) -> Any:
    """Display the progress table (in a notebook); rerun the cell to refresh it."""
    from IPython.display import HTML

    return HTML(progress_html(Path(root) if root is not None else None))
