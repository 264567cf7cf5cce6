"""Build nbgrader source notebooks for the graded exercises: ``safetyrater build``.

An exercise's source notebook in ``solutions/<deck>/`` is: instructions, one
read-only cell that shows the deck's cards, and each case's grade cells (its
kind's :meth:`~safetyrater.kinds.base.Kind.grade_cells`: one read-only cell
whose hidden part calls ``grade_item``, worth the policy's maximum for the
case), then one written-feedback cell. ``nbgrader generate_assignment`` turns
the source into the learner version in ``exercises/``, dropping the hidden parts.

The instructions are an introduction written per exercise in
``graders/exercises.toml`` followed by text generated from the deck and the
policy (how to work, what each kind of case is worth). Probe exercises are
built from ``datasets/probes/`` (:mod:`safetyrater.probes.authoring`). Rebuild
every source notebook after editing any of these::

    safetyrater build                            # all graded decks and probe exercises
    safetyrater build ex05-comparing-responses

then regenerate ``exercises/`` with ``nbgrader generate_assignment --force``.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import nbformat
from nbformat.notebooknode import NotebookNode

from ..bank.casebank import DECKS_FILE, CaseBank
from ..bank.policy import Policy, load_policy, policy_path
from ..bank.schema import Deck
from ..errors import DataError, Problem, SafetyraterError
from ..feedback.rubric import load_rubric
from ..grading.core import case_max_points
from ..io import read_toml
from ..kinds import kind_of, registered
from ..kinds.base import HIDDEN_BEGIN, HIDDEN_END
from ..paths import datasets_dir, graders_dir, project_root, solutions_dir
from ..probes.authoring import graded_probe_exercises, probe_exercise_notebook
from .cells import NOTES_GRADE_ID
from .notebooks import cell_metadata, exercise_head, notebook_cell, notebook_text, source_notebook

EXERCISES_FILE = "exercises.toml"


def notes_cell_source(deck_id: str, points: float) -> str:
    return "\n".join(
        [
            "# Your notes are pre-scored against the feedback rubric after you submit; your instructor reviews them.",
            HIDDEN_BEGIN,
            "from safetyrater.exercise import grade_notes",
            f'grade_notes("{deck_id}", points={points:g})',
            HIDDEN_END,
        ]
    )


def notes_cell(deck: Deck, points_per_note: float) -> NotebookNode:
    """The written-feedback grade cell: every note beside the rubric check, the pre-score as its value.

    nbgrader stores the pre-score as the cell's automatic score; the kit's
    autograde step (:class:`safetyrater.nbgrader.preprocessors.FlagNotesForReview`)
    flags it for the instructor, who confirms or overrides it in the formgrader.
    """
    points = points_per_note * len(deck.cases)
    cell: NotebookNode = nbformat.v4.new_code_cell(
        notes_cell_source(deck.id, points), metadata=cell_metadata(NOTES_GRADE_ID, grade=True, points=points)
    )
    return cell


def exercise_source_notebook(
    deck: Deck,
    cases: Sequence[Any],
    instructions: str,
    points_per_case: float | Mapping[str, float],
    points_per_note: float | None = None,
) -> NotebookNode:
    """An exercise's nbgrader source notebook; ``points_per_case`` is one value or a value per case id.

    ``points_per_note``: the written-feedback cell's points per case (default:
    ``points_per_note`` of graders/rubric.toml; 0 leaves the cell out).
    """
    cells = exercise_head(
        instructions,
        f'from safetyrater import show_deck\n\nshow_deck("{deck.id}")',
        "cards",
        "The cells below are read-only. They grade your saved answers after you submit; you do not need to run them.",
    )
    for position, case in enumerate(cases, 1):
        points = points_per_case[case.id] if isinstance(points_per_case, Mapping) else points_per_case
        cells += [notebook_cell(cell) for cell in kind_of(case.kind).grade_cells(deck.id, case, position, points)]
    if points_per_note is None:
        points_per_note = load_rubric().points_per_note
    if points_per_note:
        cells.append(notes_cell(deck, points_per_note))
    return source_notebook(cells)


def points_text(cases: Sequence[Any], policy: Policy, points_per_note: float = 0.0) -> str:
    """What each kind of case in the exercise, and the written notes, are worth."""
    by_kind: dict[str, list[Any]] = {}
    for case in cases:
        by_kind.setdefault(case.kind, []).append(case)
    total = sum(case_max_points(c, policy) for c in cases) + points_per_note * len(cases)
    lines = [f"**Points:** {len(cases)} cases, {total:g} points in all."]
    lines += [kind.points_text(by_kind[kind.name], policy) for kind in registered() if kind.name in by_kind]
    if points_per_note:
        lines.append(
            f"- Your written notes are worth up to {points_per_note:g} per case ({points_per_note * len(cases):g} in "
            "all): the kit pre-scores each against the feedback rubric (the problem named, why it is a problem, "
            "what should change, specific rather than vague) and your instructor confirms or changes the score."
        )
    return "\n".join(lines)


def exercise_instructions(deck: Deck, cases: Sequence[Any], policy: Policy, intro: str, points_per_note: float = 0.0) -> str:
    """The instructions cell: title, the exercise's introduction, how to work, points."""
    parts = [
        f"# {deck.title}",
        intro.strip(),
        "**How to work**\n\n"
        "- The cards appear below by themselves a few seconds after the notebook opens "
        "(if they do not, choose *Run > Run All Cells*).\n"
        f"- Your answers save automatically to `{deck.id}.answers.json` beside this notebook. "
        "Submit the folder as your instructor says; you do not need to save the notebook itself.\n"
        "- There is no Check button here: this exercise is graded after you submit.",
        points_text(cases, policy, points_per_note),
    ]
    note = "*Some cases describe harmful requests; operational details are replaced by `[REDACTED: ...]` markers."
    if any(c.content_warning for c in cases):
        note += " Cases with a content warning stay hidden until you press **Show this case**."
    parts.append(note + "*")
    return "\n\n".join(parts)


