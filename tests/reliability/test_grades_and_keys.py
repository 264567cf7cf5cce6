"""Grades can't be gamed and keys don't leak: adversarial learners through nbgrader and the fast lane.

One nbgrader course (``adversarial_course``, tests/support/adversaries.py), exercise 1
released, one ``autograde`` and one ``generate_feedback`` call over many learners.
Each adversary hands in the answers of an honest learner (ivy) plus one attack;
each must get ivy's grade.
"""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import nbformat
import pytest

from conftest import REPO
from support.adversaries import ADVERSARIES, EXERCISE, NOTEBOOK, grade_cells

pytestmark = pytest.mark.slow


def _nbgrader_scores(course: Path) -> dict[str, float]:
    with open(course / "grades.csv", newline="") as handle:
        return {row["student_id"]: float(row["score"]) for row in csv.DictReader(handle) if row["assignment"] == EXERCISE}


def _honest_points(cases, answers) -> float:
    from safetyrater.grading.core import score_deck
    from safetyrater.bank.policy import load_policy

    return float(score_deck(answers, cases, load_policy(REPO / "graders" / "policy.toml"))["points"].sum())


@pytest.mark.parametrize("adversary", ADVERSARIES)
def test_nbgrader_gives_an_adversary_the_grade_their_answers_deserve(adversarial_course, adversary):
    """Does each attack on the notebook or the answer file leave nbgrader's grade at the honest one?"""
    course, cases, answers = adversarial_course.course, adversarial_course.cases, adversarial_course.answers
    scores = _nbgrader_scores(course)
    honest = _honest_points(cases, answers)
    assert 0 < honest < 24
    assert scores["ivy"] == honest  # no notes: the written-feedback cell scores 0
    assert scores[adversary] == honest, f"{adversary} got {scores[adversary]}, the answers deserve {honest}"


def test_a_learners_own_cells_do_not_run_and_their_files_are_not_imported(adversarial_course):
    from safetyrater.nbgrader.preprocessors import NOT_RUN

    course = adversarial_course.course
    autograded = course / "graders" / "cohort" / "autograded"
    patched = nbformat.read(autograded / "mallory-patch" / EXERCISE / NOTEBOOK, as_version=4)
    assert any(cell.source == NOT_RUN for cell in patched.cells)
    assert not any("e.grade_item = " in cell.source for cell in patched.cells)
    # the grade cell the learner deleted came back and graded the answers
    edited = nbformat.read(autograded / "mallory-edit" / EXERCISE / NOTEBOOK, as_version=4)
    assert len(grade_cells(edited)) == len(grade_cells(nbformat.read(course / "exercises" / EXERCISE / NOTEBOOK, as_version=4)))
    shadow = autograded / "mallory-shadow" / EXERCISE
    assert (shadow / "safetyrater.not-run").is_dir() and (shadow / "sitecustomize.py.not-run").is_file()
    # the learner's submitted folder itself is left as handed in
    assert (course / "graders" / "cohort" / "submitted" / "mallory-shadow" / EXERCISE / "sitecustomize.py").is_file()
    # the answer file the rewriting cell would have replaced is the learner's own
    rewritten = json.loads((autograded / "mallory-rewrite" / EXERCISE / f"{EXERCISE}.answers.json").read_text())
    assert rewritten["answers"] == adversarial_course.answers


@pytest.mark.parametrize("adversary", ["mallory-shadow", "mallory-compiled"])
def test_a_shadow_package_is_set_aside_and_named_in_the_log(adversarial_course, adversary):
    """A package of Python source, or one whose __init__ is compiled C (built with gcc): set aside in the graded copy and reported?"""
    graded = adversarial_course.course / "graders" / "cohort" / "autograded" / adversary / EXERCISE
    assert (graded / "safetyrater.not-run").is_dir() and not (graded / "safetyrater").exists()
    handed_in = {p.name for p in (graded / "safetyrater.not-run").iterdir()}
    assert handed_in & {"__init__.py", "__init__.so"}, handed_in
    assert f"Set aside {graded / 'safetyrater'} (handed in with the submission)" in adversarial_course.autograde_log


