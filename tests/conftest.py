from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def bank():
    from safetyrater.casebank import CaseBank

    return CaseBank.load(REPO / "datasets")


@pytest.fixture(scope="session")
def policy():
    from safetyrater.policy import load_policy

    return load_policy(REPO / "graders" / "policy.toml")


@pytest.fixture
def datasets_copy(tmp_path: Path) -> Path:
    """A writable copy of datasets/ to break on purpose."""
    target = tmp_path / "datasets"
    shutil.copytree(REPO / "datasets", target)
    return target


def perfect_answers(cases) -> dict:
    """Answers that agree with the reference on every case."""
    return {
        c.id: {"dimensions": dict(c.references), "note": ""}  # multi-dimension cases (issue 10)
        if c.kind == "multidim"
        else {
            "rating": c.reference_rating,
            "over_refusal": c.over_refusal,
            "categories": list(c.categories),
            "note": "",
        }
        for c in cases
    }
