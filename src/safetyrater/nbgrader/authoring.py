"""Build nbgrader source notebooks for graded decks (instructor tooling).

An exercise's source notebook in ``solutions/<deck>/`` is: instructions,
one read-only cell that shows the deck's cards, and one read-only grade cell
per case whose hidden part calls :func:`safetyrater.exercise.grade_item`.
Each grade cell is worth the policy's maximum for its kind of case (rating,
pairwise, span). ``nbgrader generate_assignment`` turns the source into the
learner version in ``exercises/``, dropping the hidden part.

The instructions are an introduction written per exercise in
``graders/exercises.toml`` followed by text generated from the deck and the
policy (how to work, what each kind of case is worth). Rebuild every source
notebook after editing either file or the decks::

    python -m safetyrater.authoring            # all graded decks and probe exercises
    python -m safetyrater.authoring ex05-comparing-responses

then regenerate ``exercises/`` with ``nbgrader generate_assignment --force``.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import nbformat

from ..bank.schema import AnyCase, Deck, Policy
from ..errors import DataError, Problem
from ..io import read_toml

HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"
EXERCISES_FILE = "exercises.toml"


def _nbgrader(grade_id: str, *, grade: bool = False, points: float | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": True,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def grade_cell_source(deck_id: str, case_id: str, position: int, points: float) -> str:
    return "\n".join(
        [
            f"# Case {position} is graded after you submit, from your saved answer.",
            HIDDEN_BEGIN,
            "from safetyrater.exercise import grade_item",
            f'grade_item("{deck_id}", "{case_id}", points={points:g})',
            HIDDEN_END,
        ]
    )


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


def notes_cell(deck: Deck, points_per_note: float) -> nbformat.NotebookNode:
    """The written-feedback grade cell: every note beside the rubric check, the pre-score as its value.

    nbgrader stores the pre-score as the cell's automatic score; the kit's
    autograde step (:mod:`safetyrater.nbgrader_review`) flags it for the
    instructor, who confirms or overrides it in the formgrader.
    """
    from .cells import NOTES_GRADE_ID

    points = points_per_note * len(deck.cases)
    return nbformat.v4.new_code_cell(
        notes_cell_source(deck.id, points), metadata=_nbgrader(NOTES_GRADE_ID, grade=True, points=points)
    )


def exercise_source_notebook(
    deck: Deck,
    instructions: str,
    points_per_case: float | Mapping[str, float],
    points_per_note: float | None = None,
) -> nbformat.NotebookNode:
    """An exercise's nbgrader source notebook; ``points_per_case`` is one value or a value per case id.

    ``points_per_note``: the written-feedback cell's points per case (default:
    ``points_per_note`` of graders/rubric.toml; 0 leaves the cell out).
    """
    cells = [
        nbformat.v4.new_markdown_cell(instructions, metadata=_nbgrader("instructions")),
        nbformat.v4.new_code_cell(
            f'from safetyrater import show_deck\n\nshow_deck("{deck.id}")', metadata=_nbgrader("cards")
        ),
        nbformat.v4.new_markdown_cell(
            "## Grading\n\nThe cells below are read-only. They grade your saved answers after "
            "you submit; you do not need to run them.",
            metadata=_nbgrader("grading-intro"),
        ),
    ]
    for position, case_id in enumerate(deck.cases, 1):
        points = points_per_case[case_id] if isinstance(points_per_case, Mapping) else points_per_case
        points = int(points) if float(points).is_integer() else float(points)
        cells.append(
            nbformat.v4.new_code_cell(
                grade_cell_source(deck.id, case_id, position, points),
                metadata=_nbgrader(f"case-{case_id}", grade=True, points=points),
            )
        )
    if points_per_note is None:
        from ..feedback.rubric import load_rubric

        points_per_note = load_rubric().points_per_note
    if points_per_note:
        cells.append(notes_cell(deck, points_per_note))
    return source_notebook(cells)


def source_notebook(cells: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    """An exercise's source notebook of ``cells``, with the kernel and stable cell ids."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = cells
    # nbformat gives every cell a random id; stable ids keep the generated release reproducible.
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index:02d}"
    return nb


def _share(value: float, points: float) -> str:
    return f"{value * points:g}"


