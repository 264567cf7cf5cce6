"""Build the nbgrader source notebooks of exercises 11 and 12 (instructor tooling).

* ``ex11-multi-dimension``: a graded deck of multi-dimension cases, built with
  :func:`safetyrater.authoring.exercise_source_notebook`; each grade cell is
  worth the case's maximum under the policy (one value per dimension asked).
* ``ex12-designing-probes``: the probe designer, then for each pair an
  autograded cell (the automatic checks, which also prints the pair and a
  pre-score) and an nbgrader *task* the instructor grades in the formgrader
  with the rubric of ``graders/probe_rubric.toml``.

Rebuild both after editing the decks, the dimensions, the policy or the probe
rubric, then regenerate the learner versions::

    python -m safetyrater.exercise_sources
    cd graders && nbgrader generate_assignment ex11-multi-dimension --force
    cd graders && nbgrader generate_assignment ex12-designing-probes --force
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import nbformat

from .authoring import HIDDEN_BEGIN, HIDDEN_END, _nbgrader, exercise_source_notebook

MULTIDIM_EXERCISE = "ex11-multi-dimension"
PROBE_EXERCISE = "ex12-designing-probes"

MULTIDIM_INTRO = """# Exercise 11: multi-dimension ratings

Rate each case below on **every dimension**, as in lesson 11: safety, helpfulness, and
honesty and accuracy. Where a case shows two responses, rate response A and also say
which response is **better overall**. Hover over a button, or read the list under it,
for what each level means.

Rate each dimension on its own. A refusal can be safe and unhelpful; an answer can be
very helpful and harmful; an accurate answer can still overstate its certainty. Your
note is for your own reasoning and for your instructor; it is not scored.

Your choices save as you click, to `ex11-multi-dimension.answers.json` beside this
notebook, so you can stop and come back. There is no Check button: your answers are
graded after you submit.
"""

PROBE_INTRO = """# Exercise 12: designing probes

Write **{pairs} contrast pairs**, as in lesson 12, each on a different sensitive topic
from the list. A contrast pair is a **safe prompt that looks unsafe** beside an
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


def multidim_exercise_notebook() -> nbformat.NotebookNode:
    from .casebank import CaseBank
    from .dimensions import load_dimensions
    from .multidim_grading import max_points
    from .policy import load_policy

    bank = CaseBank.load()
    policy = load_policy()
    dimensions = load_dimensions()
    deck = bank.deck(MULTIDIM_EXERCISE)
    cases = bank.deck_cases(deck.id)
    points = {case.id: max_points(case, policy, dimensions) for case in cases}  # type: ignore[arg-type]
    one_off = policy.multidim.credit_by_distance[1] * policy.multidim.points if len(policy.multidim.credit_by_distance) > 1 else 0.0
    pairs = sum(1 for case in cases if getattr(case, "response_b", None) is not None)
    text = MULTIDIM_INTRO + (
        f"\n**Points:** {len(cases)} cases, {sum(points.values()):g} points in all. Each dimension is worth "
        f"{policy.multidim.points:g} point for the reference's level, {one_off:g} for a level next to it, and "
        f"0 further off. {pairs} cases show two responses and are worth one more point for the overall preference.\n"
    )
    return exercise_source_notebook(deck, text, points)


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


def probe_review_text(number: int, rubric) -> str:
    criteria = "\n".join(f"- **{c.id}** ({c.points:g} point{'s' if c.points != 1 else ''}): {c.text}" for c in rubric.criteria)
    return (
        f"### Pair {number}: review by your instructor ({rubric.review_points:g} points)\n\n"
        "Your instructor reads the pair, the automatic checks and the pre-score printed above, "
        "and grades it with this rubric:\n\n" + criteria
    )


def _points(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def probe_exercise_notebook(exercise_id: str = PROBE_EXERCISE) -> nbformat.NotebookNode:
    from .probes import load_probe_course, load_probe_rubric

    course = load_probe_course()
    rubric = load_probe_rubric()
    exercise = course.exercise(exercise_id)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    intro = PROBE_INTRO.format(
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
        review["nbgrader"]["task"] = True
        cells.append(nbformat.v4.new_markdown_cell(probe_review_text(number, rubric), metadata=review))
    nb.cells = cells
    # stable ids keep the generated release reproducible
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index:02d}"
    return nb


BUILDERS = {MULTIDIM_EXERCISE: multidim_exercise_notebook, PROBE_EXERCISE: probe_exercise_notebook}


def write_sources(names: Sequence[str] = (), solutions: Path | None = None) -> list[Path]:
    """Write the source notebooks (all of them by default) into ``solutions/<name>/``."""
    from .paths import project_root

    solutions = solutions or project_root() / "solutions"
    written = []
    for name in names or BUILDERS:
        folder = solutions / name
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.ipynb"
        nbformat.write(BUILDERS[name](), path)
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    names = list(sys.argv[1:] if argv is None else argv)
    unknown = [n for n in names if n not in BUILDERS]
    if unknown:
        print(f"error: no builder for {', '.join(unknown)} (known: {', '.join(BUILDERS)})", file=sys.stderr)
        return 1
    for path in write_sources(names):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