def test_everything_importable_handed_in_is_set_aside_and_nothing_else(tmp_path):
    """Source, bytecode, compiled extensions, .pth files, packages with any __init__, namespace packages and links: all renamed?"""
    import py_compile

    from safetyrater.nbgrader.preprocessors import set_aside_modules

    folder = tmp_path / "handed-in"
    folder.mkdir()
    importable = ["a.py", "b.pyc", "c.so", "d.cpython-311-x86_64-linux-gnu.so", "e.abi3.so", "f.pth", "g.pyd", "h.pyw"]
    for name in importable:
        (folder / name).write_bytes(b"")
    for package, init in (("pkg_source", "__init__.py"), ("pkg_compiled", "__init__.so"), ("pkg_bytecode", "__init__.pyc")):
        (folder / package).mkdir()
        (folder / package / init).write_bytes(b"")
    (folder / "namespace" / "inner").mkdir(parents=True)
    py_compile.compile(str(folder / "a.py"), cfile=str(folder / "namespace" / "inner" / "mod.pyc"))
    (folder / "cache" / "__pycache__").mkdir(parents=True)
    (folder / "link").symlink_to(tmp_path)
    kept = [f"{EXERCISE}.answers.json", NOTEBOOK, "notes.txt", "data"]
    for name in kept[:3]:
        (folder / name).write_text("{}")
    (folder / "data").mkdir()
    (folder / "data" / "table.csv").write_text("a,b\n")

    moved = set_aside_modules(folder)
    expected = [*importable, "pkg_source", "pkg_compiled", "pkg_bytecode", "namespace", "cache", "link"]
    assert sorted(p.name for p in moved) == sorted(f"{name}.not-run" for name in expected)
    assert sorted(p.name for p in folder.iterdir() if not p.name.endswith(".not-run")) == sorted(kept)


def test_the_grading_kernel_imports_nothing_from_a_folder_it_starts_in(tmp_path):
    """Does ExecuteInCleanFolder run the notebook where a shadow module beside it is out of reach (and only the answer file is)?"""
    from nbgrader.preprocessors import Execute

    from safetyrater.nbgrader.preprocessors import ExecuteInCleanFolder

    handed_in = tmp_path / "handed-in"
    handed_in.mkdir()
    (handed_in / "shadowmod.py").write_text("VALUE = 'shadow'\n")
    (handed_in / f"{EXERCISE}.answers.json").write_text("{}")
    probe = (
        "import os, sys\n"
        "try:\n    import shadowmod; print('imported', shadowmod.VALUE)\nexcept ImportError:\n    print('not importable')\n"
        "print(sorted(os.listdir('.')))\nprint(sys.flags.safe_path)"
    )

    def run(step) -> str:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(probe)])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        resources = {"metadata": {"path": str(handed_in)}, "nbgrader": {"assignment": EXERCISE}}
        step.preprocess(nb, resources)
        assert resources["metadata"]["path"] == str(handed_in)
        return "".join(output.get("text", "") for output in nb.cells[0].outputs)

    assert "imported shadow" in run(Execute())  # nbgrader's own step: the attack's premise
    printed = run(ExecuteInCleanFolder()).splitlines()
    assert printed == ["not importable", f"['{EXERCISE}.answers.json']", "True"], printed


def test_the_fast_lane_gives_every_adversary_the_same_grade_and_reads_nothing_outside(adversarial_course):
    """Does the fast lane agree with nbgrader for every adversary and skip a '../' learner id?"""
    from safetyrater.cohort.grade import grade_course

    course, cases, answers = adversarial_course.course, adversarial_course.cases, adversarial_course.answers
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

    course = adversarial_course.course
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

    course = adversarial_course.course
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