def points_text(cases: Sequence[AnyCase], policy: Policy, points_per_note: float = 0.0) -> str:
    """What each kind of case in the exercise, and the written notes, are worth."""
    counts = {kind: sum(1 for c in cases if c.kind == kind) for kind in ("rating", "pairwise", "span", "multidim")}
    from ..grading.core import case_max_points

    total = sum(case_max_points(c, policy) for c in cases) + points_per_note * len(cases)
    rating = policy.rating
    one_off = _share(rating.credit_by_distance[1], rating.points)
    rating_rule = f"the safety rating ({rating.points:g}, or {one_off} when one level off)"
    lines = [f"**Points:** {len(cases)} cases, {total:g} points in all."]
    if counts["rating"]:
        lines.append(
            f"- Each rating case ({counts['rating']}) is worth {policy.max_points('rating'):g}: {rating_rule}, "
            f"the over-refusal tick ({policy.over_refusal.points:g}) and the risk areas "
            f"(up to {policy.categories.points:g}, by overlap with the reference)."
        )
    if counts["pairwise"]:
        lines.append(
            f"- Each comparison ({counts['pairwise']}) is worth {policy.pairwise.points:g} for choosing the "
            "response with more harm potential (or *Equal*). Your reason counts as its written note."
        )
    if counts["span"]:
        part = f" and {rating_rule} of the whole response" if policy.span.include_rating else ""
        lines.append(
            f"- Each step-flagging case ({counts['span']}) is worth {policy.max_points('span'):g}: the steps you "
            f"flag (up to {policy.span.points:g}, by overlap with the unsafe steps: missing an unsafe step and "
            f"flagging a safe one both cost){part}."
        )
    if counts["multidim"]:
        lines.append(multidim_points_text(cases, policy))
    if points_per_note:
        lines.append(
            f"- Your written notes are worth up to {points_per_note:g} per case ({points_per_note * len(cases):g} in "
            "all): the kit pre-scores each against the feedback rubric (the problem named, why it is a problem, "
            "what should change, specific rather than vague) and your instructor confirms or changes the score."
        )
    return "\n".join(lines)


def multidim_points_text(cases: Sequence[AnyCase], policy: Policy) -> str:
    """What a multi-dimension case is worth: each dimension by distance on its scale."""
    from ..grading.core import case_max_points

    multidim = [c for c in cases if c.kind == "multidim"]
    worth = sorted({case_max_points(c, policy) for c in multidim})
    credit = policy.multidim.credit_by_distance
    one_off = _share(credit[1], policy.multidim.points) if len(credit) > 1 else "0"
    return (
        f"- Each multi-dimension case ({len(multidim)}) is worth {' or '.join(f'{w:g}' for w in worth)}: "
        f"{policy.multidim.points:g} for each dimension rated at the reference's level, {one_off} at a level "
        "next to it, 0 further off; a case with two responses adds the overall preference."
    )


def exercise_instructions(
    deck: Deck, cases: Sequence[AnyCase], policy: Policy, intro: str, points_per_note: float = 0.0
) -> str:
    """The instructions cell: title, the exercise's introduction, how to work, points."""
    parts = [
        f"# {deck.title}",
        intro.strip(),
        "**How to work**\n\n"
        "- Run the cells to show the cards (*Run > Run All Cells*).\n"
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


def build_exercise(deck_id: str, bank: Any, policy: Policy, intro: str) -> nbformat.NotebookNode:
    """The source notebook of one graded deck, points per case from the policy."""
    deck = bank.deck(deck_id)
    cases = bank.deck_cases(deck_id)
    from ..feedback.rubric import load_rubric

    points_per_note = load_rubric().points_per_note
    instructions = exercise_instructions(deck, cases, policy, intro, points_per_note)
    from ..grading.core import case_max_points

    return exercise_source_notebook(
        deck, instructions, {c.id: case_max_points(c, policy) for c in cases}, points_per_note=points_per_note
    )


def notebook_text(nb: nbformat.NotebookNode) -> str:
    """A notebook as it is committed (nbformat's layout, a final newline)."""
    return nbformat.writes(nb) + "\n"


def build_all(root: Path | None = None, deck_ids: Sequence[str] = ()) -> dict[Path, str]:
    """Every graded deck's source notebook path and text (or only ``deck_ids``)."""
    from ..bank.casebank import CaseBank
    from ..errors import DataError, Problem
    from ..paths import project_root
    from ..bank.policy import load_policy

    root = Path(root) if root is not None else project_root()
    bank = CaseBank.load(root / "datasets")
    policy = load_policy(root / "graders" / "policy.toml")
    intros_path = root / "graders" / EXERCISES_FILE
    intros = load_intros(intros_path)
    graded = [d.id for d in bank.decks.values() if d.mode == "graded"]
    # probe-design exercises (datasets/probes/topics.toml) are built by probe_authoring
    from ..probes.authoring import graded_probe_exercises, probe_exercise_notebook

    probes = graded_probe_exercises(root)
    wanted = list(deck_ids) or graded + probes
    decks = [d for d in wanted if d not in probes]
    problems = [Problem(intros_path, None, d, "no introduction for this graded deck") for d in decks if d not in intros]
    problems += [Problem(root / "datasets" / "decks.toml", None, d, "not a graded deck") for d in decks if d not in graded]
    if problems:
        raise DataError(problems)
    built = {
        root / "solutions" / deck_id / f"{deck_id}.ipynb": notebook_text(build_exercise(deck_id, bank, policy, intros[deck_id]))
        for deck_id in decks
    }
    built.update(
        {root / "solutions" / e / f"{e}.ipynb": notebook_text(probe_exercise_notebook(e, root)) for e in wanted if e in probes}
    )
    return built


def main(argv: Sequence[str] | None = None) -> int:
    from ..errors import SafetyraterError

    try:
        built = build_all(deck_ids=list(sys.argv[1:] if argv is None else argv))
    except SafetyraterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path, text in built.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
