"""Do the links between modules find every lesson, in order, and know the page they are on?"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from safetyrater.widgets.navigation import course_exercises, course_modules, current_notebook, module_nav, nav_html


def notebook(title: str | None) -> str:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": [f"# {title}\n", "\n", "Text."]}] if title else []
    cells.append({"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": [], "execution_count": None})
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


@pytest.fixture
def course(tmp_path):
    folder = tmp_path / "course"
    folder.mkdir()
    (folder / "00-start-here.ipynb").write_text(notebook("Start here: rating AI responses"))
    (folder / "01-the-two-questions.ipynb").write_text(notebook("1. The two questions"))
    (folder / "02-risk-categories.ipynb").write_text(notebook("2. Risk categories"))
    (folder / "10-mock-assessment.ipynb").write_text(notebook("10. Mock assessment"))
    (folder / "scratch.ipynb").write_text(notebook("Not a module"))
    (folder / "lesson-01-two-questions.answers.json").write_text("{}")
    exercise = tmp_path / "exercises" / "ex01-two-questions"
    exercise.mkdir(parents=True)
    (exercise / "ex01-two-questions.ipynb").write_text(notebook("Exercise 1: the two questions"))
    return folder


class Links(HTMLParser):
    def __init__(self, text: str):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href = dict(attrs)["href"]

    def handle_data(self, data):
        if self._href is not None:
            self.links.append((self._href, data))
            self._href = None


def test_modules_are_the_numbered_notebooks_in_order(course):
    modules = course_modules(course)
    assert [m.file for m in modules] == [
        "00-start-here.ipynb",
        "01-the-two-questions.ipynb",
        "02-risk-categories.ipynb",
        "10-mock-assessment.ipynb",
    ]
    assert modules[2].title == "2. Risk categories"


def test_a_new_lesson_appears_without_editing_other_notebooks(course):
    """Does a lesson added on another branch show up in its neighbours' links?"""
    (course / "03-safety-versus-over-refusal.ipynb").write_text(notebook("3. Safety versus over-refusal"))
    links = Links(nav_html(course_modules(course), "02-risk-categories.ipynb")).links
    assert ("03-safety-versus-over-refusal.ipynb", "Next: 3. Safety versus over-refusal →") in links


def test_a_lesson_links_to_the_previous_the_start_and_the_next(course):
    links = Links(nav_html(course_modules(course), "02-risk-categories.ipynb")).links
    assert links == [
        ("01-the-two-questions.ipynb", "← Previous: 1. The two questions"),
        ("00-start-here.ipynb", "Start page (all modules)"),
        ("10-mock-assessment.ipynb", "Next: 10. Mock assessment →"),
    ]


def test_first_and_last_lessons_have_no_dangling_links(course):
    first = Links(nav_html(course_modules(course), "01-the-two-questions.ipynb")).links
    last = Links(nav_html(course_modules(course), "10-mock-assessment.ipynb")).links
    assert [text for _, text in first] == ["Start page (all modules)", "Next: 2. Risk categories →"]
    assert [text for _, text in last] == ["← Previous: 2. Risk categories", "Start page (all modules)"]


def test_the_start_page_lists_every_lesson(course):
    links = Links(nav_html(course_modules(course), "00-start-here.ipynb")).links
    assert [href for href, _ in links] == ["01-the-two-questions.ipynb", "02-risk-categories.ipynb", "10-mock-assessment.ipynb"]


def test_the_start_page_lists_the_graded_exercises_after_the_lessons(course):
    exercises = course_exercises(course.parent)
    links = Links(nav_html(course_modules(course), "00-start-here.ipynb", exercises)).links
    assert links[-1] == ("../exercises/ex01-two-questions/ex01-two-questions.ipynb", "Exercise 1: the two questions")
    lesson = Links(nav_html(course_modules(course), "02-risk-categories.ipynb", exercises)).links
    assert not [href for href, _ in lesson if "exercises" in href], "lessons link only to modules"


