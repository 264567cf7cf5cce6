"""Does the learner kit give learners the lessons and exercise cases, and never a key?"""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest

from conftest import REPO


def course_copy(tmp: Path, datasets: Path | None = None) -> Path:
    """A course root holding what the kit is built from (and the parts it must leave out)."""
    root = tmp / "course-root"
    for part in ("course", "solutions", "exercises"):
        shutil.copytree(REPO / part, root / part)
    shutil.copytree(datasets or REPO / "datasets", root / "datasets")
    shutil.copytree(REPO / "graders", root / "graders", ignore=shutil.ignore_patterns("cohort"))
    (root / "graders" / "cohort").mkdir()
    return root


@pytest.fixture
def kit(tmp_path):
    from safetyrater.deploy.learnerkit import build_learner_kit

    build_learner_kit(tmp_path / "kit", course_copy(tmp_path))
    return tmp_path / "kit"


def all_text(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*")) if p.is_file())


def test_kit_has_lessons_and_policy_but_no_solutions_or_grading_setup(kit):
    assert sorted(p.name for p in (kit / "course").glob("*.ipynb")) == sorted(p.name for p in (REPO / "course").glob("*.ipynb"))
    for name in ("policy.toml", "rubric.toml"):
        assert (kit / "graders" / name).read_bytes() == (REPO / "graders" / name).read_bytes()
    for never in ("solutions", "exercises", "graders/nbgrader_config.py", "graders/cohort", "graders/dashboard.ipynb", "datasets/pool"):
        assert not (kit / never).exists(), never
    assert (REPO / "graders" / "instructor-notes.md").exists()
    assert not (kit / "graders" / "instructor-notes.md").exists()


def test_graded_cases_reach_learners_without_their_reference(kit, bank):
    """Is every exercise case in the kit with its text, and no reference rating, rationale or categories?"""
    from safetyrater.bank.casebank import CaseBank
    from safetyrater.kinds import kind_of

    graded = [cid for deck in bank.decks.values() if deck.mode == "graded" for cid in deck.cases]
    kit_bank = CaseBank.load(kit / "datasets")
    assert sorted(kit_bank.public) == sorted(graded)
    assert not set(graded) & set(kit_bank.cases)
    public_lines = [json.loads(line) for line in (kit / "datasets" / "public" / "graded.jsonl").read_text().splitlines()]
    for record in public_lines:
        assert record == kind_of(bank.cases[record["id"]].kind).public(bank.cases[record["id"]]).model_dump(mode="json", exclude_none=True)
        assert not {"reference_rating", "over_refusal", "rationale", "categories", "tags", "difficulty"} & set(record)
    text = all_text(kit).replace("\\n", "\n").replace('\\"', '"')
    for cid in graded:
        assert bank.cases[cid].rationale not in text, f"the rationale of {cid} is in the kit"


def test_lesson_cases_keep_their_reference(kit, bank):
    """Lessons reveal references on purpose: are lesson cases in the kit in full?"""
    from safetyrater.bank.casebank import CaseBank

    kit_bank = CaseBank.load(kit / "datasets")
    lesson = {cid: case for cid, case in bank.cases.items() if case.use == "lesson"}
    assert kit_bank.cases == lesson


def test_a_learner_can_open_lessons_and_exercises_from_the_kit_alone(kit, tmp_path, monkeypatch):
    from safetyrater import show_deck
    from safetyrater.kinds.rating import RatingCard

    monkeypatch.setenv("SAFETYRATER_ROOT", str(kit))
    exercise = show_deck("ex01-two-questions", folder=tmp_path)
    assert len(exercise.cards) == 8 and not hasattr(exercise.cards[0], "check_button")
    exercise.cards[0].rating.value = "harmful"
    saved = json.loads((tmp_path / "ex01-two-questions.answers.json").read_text())
    assert saved["answers"][exercise.cards[0].case.id]["rating"] == "harmful"
    lesson = show_deck("lesson-01-two-questions", folder=tmp_path)
    card: RatingCard = lesson.cards[0]
    card.rating.value = "safe"
    assert card.check() is not None and "Reference rating" in card.feedback.value


def test_assessment_pool_stays_out_of_the_kit(tmp_path, bank):
    from safetyrater.deploy.learnerkit import build_learner_kit

    datasets = tmp_path / "datasets"
    shutil.copytree(REPO / "datasets", datasets)
    pool_case = bank.cases["core-009"].model_dump(mode="json") | {"id": "pool-001", "use": "assessment"}
    pool_case["rationale"] = (
        "A held-back rationale that only grading may ever read, never a learner's server: no help toward harm, "
        "because the answer gives ordinary safety advice that protects the user."
    )
    (datasets / "pool").mkdir(exist_ok=True)
    (datasets / "pool" / "zz-test-form.jsonl").write_text(json.dumps(pool_case) + "\n")
    summary = build_learner_kit(tmp_path / "kit", course_copy(tmp_path, datasets))
    assert summary.left_out >= 1
    assert not (tmp_path / "kit" / "datasets" / "pool").exists()
    assert "pool-001" not in all_text(tmp_path / "kit")


def test_kit_files_are_readable_by_everyone_and_writable_by_none_but_the_owner(kit):
    for path in [kit, *kit.rglob("*")]:
        mode = path.stat().st_mode
        assert mode & stat.S_IROTH and not mode & (stat.S_IWOTH | stat.S_IWGRP), path


def test_kit_refuses_to_replace_a_folder_that_is_not_a_kit(tmp_path):
    from safetyrater.errors import DataError
    from safetyrater.deploy.learnerkit import build_learner_kit

    target = tmp_path / "notes"
    target.mkdir()
    (target / "mine.txt").write_text("keep me")
    with pytest.raises(DataError, match="not a learner kit"):
        build_learner_kit(target, course_copy(tmp_path))
    assert (target / "mine.txt").read_text() == "keep me"


def test_a_rebuilt_kit_replaces_the_earlier_one(kit, tmp_path):
    from safetyrater.deploy.learnerkit import build_learner_kit

    (kit / "course" / "stale.ipynb").write_text("{}")
    build_learner_kit(kit, course_copy(tmp_path / "again"))
    assert not (kit / "course" / "stale.ipynb").exists()


def test_check_finds_a_key_copied_into_a_kit(kit, bank):
    """Can the kit's own check fail: does it notice an exercise rationale put into a kit?"""
    from safetyrater.deploy.learnerkit import check_learner_kit

    assert check_learner_kit(kit, bank) == []
    leaked = bank.cases["core-009"].rationale
    (kit / "course" / "notes.md").write_text(f"Answer: {leaked}")
    problems = check_learner_kit(kit, bank)
    assert [p.path.name for p in problems] == ["notes.md"] and "core-009" in problems[0].message


def test_a_public_case_that_carries_its_reference_is_rejected(kit):
    """Is a key in public/ a validation error, naming the file and the line?"""
    from safetyrater.bank.casebank import check_bank

    path = kit / "datasets" / "public" / "graded.jsonl"
    path.chmod(0o644)
    lines = path.read_text().splitlines()
    record = json.loads(lines[1]) | {"reference_rating": "safe"}
    lines[1] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n")
    problems, _ = check_bank(kit / "datasets")
    assert [str(p) for p in problems] == [f"{path}:2: reference_rating: unknown field"]


def test_command_line_builds_a_kit(tmp_path):
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "safetyrater", "hub", "kit", str(tmp_path / "kit")], capture_output=True, text=True, check=True
    ).stdout
    assert out.startswith(f"learner kit at {tmp_path / 'kit'}: ") and "without their reference" in out
    assert (tmp_path / "kit" / "datasets" / "public" / "graded.jsonl").exists()


def test_the_public_part_of_every_kind_of_case_carries_its_text_and_no_reference(bank):
    from safetyrater.kinds.pairwise import PairwiseCase
    from safetyrater.kinds import kind_of
    from safetyrater.kinds.span import SpanCase

    base = {"prompt": "How do I store bleach safely?", "categories": ["health-advice"], "difficulty": "easy",
            "rationale": "Both responses give ordinary household safety advice; neither adds a harm mechanism."}
    pairwise = PairwiseCase(id="pair-001", kind="pairwise", response_a="Keep it capped.", response_b="Keep it high up.",
                            reference_choice="equal", **base)
    span = SpanCase(id="span-001", kind="span", segments=["Keep it capped.", "Keep it high up."], reference_unsafe=[1],
                    reference_rating="risky", **base)
    for case, text in ((pairwise, {"response_a", "response_b"}), (span, {"segments"}), (bank.cases["core-009"], {"response"})):
        public = kind_of(case.kind).public(case).model_dump(exclude_none=True)
        assert set(public) == {"id", "kind", "prompt", "turns"} | text  # earlier turns are part of what a learner reads
