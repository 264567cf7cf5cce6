"""Are the exercises' source notebooks what the authoring tool builds from the decks and the policy?"""

from __future__ import annotations

import json
import shutil

import pytest

from safetyrater.nbgrader.authoring import build_all, build_exercise, load_intros, main
from safetyrater.errors import DataError

from conftest import REPO


def test_every_solution_notebook_is_what_authoring_builds():
    """After editing decks, policy or graders/exercises.toml, run `safetyrater build`."""
    built = build_all(REPO)
    committed = sorted((REPO / "solutions").glob("*/*.ipynb"))
    assert sorted(built) == committed
    for path, text in built.items():
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: run safetyrater build"


def test_every_graded_deck_has_an_introduction_and_every_introduction_a_deck(bank):
    intros = load_intros(REPO / "graders" / "exercises.toml")
    assert set(intros) == {d.id for d in bank.decks.values() if d.mode == "graded"}


def test_grade_cells_are_worth_the_policy_maximum_of_their_kind(mixed_bank, policy):
    nb = build_exercise("ex01-fx-mixed", mixed_bank, policy, "Intro.")
    cells = [c for c in nb.cells if c.metadata["nbgrader"]["grade"]]
    points = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"] for c in cells}
    # one point per written note (graders/rubric.toml), three cases
    assert points == {"case-fx-rating-ex": 3, "case-fx-pair-ex": 1, "case-fx-span-ex": 2, "written-feedback": 3}
    assert 'grade_item("ex01-fx-mixed", "fx-span-ex", points=2)' in cells[2].source
    instructions = nb.cells[0].source
    assert instructions.startswith("# Fixture exercise: every kind of card\n\nIntro.")
    assert "3 cases, 9 points in all" in instructions
    assert "written notes are worth up to 1 per case (3 in all)" in instructions
    assert "Each comparison (1) is worth 1" in instructions
    assert "Each step-flagging case (1) is worth 2" in instructions
    assert "Show this case" in instructions  # the span case has a content warning


@pytest.fixture
def course_copy(tmp_path, mixed_root):
    """A writable copy of the mixed-kinds course."""
    return shutil.copytree(mixed_root, tmp_path / "course")


def test_a_graded_deck_without_an_introduction_is_named(course_copy):
    mixed_root = course_copy
    (mixed_root / "graders" / "exercises.toml").write_text('[ex-other]\nintro = "x"\n')
    with pytest.raises(DataError) as info:
        build_all(mixed_root)
    message = str(info.value)
    assert "exercises.toml: ex01-fx-mixed: no introduction for this graded deck" in message


def test_the_command_writes_the_source_notebook(course_copy, monkeypatch, capsys):
    mixed_root = course_copy
    monkeypatch.setenv("SAFETYRATER_ROOT", str(mixed_root))
    (mixed_root / "graders" / "exercises.toml").write_text('[ex01-fx-mixed]\nintro = "Compare and flag."\n')
    assert main(["ex01-fx-mixed"]) == 0
    written = mixed_root / "solutions" / "ex01-fx-mixed" / "ex01-fx-mixed.ipynb"
    assert "".join(json.loads(written.read_text())["cells"][0]["source"]).startswith("# Fixture exercise")
    assert main(["lesson-01-fx-mixed"]) == 1
    assert "not a graded deck" in capsys.readouterr().err


def test_an_exercise_ends_with_one_written_feedback_cell_worth_a_point_per_note(bank):
    from safetyrater.nbgrader.authoring import exercise_source_notebook
    from safetyrater.nbgrader.cells import NOTES_GRADE_ID

    deck = next(d for d in bank.decks.values() if d.mode == "graded")
    nb = exercise_source_notebook(deck, bank.deck_cases(deck.id), "# Exercise", 3)
    last = nb.cells[-1]
    meta = last.metadata["nbgrader"]
    assert (meta["grade_id"], meta["grade"], meta["solution"], meta["points"]) == (NOTES_GRADE_ID, True, False, len(deck.cases))
    assert f'grade_notes("{deck.id}", points={len(deck.cases)})' in last.source
    assert last.source.index("### BEGIN HIDDEN TESTS") < last.source.index("grade_notes")


def test_points_per_note_zero_leaves_the_cell_out(bank):
    from safetyrater.nbgrader.authoring import exercise_source_notebook
    from safetyrater.nbgrader.cells import NOTES_GRADE_ID

    deck = next(d for d in bank.decks.values() if d.mode == "graded")
    nb = exercise_source_notebook(deck, bank.deck_cases(deck.id), "# Exercise", 3, points_per_note=0)
    assert all(c.metadata["nbgrader"]["grade_id"] != NOTES_GRADE_ID for c in nb.cells)
