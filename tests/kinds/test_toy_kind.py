"""Is a new kind of case one module? A kind defined in the tests is validated, shown, graded, explained and authored."""

from __future__ import annotations

import json
import shutil

import pytest

from safetyrater.bank.casebank import CaseBank
from safetyrater.bank.policy import load_policy
from safetyrater.bank.validate import validate_paths
from safetyrater.grading.core import case_max_points, point_parts, score_deck
from safetyrater.grading.explain import summary_lines
from safetyrater.kinds import register, unregister
from safetyrater.nbgrader.authoring import exercise_instructions, exercise_source_notebook
from safetyrater.widgets.deck import DeckView

from conftest import REPO
from support.toy_kind import REFUSES, RefusesCard

RATIONALE = "It declines outright and offers nothing in place of the help that was asked for."
CASES = [
    {"id": "toy-1", "kind": "refuses", "prompt": "How do I kill a Python process?", "response": "I can't help with killing.",
     "reference_refuses": "yes", "categories": ["cyber-harm"], "difficulty": "easy", "rationale": RATIONALE, "module": 1},
    {"id": "toy-2", "kind": "refuses", "prompt": "How do I kill a Python process?", "response": "Use kill -9 PID.",
     "reference_refuses": "no", "categories": ["cyber-harm"], "difficulty": "easy", "rationale": RATIONALE, "module": 1,
     "use": "exercise"},
]
DECKS = """
[deck.lesson-01-toy]
title = "Toy lesson"
mode = "practice"
cases = ["toy-1"]

[deck.ex01-toy]
title = "Toy exercise"
mode = "graded"
cases = ["toy-2"]
"""


@pytest.fixture
def toy_course(tmp_path):
    """A course whose bank holds only cases of the toy kind, with the kind registered for the test."""
    register(REFUSES)
    root = tmp_path / "course"
    (root / "datasets" / "cases").mkdir(parents=True)
    shutil.copy(REPO / "datasets" / "taxonomy.toml", root / "datasets" / "taxonomy.toml")
    (root / "datasets" / "cases" / "toy.jsonl").write_text("".join(json.dumps(c) + "\n" for c in CASES))
    (root / "datasets" / "decks.toml").write_text(DECKS)
    shutil.copytree(REPO / "graders", root / "graders", ignore=shutil.ignore_patterns("cohort"))
    yield root
    unregister(REFUSES.name)


def test_the_bank_validates_cases_of_the_new_kind(toy_course):
    bank = CaseBank.load(toy_course / "datasets")
    assert [c.kind for c in bank.cases.values()] == ["refuses", "refuses"]
    bad = toy_course / "datasets" / "cases" / "bad.jsonl"
    bad.write_text(json.dumps({**CASES[0], "id": "toy-3", "reference_refuses": "maybe"}) + "\n")
    problems, _ = validate_paths([bad])
    assert [str(p) for p in problems] == [f"{bad}:1: reference_refuses: Input should be 'yes' or 'no'"]


def test_a_deck_shows_the_new_kind_as_its_card_and_saves_and_checks_it(toy_course, tmp_path):
    bank = CaseBank.load(toy_course / "datasets")
    view = DeckView(bank, bank.deck("lesson-01-toy"), tmp_path)
    card = view.cards[0]
    assert isinstance(card, RefusesCard)
    card.answer.value = "no"
    saved = json.loads((tmp_path / "lesson-01-toy.answers.json").read_text())
    assert saved["answers"]["toy-1"] == {"refuses": "no", "updated": saved["answers"]["toy-1"]["updated"]}
    assert "1 of 1 cases answered" in view.header.value
    result = card.check()
    assert result is not None and result["points"] == 0.0
    assert "Missed a refusal" in card.feedback.value and "Reference: refuses <b>yes</b>" in card.feedback.value


def test_a_graded_deck_shows_the_new_kind_without_its_reference(toy_course, tmp_path):
    bank = CaseBank.load(toy_course / "datasets")
    card = DeckView(bank, bank.deck("ex01-toy"), tmp_path).cards[0]
    assert not hasattr(card.case, "reference_refuses") and not hasattr(card.case, "rationale")
    assert card.check() is None


def test_the_grading_core_scores_and_explains_the_new_kind(toy_course):
    bank = CaseBank.load(toy_course / "datasets")
    policy = load_policy(toy_course / "graders" / "policy.toml")
    cases = list(bank.cases.values())
    scores = score_deck({"toy-1": {"refuses": "yes"}, "toy-2": {"refuses": "yes"}}, cases, policy)
    assert scores["points"].tolist() == [1.0, 0.0]
    assert scores["mistakes"].tolist() == [(), ("saw-refusal",)]
    assert point_parts(scores.iloc[0].to_dict()) == {"refuses_points": 1.0}
    assert case_max_points(cases[0], policy) == 1.0
    hidden = summary_lines(scores.iloc[1].to_dict(), cases[1], reveal=False)
    assert hidden == ["Case toy-2: 0 / 1 points", "  refuses: you said yes, 0 point(s)", "  mistakes: saw a refusal that is not there"]
    shown = summary_lines(scores.iloc[1].to_dict(), cases[1], reveal=True)
    assert "reference no" in shown[1] and shown[-1] == f"  why: {RATIONALE}"


def test_an_exercise_of_the_new_kind_gets_a_grade_cell_worth_its_points(toy_course):
    bank = CaseBank.load(toy_course / "datasets")
    policy = load_policy(toy_course / "graders" / "policy.toml")
    deck, cases = bank.deck("ex01-toy"), bank.deck_cases("ex01-toy")
    instructions = exercise_instructions(deck, cases, policy, "Intro.")
    assert "- Each refuses case (1) is worth 1." in instructions
    nb = exercise_source_notebook(deck, cases, instructions, 1, points_per_note=0)
    grade = [c for c in nb.cells if c.metadata["nbgrader"]["grade"]]
    assert [c.metadata["nbgrader"]["grade_id"] for c in grade] == ["case-toy-2"]
    assert 'grade_item("ex01-toy", "toy-2", points=1)' in grade[0].source
