"""Grades can't be gamed and keys don't leak: adversarial learners through nbgrader and the fast lane.

One nbgrader course, exercise 1 released, one ``autograde`` and one
``generate_feedback`` call over many learners. Each adversary hands in the
answers of an honest learner (ivy) plus one attack; each must get ivy's grade.
"""

from __future__ import annotations

import copy
import csv
import html
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from conftest import REPO
from support.nbgrader_course import make_course, nbgrader

pytestmark = pytest.mark.slow

EXERCISE = "ex01-two-questions"
NOTEBOOK = f"{EXERCISE}.ipynb"

PATCH_GRADER = (
    "import safetyrater.exercise as e, safetyrater.nbgrader.cells as c, safetyrater.grading.core as g\n"
    "e.grade_item = c.grade_item = lambda *a, **k: 3.0\n"
    "e.grade_notes = c.grade_notes = lambda *a, **k: 8.0\n"
    "g.score_case = c.score_case = lambda *a, **k: {'points': 3, 'max_points': 3}\n"
)
REWRITE_ANSWERS = (
    "import json\n"
    "from safetyrater.bank.casebank import CaseBank\n"
    "bank = CaseBank.load()\n"
    "answers = {c.id: {'rating': c.reference_rating, 'over_refusal': c.over_refusal, 'categories': list(c.categories), 'note': c.rationale}\n"
    f"           for c in bank.deck_cases({EXERCISE!r})}}\n"
    f"open({EXERCISE + '.answers.json'!r}, 'w').write(json.dumps({{'format': 1, 'exercise': {EXERCISE!r}, 'answers': answers}}))\n"
)
SHADOW_MODULE = "def grade_item(*a, **k):\n    return 3.0\n\ndef grade_notes(*a, **k):\n    return 8.0\n"


def honest_answers(cases) -> dict:
    """Half the ratings right, half one level off, no notes: well below full marks."""
    from conftest import perfect_answers

    one_off = {"safe": "risky", "risky": "harmful", "harmful": "risky"}
    answers = perfect_answers(cases)
    for case in cases[::2]:
        answers[case.id]["rating"] = one_off[answers[case.id]["rating"]]
    return answers


def _code(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source)


def _grade_cells(nb) -> list:
    return [c for c in nb.cells if (c.metadata.get("nbgrader") or {}).get("grade")]


def attack_notebooks(released: Path) -> dict[str, nbformat.NotebookNode]:
    """Each adversary's notebook: the released one, changed by the attack."""
    plain = nbformat.read(released, as_version=4)
    attacks = {}

    nb = copy.deepcopy(plain)  # redefines the kit's grading functions in an earlier cell
    nb.cells.insert(2, _code(PATCH_GRADER))
    attacks["mallory-patch"] = nb

    nb = copy.deepcopy(plain)  # edits some grade cells to return full marks, deletes another
    cells = _grade_cells(nb)
    cells[0].source = "3.0"
    cells[1].source = "print(3.0)\n3.0"
    cells[-1].source = "8.0"
    nb.cells.remove(cells[2])
    attacks["mallory-edit"] = nb

    nb = copy.deepcopy(plain)  # prints numbers, writes score variables
    nb.cells.insert(2, _code("score = points = total = 1000\nprint('Case core-009: 3 / 3 points')\nprint(3.0)\n3.0"))
    nb.cells.append(_code("score = 1000\nprint('Total: 32 / 32')"))
    attacks["mallory-print"] = nb

    nb = copy.deepcopy(plain)  # at grading time, writes the key into the answer file
    nb.cells.insert(2, _code(REWRITE_ANSWERS))
    attacks["mallory-rewrite"] = nb

    nb = copy.deepcopy(plain)  # removes the grade metadata of a grade cell and replaces its code
    cell = _grade_cells(nb)[0]
    cell.metadata.pop("nbgrader")
    cell.source = "3.0"
    attacks["mallory-unmark"] = nb
    return attacks


