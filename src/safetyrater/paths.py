"""Where the course lives: its folders, the case bank's files, the lesson notebooks.

Every path the kit reads or writes in a course checkout is made here, from the
course root (``$SAFETYRATER_ROOT``, else the checkout this package sits in, or a
``root`` given to the function).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

#: Set this to a course checkout to use its datasets/ and graders/ from anywhere
#: (for example when nbgrader runs a notebook in a temporary folder).
ROOT_ENV = "SAFETYRATER_ROOT"

DATASETS = "datasets"
GRADERS = "graders"
COURSE = "course"
EXERCISES = "exercises"
SOLUTIONS = "solutions"

#: the bank's case files: cases/*.jsonl, the held-back assessment pool pool/*.jsonl (kept
#: apart so a learner deployment can leave it out), and graded cases without their
#: references as a learner kit ships them (public/*.jsonl)
CASES_DIR = "cases"
POOL_DIR = "pool"
PUBLIC_DIR = "public"

#: a module of the course: ``course/NN-words.ipynb`` (``00`` is the start page)
MODULE_FILE = re.compile(r"^(?P<number>\d{2})(?P<part>[a-z]?)-(?P<slug>[A-Za-z0-9][A-Za-z0-9_-]*)\.ipynb$")
START_NUMBER = 0


def project_root() -> Path:
    """The course checkout: $SAFETYRATER_ROOT, else the tree this package sits in."""
    env = os.environ.get(ROOT_ENV)
    if env:
        return Path(env).resolve()
    # src/safetyrater/paths.py -> the checkout (an editable install, as the README does)
    return Path(__file__).resolve().parents[2]


def _root(root: Path | str | None) -> Path:
    return Path(root) if root is not None else project_root()


def datasets_dir(root: Path | str | None = None) -> Path:
    """The case bank, the taxonomy, the decks and the other course data."""
    return _root(root) / DATASETS


def graders_dir(root: Path | str | None = None) -> Path:
    """The policy, the rubrics, nbgrader's configuration and the cohort workspace."""
    return _root(root) / GRADERS


def course_dir(root: Path | str | None = None) -> Path:
    """The lesson notebooks (``NN-*.ipynb``)."""
    return _root(root) / COURSE


def exercises_dir(root: Path | str | None = None) -> Path:
    """The learner versions of the graded exercises (nbgrader's release folder)."""
    return _root(root) / EXERCISES


def solutions_dir(root: Path | str | None = None) -> Path:
    """The instructor versions of the graded exercises (nbgrader's source folder)."""
    return _root(root) / SOLUTIONS


def answers_filename(deck_id: str) -> str:
    """The answer file a deck's cards write, beside the notebook that shows them."""
    return f"{deck_id}.answers.json"


def case_files(datasets: Path) -> list[Path]:
    """The bank's case files: cases/*.jsonl, then the assessment pool's pool/*.jsonl."""
    return sorted((datasets / CASES_DIR).glob("*.jsonl")) + sorted((datasets / POOL_DIR).glob("*.jsonl"))


def public_files(datasets: Path) -> list[Path]:
    """The graded cases a learner kit carries without their references (public/*.jsonl)."""
    return sorted((datasets / PUBLIC_DIR).glob("*.jsonl"))


def module_number(path: Path | str) -> int | None:
    """The module a course notebook is (``02-risk-categories.ipynb`` -> 2), or None."""
    found = MODULE_FILE.match(Path(path).name)
    return int(found.group("number")) if found else None
