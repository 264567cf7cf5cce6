"""Are answers saved atomically, restored, and never lost when a file is broken?"""

from __future__ import annotations

import json
import os

import pytest

from safetyrater.answers import AnswerStore, read_answer_file
from safetyrater.errors import DataError


def test_update_writes_the_documented_format(tmp_path):
    store = AnswerStore("ex01-two-questions", tmp_path)
    assert store.update("core-001", rating="risky", over_refusal=False, categories=["privacy"], note="n")
    data = json.loads((tmp_path / "ex01-two-questions.answers.json").read_text())
    assert data["format"] == 1
    assert data["exercise"] == "ex01-two-questions"
    answer = data["answers"]["core-001"]
    assert {k: answer[k] for k in ("rating", "over_refusal", "categories", "note")} == {
        "rating": "risky",
        "over_refusal": False,
        "categories": ["privacy"],
        "note": "n",
    }
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_new_store_restores_saved_answers(tmp_path):
    AnswerStore("d", tmp_path).update("c1", rating="safe")
    assert AnswerStore("d", tmp_path).get("c1")["rating"] == "safe"


def test_corrupt_file_is_moved_aside_not_deleted(tmp_path):
    path = tmp_path / "d.answers.json"
    path.write_text('{"exercise": "d", "answers": {"c1": {"rating": "sa')
    store = AnswerStore("d", tmp_path)
    assert store.answers == {}
    assert store.recovered_from is not None
    assert store.recovered_from.read_text().startswith('{"exercise": "d"')
    assert not path.exists()


def test_answers_for_another_exercise_are_refused(tmp_path):
    AnswerStore("other", tmp_path).update("c1", rating="safe")
    os.replace(tmp_path / "other.answers.json", tmp_path / "d.answers.json")
    with pytest.raises(DataError, match="holds answers for 'other'"):
        AnswerStore("d", tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only folders")
def test_read_only_folder_keeps_the_answer_in_memory(tmp_path):
    tmp_path.chmod(0o500)
    try:
        store = AnswerStore("d", tmp_path)
        assert store.update("c1", rating="harmful") is False
        assert store.get("c1")["rating"] == "harmful"
        assert "could not save" in store.save_error
    finally:
        tmp_path.chmod(0o700)


def test_failed_save_keeps_the_answer_in_memory(tmp_path, monkeypatch):
    store = AnswerStore("d", tmp_path)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("safetyrater.answers.write_atomic", full_disk)
    assert store.update("c1", rating="harmful") is False
    assert store.get("c1")["rating"] == "harmful"
    assert "No space left on device" in store.save_error
    monkeypatch.undo()
    assert store.update("c1", note="retry") is True
    assert read_answer_file(store.path).answers["c1"]["rating"] == "harmful"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "answer file is empty"),
        ("[1, 2]", "expected a JSON object"),
        ('{"answers": {}}', "'exercise' is missing"),
        ('{"exercise": "d", "answers": []}', "'answers' must be an object"),
        ('{"exercise": "d",\n "answers": {', "2: not valid JSON"),
    ],
)
def test_unusable_answer_files_name_the_file_and_problem(tmp_path, content, message):
    path = tmp_path / "d.answers.json"
    path.write_text(content)
    with pytest.raises(DataError) as info:
        read_answer_file(path)
    assert str(info.value).startswith(str(path))
    assert message in str(info.value)
