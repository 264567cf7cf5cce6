"""Where the course lives: the case bank, the grading policy, the notebooks."""

from __future__ import annotations

import os
from pathlib import Path

#: Set this to a course checkout to use its datasets/ and graders/ from anywhere
#: (for example when nbgrader runs a notebook in a temporary folder).
ROOT_ENV = "SAFETYRATER_ROOT"


def project_root() -> Path:
    """The course checkout: $SAFETYRATER_ROOT, else the tree this package sits in."""
    env = os.environ.get(ROOT_ENV)
    if env:
        return Path(env).resolve()
    # src/safetyrater/paths.py -> the checkout (an editable install, as the README does)
    return Path(__file__).resolve().parents[2]


def datasets_dir() -> Path:
    return project_root() / "datasets"


def graders_dir() -> Path:
    return project_root() / "graders"


def course_dir() -> Path:
    """The lesson notebooks (``NN-*.ipynb``)."""
    return project_root() / "course"


def answers_filename(deck_id: str) -> str:
    """The answer file a deck's cards write, beside the notebook that shows them."""
    return f"{deck_id}.answers.json"
