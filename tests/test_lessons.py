"""Does every lesson follow the one template, and does the start page lead through them in order?"""

from __future__ import annotations

import re

import nbformat
import pytest

from support.lessons import lesson_problems, practice_decks, sections
from safetyrater.widgets.progress import lessons

from conftest import REPO

LESSONS = lessons(REPO / "course")


def test_the_course_has_twelve_modules_in_order_with_3b_after_3():
    assert [lesson.label for lesson in LESSONS] == ["1", "2", "3", "3b", *map(str, range(4, 13))]


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.path.name)
def test_lesson_follows_the_template(lesson):
    assert lesson_problems(lesson.path) == []


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.path.name)
def test_lesson_shows_practice_decks_of_its_module(lesson, bank):
    decks = practice_decks(lesson.path)
    # 3b's practice labels real XSTest responses (show_labelling_deck), not a bank deck
    assert decks or lesson.label == "3b"
    for deck_id in decks:
        assert bank.deck(deck_id).mode == "practice"
        assert deck_id.startswith(f"lesson-{lesson.number:02d}-")


def test_every_practice_deck_is_shown_by_a_lesson(bank):
    shown = {deck_id for lesson in LESSONS for deck_id in practice_decks(lesson.path)}
    assert shown == {d.id for d in bank.decks.values() if d.mode == "practice"}


def test_the_start_page_links_every_lesson_in_order():
    """The start page's module list is module_nav(), which finds every NN-*.ipynb lesson."""
    from safetyrater.widgets.navigation import course_modules

    nb = nbformat.read(REPO / "course" / "00-start-here.ipynb", as_version=4)
    code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    assert "module_nav()" in code and "show_progress()" in code
    listed = [m.file for m in course_modules(REPO / "course")]
    lessons = [lesson.path.name for lesson in LESSONS]
    assert [name for name in listed if name in lessons] == lessons


def test_the_over_refusal_lesson_leads_on_to_real_responses_in_3b():
    lesson_3b = next(lesson for lesson in LESSONS if lesson.label == "3b")
    assert lesson_3b.title == "Real responses: XSTest"
    assert "show_labelling_deck(" in "".join(c["source"] for _, cells in sections(lesson_3b.path) for c in cells)
    text = nbformat.read(REPO / "course" / "03-safety-and-over-refusal.ipynb", as_version=4)
    assert lesson_3b.path.name in "".join(cell.source for cell in text.cells)


def _notebook(tmp_path, name, *markdown):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(m) for m in markdown])
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


GOOD_TOP = "# 4. Title\n\n**Estimated time:** 30 minutes (10 teaching, 20 practice)\n\n## Learning objectives\n\n- one"


def test_a_lesson_missing_sections_is_named(tmp_path):
    path = _notebook(tmp_path, "04-bad.ipynb", "# 4. Title\n\n## Teaching\n\ntext")
    problems = lesson_problems(path)
    assert "no '**Estimated time:** T minutes (A teaching, B practice)' line before the first section" in problems
    assert "needs exactly one '## Learning objectives' section" in problems
    assert "needs exactly one '## Check your understanding' section" in problems


def test_a_lesson_with_sections_out_of_order_or_no_deck_is_named(tmp_path):
    path = _notebook(
        tmp_path,
        "04-bad.ipynb",
        GOOD_TOP,
        "## Worked examples\n\nan example",
        "## Practice\n\nno cards here",
        "## Check your understanding\n\nno questions",
        "## Key points\n\n- a point",
    )
    problems = lesson_problems(path)
    assert "needs at least one teaching section between '## Learning objectives' and '## Worked examples'" in problems
    assert (
        "'## Worked examples', '## Check your understanding', '## Practice' (one after another) and '## Key points' must come in that order"
        in problems
    )
    assert any("shows no deck" in p for p in problems)
    assert "'## Check your understanding' must show this lesson's questions: one code cell calling show_questions(\"lesson-04\")" in problems


def test_a_lesson_still_showing_notes_for_instructors_is_named(tmp_path):
    path = _notebook(tmp_path, "04-bad.ipynb", *GOOD_LESSON[:-1], "## Notes for instructors\n\nnbgrader detail", GOOD_LESSON[-1])
    assert "'## Notes for instructors' is shown to learners: move it to graders/instructor-notes.md" in lesson_problems(path)


def test_a_wrong_time_sum_or_title_number_is_named(tmp_path):
    path = _notebook(tmp_path, "05-bad.ipynb", GOOD_TOP.replace("30 minutes", "35 minutes"), *GOOD_LESSON[1:])
    problems = lesson_problems(path)
    assert "title numbered 4, file numbered 5" in problems
    assert "estimated time 35 is not 10 + 20" in problems


def test_a_second_part_is_titled_with_its_letter(tmp_path):
    path = _notebook(tmp_path, "04b-part.ipynb", GOOD_TOP, *GOOD_LESSON[1:])
    assert "title numbered 4, file numbered 4b" in lesson_problems(path)


GOOD_LESSON = [GOOD_TOP, "## Teach\n\nx", "## Worked examples\n\nan example", "## Check your understanding", "## Practice", "## Key points\n\n- k"]
NAV = "from safetyrater import module_nav\n\nmodule_nav()"


def _lesson_with_code(tmp_path, *code):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(m) for m in GOOD_LESSON])
    nb.cells.insert(4, nbformat.v4.new_code_cell('from safetyrater import show_questions\n\nshow_questions("lesson-04")'))
    nb.cells.insert(6, nbformat.v4.new_code_cell('from safetyrater import show_deck\n\nshow_deck("lesson-04-context")'))
    nb.cells += [nbformat.v4.new_code_cell(source) for source in code]
    path = tmp_path / "04-nav.ipynb"
    nbformat.write(nb, path)
    return lesson_problems(path)


def test_a_lesson_ending_with_the_navigation_cell_follows_the_template(tmp_path):
    assert _lesson_with_code(tmp_path, NAV) == []


def test_a_lesson_without_the_final_navigation_cell_or_with_other_closing_code_is_named(tmp_path):
    ending = "must end with the navigation cell 'from safetyrater import module_nav' / 'module_nav()'"
    assert ending in _lesson_with_code(tmp_path)
    problems = _lesson_with_code(tmp_path, "print('extra')", NAV)
    assert problems == ["'## Key points' holds code other than the navigation cell"]
