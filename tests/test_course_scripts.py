"""Are the decision-flow figure, the severity-rule page and each lesson's estimated time up to date with their sources?

The three scripts under ``scripts/`` regenerate them; ``--check`` exits 1 naming the
stale file. These tests run each check on the course, and on a copy where the source
changed (so the check can fail).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

CHECKS = {
    "decision_flow.py": "course/images/decision-flow.svg",
    "severity_reference.py": "course/severity-rule.ipynb",
    "lesson_minutes.py": "",
}


def _check(root: Path, script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(root / "scripts" / script), "--check"], capture_output=True, text=True, cwd=root)


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    """The scripts and their sources: datasets' small files and the course."""
    for folder in ("scripts", "course"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    datasets = tmp_path / "datasets"
    (datasets / "probes").mkdir(parents=True)
    for name in ("severity.toml", "taxonomy.toml", "decks.toml", "check_questions.toml", "probes/gallery.jsonl"):
        shutil.copy(REPO / "datasets" / name, datasets / name)
    return tmp_path


@pytest.mark.parametrize("script", CHECKS)
def test_the_committed_output_matches_its_source(script):
    result = _check(REPO, script)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("script", ["decision_flow.py", "severity_reference.py"])
def test_a_changed_rule_makes_the_figure_and_the_page_stale(course_copy, script):
    rule = course_copy / "datasets" / "severity.toml"
    rule.write_text(
        rule.read_text(encoding="utf-8").replace('name = "direct help toward serious harm"', 'name = "direct help to serious harm"')
    )
    result = _check(course_copy, script)
    assert result.returncode == 1
    assert f"{CHECKS[script]} is stale" in result.stdout


def test_a_lesson_whose_time_line_is_not_its_measurement_is_named(course_copy):
    path = course_copy / "course" / "04-context-and-framing.ipynb"
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        cell["source"] = [
            line.replace(
                "**Estimated time:** 24 minutes (7 teaching, 17 practice)", "**Estimated time:** 10 minutes (5 teaching, 5 practice)"
            )
            for line in cell["source"]
        ]
    path.write_text(json.dumps(notebook), encoding="utf-8")
    result = _check(course_copy, "lesson_minutes.py")
    assert result.returncode == 1
    assert "04-context-and-framing" in result.stdout + result.stderr


def test_no_lesson_runs_over_45_minutes():
    for path in sorted((REPO / "course").glob("[01][0-9]*-*.ipynb")):
        text = "".join("".join(cell["source"]) for cell in json.loads(path.read_text(encoding="utf-8"))["cells"])
        if "**Estimated time:**" in text:
            minutes = int(text.split("**Estimated time:** ")[1].split(" ")[0])
            assert minutes <= 45, path.name
