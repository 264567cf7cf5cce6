"""No answer lost: does autosave survive kills, restarts, two tabs, a full disk and damage?"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from safetyrater.answers import AnswerStore, read_answer_file

DECK = "ex01-two-questions"

# A learner clicking as fast as a machine can: every save writes a longer note.
SAVE_LOOP = """
import sys
from safetyrater.answers import AnswerStore
store = AnswerStore(sys.argv[1], sys.argv[2])
start = len(store.get("core-001").get("note", ""))
for n in range(start + 1, start + 100000):
    store.update("core-001", rating="risky", note="x" * n)
"""


def _complete_version(path: Path) -> int:
    """The note length of a complete answer file (fails on a partial one)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    answer = data["answers"]["core-001"]
    assert data["exercise"] == DECK and answer["rating"] == "risky"
    return len(answer["note"])


def test_kill_9_during_a_save_loop_leaves_a_complete_old_or_new_file(tmp_path):
    """Killed at random moments while saving, is the file always a complete version, never older than the last?"""
    rng = random.Random(8)
    last_seen = 0
    rounds = 12
    for _ in range(rounds):
        process = subprocess.Popen([sys.executable, "-c", SAVE_LOOP, DECK, str(tmp_path)])
        deadline = time.monotonic() + 10
        while not (tmp_path / f"{DECK}.answers.json").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.05, 0.4))
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        length = _complete_version(tmp_path / f"{DECK}.answers.json")
        assert length >= last_seen, "a kill rolled the answers back past a save already on disk"
        last_seen = length
        # the next 'kernel' starts from what is on disk, with nothing to recover
        restarted = AnswerStore(DECK, tmp_path)
        assert restarted.recovered_from is None
        assert len(restarted.get("core-001")["note"]) == length
    assert last_seen > rounds, "the save loop never got going"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(leftovers) <= rounds  # at most one half-written temp file per kill, never the answer file


def test_a_new_store_after_a_kernel_restart_has_every_answer(tmp_path):
    store = AnswerStore(DECK, tmp_path)
    store.update("core-001", rating="safe", note="fine")
    store.update("core-002", rating="harmful", categories=["privacy"])
    del store  # the kernel restarts
    restarted = AnswerStore(DECK, tmp_path)
    assert restarted.get("core-001")["rating"] == "safe"
    assert restarted.get("core-002")["categories"] == ["privacy"]


def test_two_tabs_writing_the_same_exercise_keep_both_and_the_learner_is_told(tmp_path):
    """Two tabs of one exercise: is the file never corrupt, the last change kept, the other tab's answers kept, and a notice shown?"""
    first, second = AnswerStore(DECK, tmp_path), AnswerStore(DECK, tmp_path)
    assert first.update("core-001", rating="safe")
    assert first.notice is None
    assert second.update("core-002", rating="risky")  # second never saw core-001
    assert second.notice and "another tab" in second.notice
    assert first.update("core-002", rating="harmful")  # last change to core-002 wins
    assert first.notice and "another tab" in first.notice
    saved = read_answer_file(tmp_path / f"{DECK}.answers.json").answers
    assert saved["core-001"]["rating"] == "safe"
    assert saved["core-002"]["rating"] == "harmful"
    # a quiet save after that, with no one else writing, has nothing to report
    assert first.update("core-003", rating="safe") and first.notice is None


def test_a_card_shows_the_other_tab_notice_in_its_status(tmp_path, bank):
    from safetyrater.widgets.deck import DeckView

    view = DeckView(bank, bank.deck(DECK), tmp_path)
    other = AnswerStore(DECK, tmp_path)
    other.update(view.cards[1].case.id, rating="safe")
    card = view.cards[0]
    card._save(rating="risky")
    assert "another tab" in card.status.value and "sr-problem" in card.status.value


def test_a_failing_disk_keeps_the_answer_in_memory_and_retries(tmp_path, monkeypatch):
    """Disk full (ENOSPC): is there a clear message, the answer still in memory, and the next save writes it?"""
    import errno

    import safetyrater.answers as answers_module

    store = AnswerStore(DECK, tmp_path)
    real_replace = os.replace

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(answers_module.os, "replace", disk_full)
    assert store.update("core-001", rating="harmful") is False
    assert "No space left on device" in store.save_error and "kept" in store.save_error
    assert store.get("core-001")["rating"] == "harmful"
    assert not list(tmp_path.glob("*.tmp")), "a failed save leaves no temp file behind"
    monkeypatch.setattr(answers_module.os, "replace", real_replace)
    assert store.update("core-002", rating="safe") is True and store.save_error is None
    saved = read_answer_file(store.path).answers
    assert saved["core-001"]["rating"] == "harmful" and saved["core-002"]["rating"] == "safe"


def test_a_damaged_answer_file_is_moved_aside_and_the_last_good_copy_restored(tmp_path):
    store = AnswerStore(DECK, tmp_path)
    store.update("core-001", rating="risky", note="names the risk")
    store.path.write_text('{"exercise": "ex01-two-questions", "answers": {"core-0')  # torn by a bad sync tool
    restarted = AnswerStore(DECK, tmp_path)
    assert restarted.recovered_from is not None and restarted.recovered_from.exists()
    assert restarted.recovered_from.read_text().startswith('{"exercise"'), "the damaged file is kept, not deleted"
    assert restarted.restored_from_backup
    assert restarted.get("core-001")["note"] == "names the risk"
    # the answer file itself is whole again, for the grader
    assert read_answer_file(store.path).answers["core-001"]["rating"] == "risky"


def test_the_deck_header_reports_a_restore_from_the_last_good_copy(tmp_path, bank):
    from safetyrater.widgets.deck import DeckView

    AnswerStore(DECK, tmp_path).update("core-001", rating="risky")
    (tmp_path / f"{DECK}.answers.json").write_bytes(b"\xff\xfe not text")
    view = DeckView(bank, bank.deck(DECK), tmp_path)
    assert "restored from the last good copy" in view.header.value
    assert ".corrupt-" in view.header.value


def test_without_a_good_copy_a_damaged_file_is_kept_and_a_new_one_started(tmp_path):
    (tmp_path / f"{DECK}.answers.json").write_text("[1, 2")
    store = AnswerStore(DECK, tmp_path)
    assert store.recovered_from is not None and not store.restored_from_backup
    assert store.answers == {} and store.load_problem
