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

:func:`safetyrater.nbgrader.authoring.build_all` builds these with the graded decks, so
``safetyrater build`` rebuilds every exercise. Each pair's cells are the probe kind's
(:meth:`safetyrater.kinds.probe.ProbeKind.grade_cells`).
"""

from __future__ import annotations

from pathlib import Path

from nbformat.notebooknode import NotebookNode

from ..kinds.probe import PROBE, exercise_pairs
from ..nbgrader.notebooks import exercise_head, notebook_cell, source_notebook
from ..paths import datasets_dir, graders_dir
from .data import RUBRIC_FILE, TOPICS_FILE, load_probe_course, load_probe_rubric, probes_dir

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
    datasets = datasets_dir(root) if root is not None else None
    if not (probes_dir(datasets) / TOPICS_FILE).exists():
        return []
    course = load_probe_course(datasets)
    return [e.id for e in course.exercises.values() if e.mode == "graded"]


def probe_exercise_notebook(exercise_id: str, root: Path | None = None) -> NotebookNode:
    """The source notebook of one probe exercise, from the topics file and the probe rubric."""
    course = load_probe_course(datasets_dir(root) if root is not None else None)
    rubric = load_probe_rubric(graders_dir(root) / RUBRIC_FILE if root is not None else None)
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
    cells = exercise_head(
        intro + "\n**Topics:**\n\n" + topics,
        f'from safetyrater.probe_card import show_probe_designer\n\nshow_probe_designer("{exercise.id}")',
        "designer",
        "The cells below are read-only. After you submit, each pair's first cell runs the "
        "automatic checks and prints your pair; your instructor then grades the rest with the rubric.",
    )
    for pair in exercise_pairs(exercise):
        grade_cells = PROBE.grade_cells(exercise.id, pair, pair.number, rubric.check_points, rubric=rubric)
        cells += [notebook_cell(cell) for cell in grade_cells]
    return source_notebook(cells)
