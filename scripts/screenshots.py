"""Refresh the README's screenshots (docs/images/*.png) by running the browser tests.

    .venv/bin/python scripts/screenshots.py

The browser tests save each picture at the moment they check it (the start
page, a rating card before and after Check, a lesson in JupyterLab, lesson 1's
decision flow, worked examples and a check question) when
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
]


def instructor_report_hook(images: Path) -> str:
    """HOOK for the README's instructor-report screenshot (docs/images/instructor-report.png).

    The cohort report (``safetyrater cohort report``) is built on another
    branch. Once it lands, this hook should run it on a small demo cohort and
    photograph its output with Chromium (see tests/browser/harness.py:
    ``launch_chromium``), saving ``images / "instructor-report.png"``.
    Until then it says what is missing.
    """
    sys.path.insert(0, str(REPO / "src"))
    from safetyrater.cli import build_parser

    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    if "cohort" not in commands:
        return "instructor-report.png: pending, needs `safetyrater cohort report`"
    return "instructor-report.png: `safetyrater cohort report` exists; fill in instructor_report_hook()"


def main() -> int:
    IMAGES.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, SAFETYRATER_SCREENSHOTS=str(IMAGES))
    command = [sys.executable, "-m", "pytest", "-m", "browser", "-q", "-p", "no:cacheprovider", "tests/browser"]
    code = subprocess.call(command, cwd=REPO, env=env)
    missing = [name for name in EXPECTED if not (IMAGES / name).exists()]
    for name in EXPECTED:
        print(f"{name}: {'missing' if name in missing else 'saved'}")
    print(instructor_report_hook(IMAGES))
    return code or (1 if missing else 0)


if __name__ == "__main__":
    sys.exit(main())
