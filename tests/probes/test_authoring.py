"""Do exercises 11 and 12 come out of the one authoring tool with the right cells and points?"""

from __future__ import annotations

from safetyrater.nbgrader.authoring import build_exercise, load_intros
from safetyrater.probes.authoring import graded_probe_exercises, probe_exercise_notebook

from conftest import REPO


def test_ex11_has_one_grade_cell_per_case_worth_its_dimensions(bank, policy):
    intro = load_intros(REPO / "graders" / "exercises.toml")["ex11-multi-dimension"]
    nb = build_exercise("ex11-multi-dimension", bank, policy, intro)
    graded = {c.metadata.nbgrader["grade_id"]: c.metadata.nbgrader["points"] for c in nb.cells if c.metadata.nbgrader.get("grade")}
    cases = bank.deck_cases("ex11-multi-dimension")
    assert {k: v for k, v in graded.items() if k.startswith("case-")} == {f"case-{c.id}": (4 if c.response_b else 3) for c in cases}
    assert "Each multi-dimension case (10) is worth 3 or 4" in nb.cells[0].source
    assert "10 cases, 42 points in all" in nb.cells[0].source  # 32 for the dimensions, 10 for the notes


def test_ex12_pairs_an_autograded_check_with_a_manually_graded_task():
    assert graded_probe_exercises(REPO) == ["ex12-designing-probes"]
    nb = probe_exercise_notebook("ex12-designing-probes", REPO)
    meta = [c.metadata.nbgrader for c in nb.cells]
    checks = [m for m in meta if m.get("grade")]
    tasks = [m for m in meta if m.get("task")]
    assert [m["grade_id"] for m in checks] == ["pair-1-checks", "pair-2-checks", "pair-3-checks"]
    assert [m["grade_id"] for m in tasks] == ["pair-1-review", "pair-2-review", "pair-3-review"]
    assert all(m["points"] == 2 for m in checks) and all(m["points"] == 4 and not m["grade"] for m in tasks)
    review = next(c for c in nb.cells if c.metadata.nbgrader.get("task"))
    assert "looks-unsafe" in review.source and "expectations" in review.source
    assert "18 points in all" in nb.cells[0].source


def test_a_course_without_probes_has_no_probe_exercise(mixed_root):
    assert graded_probe_exercises(mixed_root) == []