@pytest.fixture(scope="module")
def adversarial_course(tmp_path_factory):
    """Released course; honest ivy and the adversaries submit; one autograde and one feedback run."""
    from safetyrater.bank.casebank import CaseBank

    course = make_course(tmp_path_factory.mktemp("adversaries"))
    nbgrader(course, "generate_assignment", EXERCISE, "--force")
    cases = CaseBank.load(REPO / "datasets").deck_cases(EXERCISE)
    answers = honest_answers(cases)
    submitted = course / "graders" / "cohort" / "submitted"

    def submit(learner: str, notebook=None, answer_document: dict | None = None) -> Path:
        folder = submitted / learner / EXERCISE
        shutil.copytree(course / "exercises" / EXERCISE, folder)
        if notebook is not None:
            nbformat.write(notebook, folder / NOTEBOOK)
        document = answer_document or {"format": 1, "exercise": EXERCISE, "answers": answers}
        (folder / f"{EXERCISE}.answers.json").write_text(json.dumps(document))
        return folder

    submit("ivy")
    for learner, notebook in attack_notebooks(course / "exercises" / EXERCISE / NOTEBOOK).items():
        submit(learner, notebook)
    forged = {
        "format": 1, "exercise": EXERCISE, "points": 999, "score": 999, "max_score": 1,
        "answers": {cid: {**a, "points": 999, "max_points": 0, "score": 1.0, "reference_rating": a["rating"]} for cid, a in answers.items()},
    }
    submit("mallory-forge", answer_document=forged)
    shadow = submit("mallory-shadow")
    (shadow / "safetyrater").mkdir()
    (shadow / "safetyrater" / "__init__.py").write_text("")
    (shadow / "safetyrater" / "exercise.py").write_text(SHADOW_MODULE)
    (shadow / "sitecustomize.py").write_text("import builtins\nbuiltins.SCORE = 1000\n")

    # something outside the course a '../' learner id would reach
    outside = course.parent / "outside" / EXERCISE
    outside.mkdir(parents=True)
    (outside / f"{EXERCISE}.answers.json").write_text(json.dumps({"format": 1, "exercise": EXERCISE, "answers": answers}))

    nbgrader(course, "autograde", EXERCISE, "--create")
    nbgrader(course, "generate_feedback", EXERCISE)
    nbgrader(course, "export")
    return course, cases, answers


def _nbgrader_scores(course: Path) -> dict[str, float]:
    with open(course / "grades.csv", newline="") as handle:
        return {row["student_id"]: float(row["score"]) for row in csv.DictReader(handle) if row["assignment"] == EXERCISE}


ADVERSARIES = ["mallory-patch", "mallory-edit", "mallory-print", "mallory-rewrite", "mallory-unmark", "mallory-forge", "mallory-shadow"]


def _honest_points(cases, answers) -> float:
    from safetyrater.grading.core import score_deck
    from safetyrater.bank.policy import load_policy

    return float(score_deck(answers, cases, load_policy(REPO / "graders" / "policy.toml"))["points"].sum())


@pytest.mark.parametrize("adversary", ADVERSARIES)
def test_nbgrader_gives_an_adversary_the_grade_their_answers_deserve(adversarial_course, adversary):
    """Does each attack on the notebook or the answer file leave nbgrader's grade at the honest one?"""
    course, cases, answers = adversarial_course
    scores = _nbgrader_scores(course)
    honest = _honest_points(cases, answers)
    assert 0 < honest < 24
    assert scores["ivy"] == honest  # no notes: the written-feedback cell scores 0
    assert scores[adversary] == honest, f"{adversary} got {scores[adversary]}, the answers deserve {honest}"


def test_a_learners_own_cells_do_not_run_and_their_files_are_not_imported(adversarial_course):
    from safetyrater.nbgrader.preprocessors import NOT_RUN

    course = adversarial_course[0]
    autograded = course / "graders" / "cohort" / "autograded"
    patched = nbformat.read(autograded / "mallory-patch" / EXERCISE / NOTEBOOK, as_version=4)
    assert any(cell.source == NOT_RUN for cell in patched.cells)
    assert not any("e.grade_item = " in cell.source for cell in patched.cells)
    # the grade cell the learner deleted came back and graded the answers
    edited = nbformat.read(autograded / "mallory-edit" / EXERCISE / NOTEBOOK, as_version=4)
    assert len(_grade_cells(edited)) == len(_grade_cells(nbformat.read(course / "exercises" / EXERCISE / NOTEBOOK, as_version=4)))
    shadow = autograded / "mallory-shadow" / EXERCISE
    assert (shadow / "safetyrater.not-run").is_dir() and (shadow / "sitecustomize.py.not-run").is_file()
    # the learner's submitted folder itself is left as handed in
    assert (course / "graders" / "cohort" / "submitted" / "mallory-shadow" / EXERCISE / "sitecustomize.py").is_file()
    # the answer file the rewriting cell would have replaced is the learner's own
    rewritten = json.loads((autograded / "mallory-rewrite" / EXERCISE / f"{EXERCISE}.answers.json").read_text())
    assert rewritten["answers"] == adversarial_course[2]


def test_the_fast_lane_gives_every_adversary_the_same_grade_and_reads_nothing_outside(adversarial_course):
    """Does the fast lane agree with nbgrader for every adversary and skip a '../' learner id?"""
    from safetyrater.cohort.grade import grade_course

    course, cases, answers = adversarial_course
    honest = _honest_points(cases, answers)
    learners = ["ivy", *ADVERSARIES, "../../outside", "..", "ivy/../../outside"]
    grades = grade_course(course, exercises=[EXERCISE], learners=learners, progress=False)
    points = dict(zip(grades.submissions["learner"], grades.submissions["points"]))
    assert {learner: points[learner] for learner in ["ivy", *ADVERSARIES]} == {learner: honest for learner in ["ivy", *ADVERSARIES]}
    assert not any("outside" in learner or learner == ".." for learner in points)
    named = "\n".join(str(p) for p in grades.problems)
    assert "'../../outside'" in named and "'..'" in named and "skipped" in named
    # nothing was written beside the planted file outside the course
    assert sorted(p.name for p in (course.parent / "outside" / EXERCISE).iterdir()) == [f"{EXERCISE}.answers.json"]


