"""Links between the course's modules, the same in JupyterLab and in Voilà.

A module is a notebook in ``course/`` named ``NN-words.ipynb`` (``00`` is the
start page), so a new lesson appears in the navigation as soon as its file is
there. Its title is the first ``# heading`` of the notebook. The start page
also lists the graded exercises: each notebook in ``exercises/<id>/``.

The links are relative paths (``02-risk-categories.ipynb``,
``../exercises/ex01-two-questions/ex01-two-questions.ipynb``): JupyterLab opens
them as notebooks in the same window, and Voilà, which serves each notebook at
``/voila/render/<path>``, resolves them to the other page.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import ipywidgets as widgets

from ..paths import MODULE_FILE, START_NUMBER, course_dir, exercises_dir, module_number
from .errors import learner_message, problem_html
from .html import escape


@dataclass(frozen=True)
class Module:
    number: int
    file: str
    title: str


@dataclass(frozen=True)
class Exercise:
    href: str  # relative to course/
    title: str


def module_title(path: Path) -> str:
    """The notebook's first ``# heading``; else a title made from its file name."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for cell in notebook.get("cells", []):
            if cell.get("cell_type") != "markdown":
                continue
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else str(source)
            for line in text.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    except (OSError, ValueError, AttributeError):
        pass  # an unreadable notebook still gets a link, named from its file
    found = MODULE_FILE.match(path.name)
    slug = found.group("slug") if found else path.stem
    return slug.replace("-", " ").replace("_", " ").capitalize()


def course_modules(folder: Path | str | None = None) -> list[Module]:
    """The course's modules in order: every ``NN-*.ipynb`` in ``course/``."""
    folder = Path(folder) if folder is not None else course_dir()
    modules = []
    for path in sorted(folder.glob("*.ipynb")):
        number = module_number(path)
        if number is not None:
            modules.append(Module(number, path.name, module_title(path)))
    return sorted(modules, key=lambda m: (m.number, m.file))


def course_exercises(root: Path | str | None = None) -> list[Exercise]:
    """The graded exercises as learners receive them: ``exercises/<id>/*.ipynb``."""
    folder = exercises_dir(root)
    notebooks = sorted(folder.glob("*/*.ipynb")) if folder.is_dir() else []
    return [
        Exercise(f"../exercises/{path.parent.name}/{path.name}", module_title(path))
        for path in notebooks
        if not path.name.startswith(".")
    ]


def under_voila(environ: Mapping[str, str] | None = None) -> bool:
    """Whether this kernel runs a Voilà page (Voilà tells its kernels so)."""
    environ = os.environ if environ is None else environ
    return environ.get("SERVER_SOFTWARE", "").startswith("voila/")


def current_notebook(environ: Mapping[str, str] | None = None) -> str | None:
    """The file name of the notebook this kernel runs, when the server says it.

    Voilà gives its kernels the page's URL path (``SCRIPT_NAME``); Jupyter
    Server gives its kernels the notebook's path (``JPY_SESSION_NAME``).
    """
    environ = os.environ if environ is None else environ
    if under_voila(environ) and environ.get("SCRIPT_NAME"):
        name = PurePosixPath(environ["SCRIPT_NAME"]).name
    elif environ.get("JPY_SESSION_NAME"):
        name = PurePosixPath(environ["JPY_SESSION_NAME"].replace("\\", "/")).name
    else:
        return None
    return name if name.endswith(".ipynb") else None


#: Links look like links everywhere (Voilà's widget text does not colour them).
LINK_STYLE = "color:#0b57d0;text-decoration:underline;font-size:1.05em"


def _link(target: Module | Exercise, text: str, rel: str | None = None) -> str:
    href = target.file if isinstance(target, Module) else target.href
    rel_attr = f' rel="{rel}"' if rel else ""
    return (
        f'<a class="sr-nav-link" href="{escape(href)}"{rel_attr} '
        f'style="{LINK_STYLE}">{escape(text)}</a>'
    )


LIST_STYLE = "list-style:none;padding-left:0;margin:0;line-height:1.9"


NAV_STYLE = (
    "display:flex;flex-wrap:wrap;gap:8px 24px;align-items:center;"
    "border-top:1px solid #bbb;padding:10px 0;margin-top:8px;font-size:1.05em"
)


#: the weak-spots practice page (:mod:`safetyrater.practice`), beside the lessons in course/
WEAK_SPOTS_PAGE = Module(-1, "weak-spots.ipynb", "Practice on your weak spots")


