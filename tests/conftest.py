from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# the tests never read or write the instructor's kept note scores (~/.cache/safetyrater);
# tests/feedback/test_score_cache.py gives the cache a folder of its own
os.environ["SAFETYRATER_NOTE_CACHE"] = "off"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def bank():
    from safetyrater.bank.casebank import CaseBank

    return CaseBank.load(REPO / "datasets")


@pytest.fixture(scope="session")
def policy():
    from safetyrater.bank.policy import load_policy

    return load_policy(REPO / "graders" / "policy.toml")


@pytest.fixture
def datasets_copy(tmp_path: Path) -> Path:
    """A writable copy of datasets/ to break on purpose."""
    target = tmp_path / "datasets"
    shutil.copytree(REPO / "datasets", target)
    return target


FIXTURES = REPO / "tests" / "fixtures"


@pytest.fixture(scope="session")
def mixed_root(tmp_path_factory) -> Path:
    """A course checkout whose bank (tests/fixtures/bank) mixes every kind of case.

    It has the real taxonomy and policy; its decks are ``lesson-01-fx-mixed``
    (practice) and ``ex01-fx-mixed`` (graded), with content warnings on some cases.
    """
    root = tmp_path_factory.mktemp("mixed-course")
    shutil.copytree(FIXTURES / "bank", root / "datasets")
    shutil.copy(REPO / "datasets" / "taxonomy.toml", root / "datasets" / "taxonomy.toml")
    (root / "graders").mkdir()
    for name in ("policy.toml", "rubric.toml", "comment_bank.toml", "feedback_model.json"):
        shutil.copy(REPO / "graders" / name, root / "graders" / name)
    return root


@pytest.fixture(scope="session")
def mixed_bank(mixed_root):
    from safetyrater.bank.casebank import CaseBank

    return CaseBank.load(mixed_root / "datasets")


def perfect_answer(case) -> dict:
    """The answer that agrees with the reference on every part of one case."""
    if case.kind == "pairwise":
        return {"choice": case.reference_choice, "reason": ""}
    if case.kind == "span":
        return {"flagged": sorted(case.reference_unsafe), "rating": case.reference_rating, "note": ""}
    if case.kind == "multidim":
        return {"dimensions": dict(case.references), "note": ""}
    return {
        "rating": case.reference_rating,
        "over_refusal": case.over_refusal,
        "categories": list(case.categories),
        "note": "",
    }


def perfect_answers(cases) -> dict:
    """Answers that agree with the reference on every case."""
    return {c.id: perfect_answer(c) for c in cases}


def write_submission(course: Path, learner: str, exercise: str, answers: dict | None = None, text: str | None = None) -> Path:
    """A learner's answer file where nbgrader keeps submissions in the kit's layout.

    ``answers`` are written as a valid answer file; ``text`` is written as it is
    (to break the file on purpose); with neither, the submission has no answer file.
    """
    import json

    folder = course / "graders" / "cohort" / "submitted" / learner / exercise
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{exercise}.answers.json"
    if answers is not None:
        path.write_text(json.dumps({"format": 1, "exercise": exercise, "answers": answers}))
    elif text is not None:
        path.write_text(text)
    return path


@pytest.fixture(scope="session")
def course_cycle(tmp_path_factory, bank):
    """The one nbgrader course the slow nbgrader tests share (see tests/support/nbgrader_course.py).

    Under pytest-xdist it is built once for the run and each worker gets its own
    copy (tests/support/built_once.py): building it takes minutes of nbgrader.
    """
    from support.nbgrader_course import build_course_cycle, shared_course_cycle

    if not os.environ.get("PYTEST_XDIST_WORKER"):  # one process: nobody to share it with
        return build_course_cycle(tmp_path_factory.mktemp("course-cycle"), bank)
    return shared_course_cycle(tmp_path_factory, bank)


@pytest.fixture(scope="session")
def adversarial_course(tmp_path_factory):
    """Honest ivy and hostile learners, graded in one nbgrader run (see tests/support/adversaries.py).

    Under pytest-xdist it is built once for the run and each worker gets its own
    copy (tests/support/built_once.py), as :func:`course_cycle` is.
    """
    from support.adversaries import build_adversarial_course, shared_adversarial_course

    if not os.environ.get("PYTEST_XDIST_WORKER"):  # one process: nobody to share it with
        return build_adversarial_course(tmp_path_factory.mktemp("adversaries"))
    return shared_adversarial_course(tmp_path_factory)
