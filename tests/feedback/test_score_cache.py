"""Are note scores kept between runs exactly the scores the coach gives, and does a cache that fails never stop grading?"""

from __future__ import annotations

import shutil

import pytest

from safetyrater.cohort.grade import NOTES_CASE, grade_course
from safetyrater.feedback.model import read_labelled_notes
from safetyrater.feedback.rubric import load_rubric
from safetyrater.feedback.score_cache import CACHE_ENV, CACHE_FILE, NoteScores, case_digest, coach_digest

from conftest import REPO, perfect_answers, write_submission

EXERCISE = "ex07-writing-feedback"


@pytest.fixture
def course(tmp_path, bank):
    """Five learners, each writing their own notes (labelled notes, so the coach's scores vary)."""
    cases = bank.deck_cases(EXERCISE)
    texts = [row["text"] for row in read_labelled_notes()[:60]]
    for number in range(5):
        answers = perfect_answers(cases)
        for position, case in enumerate(cases):
            answers[case.id] = {**answers[case.id], "note": f"{texts[(number * 7 + position) % len(texts)]} ({number})"}
        write_submission(tmp_path / "course", f"learner-{number}", EXERCISE, answers)
    return tmp_path / "course"


def _notes_points(grades) -> dict[str, float]:
    rows = grades.scores[grades.scores["case"] == NOTES_CASE]
    return dict(zip(rows["learner"], rows["points"], strict=True))


def _no_checks(*args, **kwargs):
    raise AssertionError("a note was checked again")


def test_a_second_run_reads_the_kept_scores_and_they_are_the_coachs(course, bank, policy, tmp_path, monkeypatch):
    cold = _notes_points(grade_course(course, bank=bank, policy=policy, progress=False))
    assert len(set(cold.values())) > 1  # the notes differ, so the scores can tell a mix-up

    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    first = _notes_points(grade_course(course, bank=bank, policy=policy, progress=False))
    assert (tmp_path / "cache" / CACHE_FILE).is_file()
    monkeypatch.setattr("safetyrater.feedback.prescore.check_reading", _no_checks)
    kept = _notes_points(grade_course(course, bank=bank, policy=policy, progress=False))
    assert first == cold and kept == cold


def test_a_changed_rubric_model_setting_or_case_makes_new_keys(tmp_path, bank):
    rubric = load_rubric()
    changed = tmp_path / "rubric.toml"
    text = (REPO / "graders" / "rubric.toml").read_text(encoding="utf-8")
    changed.write_text(text.replace("weight = 1", "weight = 2", 1), encoding="utf-8")
    assert text != changed.read_text(encoding="utf-8")
    assert coach_digest(load_rubric(changed)) != coach_digest(rubric)
    assert coach_digest(load_rubric(REPO / "graders" / "rubric.toml")) == coach_digest(rubric)

    case = bank.deck_cases(EXERCISE)[0]
    assert case_digest(case) == case_digest(case.model_copy())
    assert case_digest(case.model_copy(update={"response": case.response + " More."})) != case_digest(case)


def test_an_unusable_cache_never_stops_grading(course, bank, policy, tmp_path, monkeypatch):
    expected = _notes_points(grade_course(course, bank=bank, policy=policy, progress=False))
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / CACHE_FILE).write_bytes(b"this is not a database" * 100)
    for folder in (blocker, damaged):
        monkeypatch.setenv(CACHE_ENV, str(folder))
        assert _notes_points(grade_course(course, bank=bank, policy=policy, progress=False)) == expected, folder
    assert not NoteScores.open(blocker / CACHE_FILE).active


def test_the_cache_is_off_when_asked_and_writes_nothing(course, bank, policy, tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    grade_course(course, bank=bank, policy=policy, progress=False)
    assert not (tmp_path / "xdg").exists()
    monkeypatch.delenv(CACHE_ENV)
    grade_course(course, bank=bank, policy=policy, progress=False)
    assert (tmp_path / "xdg" / "safetyrater" / CACHE_FILE).is_file()
    shutil.rmtree(tmp_path / "xdg")
