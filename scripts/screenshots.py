"""Refresh the README's screenshots (docs/images/*.png) by running the browser tests.

    .venv/bin/python scripts/screenshots.py

The browser tests save each picture at the moment they check it (the start
page, a rating card before and after Check, a lesson in JupyterLab, lesson 1's
decision flow, worked examples and a check question, the cohort report's summary and a
learner's page, the formgrader on the course) when
SAFETYRATER_SCREENSHOTS names a folder, so the pictures show what the tests
prove works.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
IMAGES = REPO / "docs" / "images"
EXPECTED = [
    "start-page.png",
    "card-before-check.png",
    "card-after-check.png",
    "jupyterlab-lesson.png",
    "lesson-decision-flow.png",
    "lesson-worked-example.png",
    "check-question.png",
    "task-view.png",
    "exercise-result.png",
    "weak-spots.png",
    "assessment-start.png",
    # the cohort report (tests/browser/test_browser_report.py) and the formgrader on the course
    # (tests/deploy/test_instructor_server.py, a server test, not a browser one)
    "report-summary.png", "report-learner.png", "formgrader.png",
]


def main() -> int:
    IMAGES.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, SAFETYRATER_SCREENSHOTS=str(IMAGES))
    command = [sys.executable, "-m", "pytest", "-m", "browser", "-q", "-p", "no:cacheprovider", "tests/browser"]
    code = subprocess.call(command, cwd=REPO, env=env)
    formgrader = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/deploy/test_instructor_server.py"]
    code = subprocess.call(formgrader, cwd=REPO, env=env) or code
    missing = [name for name in EXPECTED if not (IMAGES / name).exists()]
    for name in EXPECTED:
        print(f"{name}: {'missing' if name in missing else 'saved'}")
    return code or (1 if missing else 0)


if __name__ == "__main__":
    sys.exit(main())
