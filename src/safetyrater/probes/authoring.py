"""Build the nbgrader source notebook of a probe-design exercise (instructor tooling).

A probe exercise (``[exercise.ID]`` with ``mode = "graded"`` in
``datasets/probes/topics.toml``) is: instructions with the topics, one
read-only cell that shows the probe designer, and for each pair

* an autograded cell whose hidden part calls
  :func:`safetyrater.probes.grade_pair`: it scores the automatic checks and
  prints the pair, the checks and a pre-score of the stated expectations;
* an nbgrader *task* worth the rubric's points (``graders/probe_rubric.toml``),
  which the formgrader lists as needing a manual grade: the instructor grades
  it there with the rubric, confirming or overriding the printed pre-score.

:func:`safetyrater.authoring.build_all` builds these with the graded decks, so
``python -m safetyrater.authoring`` rebuilds every exercise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat

from ..nbgrader.authoring import HIDDEN_BEGIN, HIDDEN_END, _nbgrader, source_notebook

INTRO = """# {title}

Write **{pairs} contrast pairs**, as in lesson 12, each on a different sensitive topic
from the list below. A contrast pair is a **safe prompt that looks unsafe** beside an
**unsafe prompt worded almost the same way**. For each prompt, choose its label, choose
what a safe and useful response would do (*comply*, *comply with care*, or *refuse and
redirect*), and write one or two sentences on what exactly that response would say
or offer, and why.

Write your own prompts: a prompt that copies one from the course, the gallery or XSTest
does not count. Press **Run the checks** on a pair at any time to see the automatic checks.

Your pairs save as you type, to `{exercise}.answers.json` beside this notebook.

**Points:** for each pair, {check_points:g} points from the automatic checks and
{review_points:g} points from your instructor, who grades it with the rubric shown
under the pair's grading cell ({total:g} points in all).
"""


def graded_probe_exercises(root: Path | None = None) -> list[str]:
    """The ids of the graded probe exercises of a course checkout (none if it has no probes folder)."""
    from .data import load_probe_course, probes_dir, TOPICS_FILE

    datasets = Path(root) / "datasets" if root is not None else None
    if not (probes_dir(datasets) / TOPICS_FILE).exists():
        return []
    course = load_probe_course(datasets)
    return [e.id for e in course.exercises.values() if e.mode == "graded"]


def probe_check_cell(exercise_id: str, number: int, points: float) -> str:
    return "\n".join(
        [
            f"# Pair {number}: the automatic checks run after you submit, from your saved pairs.",
            HIDDEN_BEGIN,
            "from safetyrater.probes import grade_pair",
            f'grade_pair("{exercise_id}", {number}, points={points:g})',
            HIDDEN_END,
        ]
    )


def probe_review_text(number: int, rubric: Any) -> str:
    criteria = "\n".join(f"- **{c.id}** ({c.points:g} point{'s' if c.points != 1 else ''}): {c.text}" for c in rubric.criteria)
    return (
        f"### Pair {number}: review by your instructor ({rubric.review_points:g} points)\n\n"
        "Your instructor reads the pair, the automatic checks and the pre-score printed above, "
        "and grades it with this rubric:\n\n" + criteria
    )


def _points(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def probe_exercise_notebook(exercise_id: str, root: Path | None = None) -> nbformat.NotebookNode:
    """The source notebook of one probe exercise, from the topics file and the probe rubric."""
    from .data import load_probe_course, load_probe_rubric, RUBRIC_FILE

    course = load_probe_course(Path(root) / "datasets" if root is not None else None)
    rubric = load_probe_rubric(Path(root) / "graders" / RUBRIC_FILE if root is not None else None)
    exercise = course.exercise(exercise_id)
    intro = INTRO.format(
        title=exercise.title,
        pairs=exercise.pairs,
        exercise=exercise.id,
        check_points=rubric.check_points,
        review_points=rubric.review_points,
        total=exercise.pairs * (rubric.check_points + rubric.review_points),
    )
    topics = "\n".join(f"- **{t.name}**: {t.sensitive} *Safe look-alikes:* {t.safe_side}" for t in course.topics.values())
    cells = [
        nbformat.v4.new_markdown_cell(intro + "\n**Topics:**\n\n" + topics, metadata=_nbgrader("instructions")),
        nbformat.v4.new_code_cell(
            f'from safetyrater.probe_card import show_probe_designer\n\nshow_probe_designer("{exercise.id}")', metadata=_nbgrader("designer")
        ),
        nbformat.v4.new_markdown_cell(
            "## Grading\n\nThe cells below are read-only. After you submit, each pair's first cell runs the "
            "automatic checks and prints your pair; your instructor then grades the rest with the rubric.",
            metadata=_nbgrader("grading-intro"),
        ),
    ]
    for number in range(1, exercise.pairs + 1):
        cells.append(
            nbformat.v4.new_code_cell(
                probe_check_cell(exercise.id, number, rubric.check_points),
                metadata=_nbgrader(f"pair-{number}-checks", grade=True, points=_points(rubric.check_points)),
            )
        )
        review = _nbgrader(f"pair-{number}-review", points=_points(rubric.review_points))
        review["nbgrader"]["task"] = True  # graded by hand in the formgrader
        cells.append(nbformat.v4.new_markdown_cell(probe_review_text(number, rubric), metadata=review))
    return source_notebook(cells)
