"""Fixtures for the browser tests: one JupyterLab and one Voilà server per run,
each over its own temporary copy of the course, and Debian's Chromium.

Run them alone with ``pytest -m browser``. Set ``SAFETYRATER_SCREENSHOTS`` to a
folder (``scripts/screenshots.py`` sets ``docs/images``) and the tests also
save the README's screenshots there.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .harness import CHROMIUM, CourseServer, course_copy, launch_chromium, running

SCREENSHOTS_ENV = "SAFETYRATER_SCREENSHOTS"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install chromium`), as .ci/run does")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    # JupyterLab asks before leaving a page with unsaved changes; a learner's
    # reload says yes.
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    context.close()


@pytest.fixture(scope="session")
def lab_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return course_copy(tmp_path_factory.mktemp("lab") / "course-root")


@pytest.fixture(scope="session")
def app_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return course_copy(tmp_path_factory.mktemp("app") / "course-root")


@pytest.fixture(scope="session")
def lab_server(lab_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CourseServer]:
    """``safetyrater start --lab``: JupyterLab set up for learners."""
    with running(CourseServer(lab_root, tmp_path_factory.mktemp("lab-server"), "--lab")) as server:
        yield server


@pytest.fixture(scope="session")
def app_server(app_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CourseServer]:
    """``safetyrater start``: the course as Voilà pages (the app)."""
    with running(CourseServer(app_root, tmp_path_factory.mktemp("app-server"), "--app")) as server:
        yield server


@pytest.fixture(scope="session")
def screenshots() -> Path | None:
    """Where to save the README's screenshots, or None to save none."""
    folder = os.environ.get(SCREENSHOTS_ENV)
    if not folder:
        return None
    path = Path(folder).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path
