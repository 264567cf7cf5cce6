"""Are the committed sources of exercises 11 and 12 what the builders make from today's data?"""

from __future__ import annotations

import nbformat
import pytest

from safetyrater.exercise_sources import BUILDERS, main

from conftest import REPO


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_committed_source_is_what_the_builder_makes(name):
    committed = nbformat.read(REPO / "solutions" / name / f"{name}.ipynb", as_version=4)
    assert nbformat.writes(BUILDERS[name]()) == nbformat.writes(committed), (
        f"solutions/{name} is out of date: run python -m safetyrater.exercise_sources, then regenerate exercises/"
    )


def test_ex11_has_one_grade_cell_per_case_worth_its_dimensions(bank):
    nb = BUILDERS["ex11-multi-dimension"]()
    graded = {c.metadata.nbgrader["grade_id"]: c.metadata.nbgrader["points"] for c in nb.cells if c.metadata.nbgrader.get("grade")}
    cases = bank.deck_cases("ex11-multi-dimension")
    assert graded == {f"case-{c.id}": (4 if c.response_b else 3) for c in cases}


def test_ex12_pairs_an_autograded_check_with_a_manually_graded_task():
    nb = BUILDERS["ex12-designing-probes"]()
    meta = [c.metadata.nbgrader for c in nb.cells]
    checks = [m for m in meta if m.get("grade")]
    tasks = [m for m in meta if m.get("task")]
    assert [m["grade_id"] for m in checks] == ["pair-1-checks", "pair-2-checks", "pair-3-checks"]
    assert [m["grade_id"] for m in tasks] == ["pair-1-review", "pair-2-review", "pair-3-review"]
    assert all(m["points"] == 2 for m in checks) and all(m["points"] == 4 for m in tasks)
    review = next(c for c in nb.cells if c.metadata.nbgrader.get("task"))
    assert "looks-unsafe" in review.source and "expectations" in review.source


def test_the_builder_command_names_an_unknown_exercise(capsys):
    assert main(["ex99-nothing"]) == 1
    assert "no builder for ex99-nothing" in capsys.readouterr().err