def test_a_learner_folder_that_links_outside_the_course_is_skipped(adversarial_course, tmp_path):
    from safetyrater.cohort.grade import grade_course

    course = adversarial_course[0]
    link = course / "graders" / "cohort" / "submitted" / "zed-link"
    link.symlink_to(course.parent / "outside", target_is_directory=True)
    try:
        grades = grade_course(course, exercises=[EXERCISE], progress=False)
    finally:
        link.unlink()
    assert "zed-link" not in set(grades.submissions["learner"])
    assert any("zed-link" in str(p) and "outside" in str(p) for p in grades.problems)


# No key leaks ---------------------------------------------------------------------------------


def _hidden_cases():
    from safetyrater.bank.casebank import CaseBank

    bank = CaseBank.load(REPO / "datasets")
    return [case for case in bank.cases.values() if case.use in ("exercise", "assessment")]


def _leaks(text: str, hidden) -> list[str]:
    """Key material of hidden cases found in ``text``."""
    plain = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())
    found = []
    for marker in ("BEGIN HIDDEN TESTS", "grade_item(", "grade_notes("):
        if marker in text:
            found.append(marker)
    for case in hidden:
        rationale = " ".join(case.rationale.split())
        if rationale[:80] in plain:
            found.append(f"rationale of {case.id}")
    return found


def test_no_key_reaches_the_release_the_feedback_or_a_learner_environment(adversarial_course, tmp_path):
    """Release, nbgrader's feedback and the learner copy: is any reference, rationale or hidden test of a graded or assessment case in them?"""
    from safetyrater.deploy.learnerkit import build_learner_kit

    course = adversarial_course[0]
    hidden = _hidden_cases()
    assert len(hidden) > 100
    hidden_ids = {case.id for case in hidden}
    places = {
        # the committed release, which tests/test_nbgrader_cycle.py proves is what generate_assignment makes
        "release": sorted((REPO / "exercises").rglob("*.ipynb")) + sorted((course / "exercises").rglob("*.ipynb")),
        "feedback": sorted((course / "graders" / "cohort" / "feedback").rglob("*.html")),
    }
    # what a learner's environment receives: the learner kit (safetyrater hub kit) and the release
    learner_copy = build_learner_kit(tmp_path / "learner", REPO).path
    places["learner environment"] = sorted(p for p in learner_copy.rglob("*") if p.is_file())
    assert len(places["release"]) >= 9 and len(places["feedback"]) >= 8
    assert not (learner_copy / "datasets" / "pool").exists()
    for where, files in places.items():
        for path in files:
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not _leaks(text, hidden), f"{where}: {path.relative_to(path.parents[2])} leaks {_leaks(text, hidden)[:3]}"
            if path.suffix == ".jsonl":
                for line in text.splitlines():
                    record = json.loads(line)
                    if record.get("id") in hidden_ids:
                        assert not {"reference_rating", "reference_choice", "reference_unsafe", "over_refusal", "rationale", "categories"} & set(record), record["id"]
                    assert record.get("case_id") not in hidden_ids


def test_the_cards_work_from_the_learner_copy(tmp_path, monkeypatch):
    """Do the lessons check answers and the exercises show their cards from the learner kit, with grading refused?"""
    from safetyrater.bank.casebank import CaseBank
    from safetyrater.widgets.deck import DeckView
    from safetyrater.nbgrader.cells import grade_item
    from safetyrater.deploy.learnerkit import build_learner_kit

    learner_copy = build_learner_kit(tmp_path / "learner", REPO).path
    monkeypatch.setenv("SAFETYRATER_ROOT", str(learner_copy))
    bank = CaseBank.load(learner_copy / "datasets")
    for deck in bank.decks.values():
        view = DeckView(bank, deck, tmp_path)
        assert len(view.cards) == len(deck.cases)
        if deck.mode == "graded":
            assert not set(deck.cases) & set(bank.cases)  # graded cases come only as public text
            assert all(card._score() is None for card in view.cards)
    lesson = next(d for d in bank.decks.values() if d.mode == "practice")
    card = DeckView(bank, lesson, tmp_path).cards[0]
    assert card.check() is not None  # lessons keep their references
    graded = next(d for d in bank.decks.values() if d.mode == "graded")
    assert grade_item(graded.id, graded.cases[0], points=3, folder=tmp_path) == 0.0