def test_no_exercises_folder_means_no_exercise_list(course, tmp_path):
    assert course_exercises(tmp_path / "nowhere") == []
    assert "Graded exercises" not in nav_html(course_modules(course), "00-start-here.ipynb", [])


def test_an_unknown_page_gets_the_list_and_a_way_back(course):
    links = Links(nav_html(course_modules(course), None)).links
    assert links[-1] == ("00-start-here.ipynb", "Back to the start page")
    assert len(links) == 4


def test_a_notebook_without_a_heading_or_unreadable_is_named_from_its_file(course):
    (course / "02-risk-categories.ipynb").write_text(notebook(None))
    (course / "10-mock-assessment.ipynb").write_text("{not json")
    titles = [m.title for m in course_modules(course)]
    assert titles[2:] == ["Risk categories", "Mock assessment"]


def test_titles_are_escaped(course):
    (course / "02-risk-categories.ipynb").write_text(notebook("<script>alert(1)</script>"))
    text = nav_html(course_modules(course), "01-the-two-questions.ipynb")
    assert "<script>" not in text and "&lt;script&gt;" in text


@pytest.mark.parametrize(
    "environ, expected",
    [
        ({"JPY_SESSION_NAME": "/home/nurse/course/02-risk-categories.ipynb"}, "02-risk-categories.ipynb"),
        ({"JPY_SESSION_NAME": "course/01-the-two-questions.ipynb"}, "01-the-two-questions.ipynb"),
        (
            {"SERVER_SOFTWARE": "voila/0.5.13", "SCRIPT_NAME": "/voila/render/02-risk-categories.ipynb"},
            "02-risk-categories.ipynb",
        ),
        ({"SERVER_SOFTWARE": "voila/0.5.13", "SCRIPT_NAME": "/", "JPY_SESSION_NAME": "x/01-a.ipynb"}, None),
        ({}, None),
    ],
)
def test_the_running_notebook_is_known_from_the_server(environ, expected):
    """Which page is this kernel on, as JupyterLab and Voilà tell their kernels?"""
    assert current_notebook(environ) == expected


def test_module_nav_renders_as_html_in_jupyterlab(course, monkeypatch):
    monkeypatch.setenv("JPY_SESSION_NAME", str(course / "01-the-two-questions.ipynb"))
    monkeypatch.delenv("SERVER_SOFTWARE", raising=False)
    nav = module_nav(folder=course)
    assert 'href="02-risk-categories.ipynb"' in nav._repr_html_()
    assert "Next: 2. Risk categories" in repr(nav)
    start = module_nav("00-start-here.ipynb", folder=course)._repr_html_()
    assert 'href="../exercises/ex01-two-questions/ex01-two-questions.ipynb"' in start


def test_module_nav_is_a_widget_in_voila(course, monkeypatch):
    """Voilà opens links of HTML output in a new tab; a widget's links open in place."""
    import ipywidgets

    monkeypatch.setenv("SERVER_SOFTWARE", "voila/0.5.13")
    monkeypatch.setenv("SCRIPT_NAME", "/voila/render/01-the-two-questions.ipynb")
    nav = module_nav(folder=course)
    assert isinstance(nav, ipywidgets.HTML)
    assert 'href="02-risk-categories.ipynb"' in nav.value


def test_a_missing_course_folder_is_a_message_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.delenv("SERVER_SOFTWARE", raising=False)

    def broken(folder=None):
        raise PermissionError(13, "Permission denied", str(tmp_path / "course"))

    monkeypatch.setattr("safetyrater.widgets.navigation.course_modules", broken)
    text = module_nav(folder=tmp_path)._repr_html_()
    assert "role='alert'" in text
    assert re.search(r"could not be read or written: permission denied", text)


def test_the_real_course_links_its_lessons(repo):
    modules = course_modules(repo / "course")
    assert modules[0].file == "00-start-here.ipynb"
    assert all(m.title for m in modules)
    assert len(modules) >= 2