def load_intros(path: Path) -> dict[str, str]:
    """The per-exercise introductions of ``graders/exercises.toml``, by deck id."""
    data = read_toml(path)
    intros = {}
    problems = []
    for deck_id, entry in data.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("intro"), str) or not entry["intro"].strip():
            problems.append(Problem(path, None, deck_id, "expected a table with a non-empty intro"))
            continue
        intros[deck_id] = entry["intro"]
    if problems:
        raise DataError(problems)
    return intros


def build_exercise(deck_id: str, bank: CaseBank, policy: Policy, intro: str) -> NotebookNode:
    """The source notebook of one graded deck, points per case from the policy."""
    deck = bank.deck(deck_id)
    cases = bank.deck_cases(deck_id)
    points_per_note = load_rubric().points_per_note
    instructions = exercise_instructions(deck, cases, policy, intro, points_per_note)
    worth = {c.id: case_max_points(c, policy) for c in cases}
    return exercise_source_notebook(deck, cases, instructions, worth, points_per_note=points_per_note)


def build_all(root: Path | None = None, deck_ids: Sequence[str] = ()) -> dict[Path, str]:
    """Every graded deck's source notebook path and text (or only ``deck_ids``)."""
    root = Path(root) if root is not None else project_root()
    bank = CaseBank.load(datasets_dir(root))
    policy = load_policy(policy_path(root))
    intros_path = graders_dir(root) / EXERCISES_FILE
    intros = load_intros(intros_path)
    graded = [d.id for d in bank.decks.values() if d.mode == "graded"]
    # probe-design exercises (datasets/probes/topics.toml) are built by probes.authoring
    probes = graded_probe_exercises(root)
    wanted = list(deck_ids) or graded + probes
    decks = [d for d in wanted if d not in probes]
    problems = [Problem(intros_path, None, d, "no introduction for this graded deck") for d in decks if d not in intros]
    problems += [Problem(datasets_dir(root) / DECKS_FILE, None, d, "not a graded deck") for d in decks if d not in graded]
    if problems:
        raise DataError(problems)
    solutions = solutions_dir(root)
    built = {
        solutions / deck_id / f"{deck_id}.ipynb": notebook_text(build_exercise(deck_id, bank, policy, intros[deck_id]))
        for deck_id in decks
    }
    built.update({solutions / e / f"{e}.ipynb": notebook_text(probe_exercise_notebook(e, root)) for e in wanted if e in probes})
    return built


def main(deck_ids: Sequence[str] = ()) -> int:
    """``safetyrater build``: write every graded deck's (or only ``deck_ids``') source notebook; 1 on a data problem."""
    try:
        built = build_all(deck_ids=list(deck_ids))
    except SafetyraterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path, text in built.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0
