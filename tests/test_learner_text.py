"""Does any page a learner opens show a taxonomy id, a case id, a raw number, "-0.0" or instructor notes?

Each lesson, reference page and exercise runs as the app shows it (every cell
executed, code hidden; see tests/support/learner_text.py), and the text a learner
reads, widgets included, is checked.
"""

from __future__ import annotations

import pytest

from conftest import REPO
from support.learner_text import learner_pages, learner_text_problems, rendered_page

PAGES = learner_pages(REPO)


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=lambda path: path.name)
def test_a_learner_page_shows_names_not_ids_and_rounded_numbers(page, bank, tmp_path):
    text = rendered_page(page, tmp_path)
    assert learner_text_problems(text, bank.taxonomy, bank.cases) == []
    if page.name[:2].isdigit() and page.name[:2] != "00":
        # the check sees what widgets show, not only the page's text
        assert "Question 1 of" in text and "Check your understanding" in text


def test_every_lesson_and_exercise_is_checked():
    names = {page.name for page in PAGES}
    assert {"01-the-two-questions.ipynb", "03b-real-responses-xstest.ipynb", "glossary.ipynb", "severity-rule.ipynb"} <= names
    assert any(page.parent.parent.name == "exercises" for page in PAGES)


def test_each_kind_of_unclean_text_is_named(bank):
    text = (
        "Weapons (mass-harm-weapons). Case 1 of 10 (core-001). You scored 2.6667 / 3 points, "
        "-0.0 percentage points. Notes for instructors: nbgrader. Categories: 'privacy'."
    )
    problems = learner_text_problems(text, ["mass-harm-weapons", "privacy"], ["core-001"])
    assert [problem.split(":")[0] for problem in problems] == [
        "taxonomy id 'mass-harm-weapons'",
        "taxonomy id 'privacy'",
        "case id 'core-001'",
        "raw number '2.6667'",
        "negative zero '-0.0'",
        "'Notes for instructors' is shown to learners",
    ]


def test_ids_that_are_english_words_are_allowed_as_words(bank):
    text = "A response can invite self-harm, hate or harassment, or invade privacy; 97.5% refused; version 0.5.13; $12.50; weighted kappa 0.74 (pass mark 0.70)."
    assert learner_text_problems(text, bank.taxonomy, bank.cases) == []