def nav_html(modules: list[Module], current: str | None, exercises: Sequence[Exercise] = (), practice: Module | None = None) -> str:
    """The navigation for the page ``current``: on the start page (or when the
    page is unknown) the list of modules, exercises and the weak-spots page, else previous, start and next."""
    here = next((i for i, m in enumerate(modules) if m.file == current), None)
    start = next((m for m in modules if m.number == START_NUMBER), None)
    if here is None or modules[here].number == START_NUMBER:
        lessons = [m for m in modules if m.number != START_NUMBER]
        items = "".join(f"<li>{_link(m, m.title)}</li>" for m in lessons)
        intro = f"<p style='margin:0 0 4px 0'><b>{'Course modules' if here is None else 'Lessons'}</b></p>"
        graded = ""
        if exercises and here is not None:
            graded = (
                "<p style='margin:12px 0 4px 0'><b>Graded exercises</b></p>"
                f"<ul style='{LIST_STYLE}'>{''.join(f'<li>{_link(e, e.title)}</li>' for e in exercises)}</ul>"
            )
        back = f"<p style='margin:4px 0 0 0'>{_link(start, 'Back to the start page')}</p>" if here is None and start else ""
        extra = ""
        if practice is not None and here is not None:
            extra = (
                f"<p style='margin:12px 0 4px 0'><b>Practice</b></p><p style='margin:0'>{_link(practice, practice.title)}: "
                "new cases chosen from the mistakes in your own answers</p>"
            )
        return (
            "<nav class='sr-nav sr-contents' aria-label='Course modules'>"
            f"{intro}<ul style='{LIST_STYLE}'>{items}</ul>{graded}{extra}{back}</nav>"
        )
    parts = []
    if here > 0 and modules[here - 1].number != START_NUMBER:
        parts.append(_link(modules[here - 1], f"← Previous: {modules[here - 1].title}", "prev"))
    if start is not None:
        parts.append(_link(start, "Start page (all modules)", "start"))
    if here + 1 < len(modules):
        parts.append(_link(modules[here + 1], f"Next: {modules[here + 1].title} →", "next"))
    return f"<nav class='sr-nav' aria-label='Course modules' style='{NAV_STYLE}'>{''.join(parts)}</nav>"


def exercise_nav_html(exercise_number: int | None, folder: Path | str | None = None) -> str:
    """The links at the end of an exercise page (``exercises/<id>/``): its lesson, the start page, weak-spots practice."""
    modules = course_modules(folder)
    up = "../../course/"
    parts = []
    lesson = next((m for m in modules if exercise_number is not None and m.number == exercise_number), None)
    if lesson is not None:
        parts.append(_link(Exercise(up + lesson.file, ""), f"← Back to the lesson: {lesson.title}", "prev"))
    start = next((m for m in modules if m.number == START_NUMBER), None)
    if start is not None:
        parts.append(_link(Exercise(up + start.file, ""), "Start page (all modules)", "start"))
    course = Path(folder) if folder is not None else course_dir()
    if (course / WEAK_SPOTS_PAGE.file).exists():
        parts.append(_link(Exercise(up + WEAK_SPOTS_PAGE.file, ""), WEAK_SPOTS_PAGE.title))
    return f"<nav class='sr-nav' aria-label='Course modules' style='{NAV_STYLE}'>{''.join(parts)}</nav>"


class ModuleNav:
    """Displays as the navigation links (rich HTML output, in JupyterLab and Voilà)."""

    def __init__(self, html_text: str):
        self.html = html_text

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return re.sub(r"<[^>]+>", " ", self.html).strip()


def module_nav(current: str | None = None, folder: Path | str | None = None) -> Any:
    """Links to the previous and next module and the start page; on the start
    page, the list of all modules and exercises. ``current`` defaults to the
    running notebook, ``folder`` to the course's ``course/``.

    In JupyterLab the links are rich HTML output, which JupyterLab opens as
    notebooks in the same window. Voilà opens links in HTML output in a new
    tab, so there the links are an HTML widget, which a browser follows in place.
    """
    try:
        root = Path(folder).parent if folder is not None else None
        course = Path(folder) if folder is not None else course_dir()
        practice = WEAK_SPOTS_PAGE if (course / WEAK_SPOTS_PAGE.file).exists() else None
        text = nav_html(course_modules(folder), current or current_notebook(), course_exercises(root), practice)
    except Exception as exc:  # a broken course folder must not show a traceback
        text = problem_html(learner_message(exc))
    if under_voila():
        return widgets.HTML(text)
    return ModuleNav(text)
