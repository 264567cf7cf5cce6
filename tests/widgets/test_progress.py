"""Does the start page show what the learner has answered, from the saved answer files?"""

from __future__ import annotations

import json
import re
import shutil

import nbformat
import pytest

from safetyrater.widgets.progress import deck_module, lessons, progress_frame, progress_html

from conftest import REPO, perfect_answers


@pytest.fixture
def course(tmp_path, mixed_root):
    """The mixed-kinds course with a lesson notebook for module 1."""
    root = shutil.copytree(mixed_root, tmp_path / "course-root")
    (root / "course").mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 1. Every kind of card\n\ntext")])
    nbformat.write(nb, root / "course" / "01-every-kind.ipynb")
    nbformat.write(nbformat.v4.new_notebook(), root / "course" / "00-start-here.ipynb")
    return root


def _save(path, deck_id, answers):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"format": 1, "exercise": deck_id, "answers": answers}))


def test_nothing_answered_reads_as_zero(course):
    frame = progress_frame(course)
    assert frame[["deck", "answered", "total"]].values.tolist() == [["lesson-01-fx-mixed", 0, 6], ["ex01-fx-mixed", 0, 3]]
    assert frame["agreement"].isna().all()
    assert "0 of 6</b> practice cases" in progress_html(course)


def test_saved_lesson_answers_give_answered_and_agreement(course, mixed_bank):
    cases = mixed_bank.deck_cases("lesson-01-fx-mixed")
    answers = perfect_answers(cases[:3])
    answers[cases[1].id] = {"choice": "a"}  # a wrong pairwise choice: 0 of 1 point
    _save(course / "course" / "lesson-01-fx-mixed.answers.json", "lesson-01-fx-mixed", answers)
    _save(course / "exercises" / "ex01-fx-mixed" / "ex01-fx-mixed.answers.json", "ex01-fx-mixed", {"fx-pair-ex": {"choice": "a"}})
    frame = progress_frame(course).set_index("deck")
    assert frame.loc["lesson-01-fx-mixed", "answered"] == 3
    # rating 3 of 3, pairwise 0 of 1, span 2 of 2
    assert frame.loc["lesson-01-fx-mixed", "agreement"] == pytest.approx(5 / 6)
    assert frame.loc["ex01-fx-mixed", "answered"] == 1
    assert frame["agreement"].isna()["ex01-fx-mixed"]  # exercises show no agreement
    page = progress_html(course)
    assert "<a href='01-every-kind.ipynb'>1. Every kind of card</a>" in page
    assert "<td>3 of 6</td><td>83%</td><td>1 of 3</td>" in page


def test_a_broken_answer_file_counts_as_nothing_answered(course):
    path = course / "course" / "lesson-01-fx-mixed.answers.json"
    path.write_text("{broken")
    assert progress_frame(course).set_index("deck").loc["lesson-01-fx-mixed", "answered"] == 0
    assert path.read_text() == "{broken"  # progress only reads; it never moves a file aside


def test_lessons_are_the_numbered_notebooks_in_order():
    found = lessons(REPO / "course")
    assert [lesson.number for lesson in found] == sorted(lesson.number for lesson in found)
    assert sorted({lesson.number for lesson in found}) == list(range(1, 13))
    assert found[0].title == "The two questions"
    assert [(lesson.label, lesson.title) for lesson in found[2:4]] == [("3", "Safety versus over-refusal"), ("3b", "Real responses: XSTest")]


def test_the_progress_table_has_a_row_for_3b_without_counting_module_3_twice():
    rows = re.findall(r"<tr><td style='text-align:left'><a href='(03[^']*)'>([^<]*)</a></td>(.*?)</tr>", progress_html(REPO))
    assert [(href, title) for href, title, _ in rows] == [
        ("03-safety-and-over-refusal.ipynb", "3. Safety versus over-refusal"),
        ("03b-real-responses-xstest.ipynb", "3b. Real responses: XSTest"),
    ]
    assert "of" in rows[0][2] and "of" not in rows[1][2]


@pytest.mark.parametrize(("deck_id", "module"), [("lesson-08-health", 8), ("ex05-comparing", 5), ("lesson-10-mock", 10), ("other", None)])
def test_deck_ids_name_their_module(deck_id, module):
    assert deck_module(deck_id) == module
