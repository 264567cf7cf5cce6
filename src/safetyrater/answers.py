"""Learner answers as data: one small JSON file per exercise beside the notebook.

Each kind of card saves its own fields (rating cards: ``rating``,
``over_refusal``, ``categories``, ``note``; see each kind's ``answer_fields`` in
:mod:`safetyrater.kinds`). The format (``format: 1``)::

    {
      "format": 1,
      "exercise": "ex01-two-questions",
      "answers": {
        "core-012": {"rating": "risky", "over_refusal": false,
                     "categories": ["health-advice"], "note": "...",
                     "updated": "2026-11-29T10:02:11+00:00"}
      }
    }

Every change is written atomically (a temporary file in the same folder, then
``os.replace``), so the file on disk is always a complete old or new version.
Reading is tolerant: a wrong value in one answer is the grader's business (it
scores 0 with a message), not a reason to refuse the whole file.
"""

from __future__ import annotations

import glob
import hashlib
import os
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from .errors import DataError, Problem
from .io import read_json, write_atomic
from .paths import answers_filename

FORMAT_VERSION = 1


@dataclass
class AnswerFile:
    path: Path
    deck_id: str
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: lesson cases whose Check panel the learner has opened (shown again on reopening); never in exercises
    checked: set[str] = field(default_factory=set)
    #: when a self-study learner finished the exercise (its answers are locked and graded); None while open
    finished: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"format": FORMAT_VERSION, "exercise": self.deck_id, "answers": self.answers}
        if self.checked:
            data["checked"] = sorted(self.checked)
        if self.finished:
            data["finished"] = self.finished
        return data


def read_answer_file(path: Path | str) -> AnswerFile:
    """Parse an answer file; raise :class:`DataError` naming the file if it is unusable."""
    path = path if isinstance(path, Path) else Path(path)  # Path(a Path) parses it again
    data, deck_id, answers = _answer_data(path)
    checked = data.get("checked", [])
    finished = data.get("finished")
    return AnswerFile(
        path,
        deck_id,
        answers,
        {str(c) for c in checked} if isinstance(checked, list) else set(),
        str(finished) if finished else None,
    )


def read_answers(path: Path | str, *, follow_links: bool = True) -> tuple[str, dict[str, dict[str, Any]]]:
    """The exercise and the answers of an answer file, read as :func:`read_answer_file` reads them.

    For the cohort's fast lane, which reads thousands of files by their path as text and needs nothing else.
    ``follow_links`` False: a link is not opened (:class:`~safetyrater.io.LinkNotFollowed`).
    """
    _, deck_id, answers = _answer_data(path, follow_links)
    return deck_id, answers


def _answer_data(path: Path | str, follow_links: bool = True) -> tuple[dict[str, Any], str, dict[str, dict[str, Any]]]:
    """An answer file's JSON object, its exercise, and its answers (a non-object answer kept as ``{"_invalid": value}``)."""

    def fail(message: str) -> DataError:
        return DataError([Problem(path, None, None, message)])

    data = read_json(path, "answer file", follow_links=follow_links)
    if not isinstance(data, dict):
        raise fail("expected a JSON object with 'exercise' and 'answers'")
    deck_id = data.get("exercise")
    if not isinstance(deck_id, str) or not deck_id:
        raise fail("'exercise' is missing or not a string")
    answers = data.get("answers", {})
    if not isinstance(answers, dict):
        raise fail("'answers' must be an object keyed by case id")
    return data, deck_id, {str(k): v if isinstance(v, dict) else {"_invalid": v} for k, v in answers.items()}


class AnswerFileMismatch(DataError):
    """The answer file beside a deck holds the answers of another deck."""

    def __init__(self, path: Path, found: str, expected: str):
        self.path, self.found, self.expected = path, found, expected
        super().__init__([Problem(path, None, "exercise", f"holds answers for {found!r}, not {expected!r}")])


BACKUP_SUFFIX = ".bak"
#: a temporary file older than this is left from a write that never finished (a killed kernel)
STALE_TEMP_SECONDS = 60


def side_file(path: Path, suffix: str) -> Path:
    """A side-file of an answer file: a dot-name beside it (``.ex01.answers.json.bak``), hidden from file browsers."""
    return path.with_name(f".{path.name}{suffix}")


def remove_stale_temp_files(path: Path, older_than: float = STALE_TEMP_SECONDS) -> int:
    """Delete temporary files of ``path`` that a killed writer left behind; return how many.

    :func:`~safetyrater.io.write_atomic` writes ``.<name>.<random>.tmp`` and renames it in
    one step; only a process killed between the two leaves one. A file younger than
    ``older_than`` seconds may belong to a write in progress and is kept.
    """
    removed = 0
    now = time.time()
    for temp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        try:
            if now - temp.stat().st_mtime > older_than:
                temp.unlink()
                removed += 1
        except OSError:
            continue  # gone already, or not ours to remove
    return removed


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class CardStore(Protocol):
    """What a card needs of where its answers live: an :class:`AnswerStore` in lessons and
    exercises, an assessment's :class:`~safetyrater.assessment.session.AttemptSession` in a timed attempt."""

    #: why the last save failed (None: it reached the disk)
    save_error: str | None

    def get(self, case_id: str) -> dict[str, Any]: ...

    def update(self, case_id: str, **fields: Any) -> bool: ...


class AnswerStore:
    """The answers of one deck, kept in memory and saved on every change.

    Every successful save also refreshes ``<file>.bak``, the last good copy.
    If the file on disk cannot be read, it is moved aside (never deleted),
    the answers are restored from the ``.bak`` copy when it is readable
    (``restored_from_backup``), and ``recovered_from`` names the damaged
    file. If a save fails (read-only folder, full disk) the answer stays in
    memory, ``save_error`` says why, and the next change tries again.

    Two tabs (or kernels) may hold a store of the same deck. Before each save
    the store checks whether the file changed on disk since it last read or
    wrote it; if so it takes the other tab's answers for every case it did
    not change itself, keeps its own latest change (last change wins), and
    ``notice`` tells the learner.
    """

    def __init__(
        self, deck_id: str, folder: Path | str | None = None, *, fields: Collection[str] | None = None, what: str = "answer"
    ):
        self.deck_id = deck_id
        #: the fields an answer may have (each kind's card saves its own; None: any), and what an answer is called
        self.fields = frozenset(fields) if fields is not None else None
        self.what = what
        self.path = Path(folder if folder is not None else Path.cwd()) / answers_filename(deck_id)
        self.backup_path = side_file(self.path, BACKUP_SUFFIX)
        self.answers: dict[str, dict[str, Any]] = {}
        #: lesson cases whose Check panel is open (their cards show it again on reopening)
        self.checked: set[str] = set()
        #: when the learner finished the exercise (self-study), else None
        self.finished: str | None = None
        self.recovered_from: Path | None = None
        self.restored_from_backup = False
        self.load_problem: str | None = None
        self.save_error: str | None = None
        #: a message for the learner about the last save (another tab changed the file)
        self.notice: str | None = None
        self._disk_digest: str | None = None
        self._changed: set[str] = set()
        remove_stale_temp_files(self.path)
        if self.path.exists():
            self._load()

    def _load(self) -> None:
        try:
            loaded = read_answer_file(self.path)
        except DataError as exc:
            backup = side_file(self.path, f".corrupt-{datetime.now(UTC):%Y%m%dT%H%M%S%f}")
            os.replace(self.path, backup)
            self.recovered_from = backup
            self.load_problem = str(exc)
            self._restore_backup()
            return
        if loaded.deck_id != self.deck_id:
            raise AnswerFileMismatch(self.path, loaded.deck_id, self.deck_id)
        self.answers = loaded.answers
        self.checked = loaded.checked
        self.finished = loaded.finished
        self._disk_digest = self._current_digest()

    def _restore_backup(self) -> None:
        """Start from the last good copy, when there is a readable one of this deck."""
        legacy = self.path.with_name(self.path.name + BACKUP_SUFFIX)  # where copies were kept before they were hidden
        for candidate in (self.backup_path, legacy):
            try:
                loaded = read_answer_file(candidate)
            except DataError:
                continue
            if loaded.deck_id == self.deck_id:
                break
        else:
            return
        self.answers = loaded.answers
        self.checked = loaded.checked
        self.finished = loaded.finished
        self.restored_from_backup = True
        # put the good copy back as the answer file, so graders see it too
        self.save()

    def _current_digest(self) -> str | None:
        try:
            return _digest(self.path.read_bytes())
        except OSError:
            return None

    def get(self, case_id: str) -> dict[str, Any]:
        return dict(self.answers.get(case_id, {}))

    def mark_checked(self, case_id: str) -> None:
        """Remember that the learner opened a case's Check panel (a lesson card shows it again on reopening)."""
        if case_id not in self.checked:
            self.checked.add(case_id)
            self.save()

    def finish(self) -> bool:
        """Lock the answers (a self-study learner asked for the result); True when it reached the disk."""
        self.finished = datetime.now(UTC).isoformat(timespec="seconds")
        return self.save()

    def retake(self) -> Path | None:
        """Start the deck again with no answers; the finished attempt is kept as a hidden side-file, which is returned."""
        kept: Path | None = None
        if self.path.exists():
            number = 1
            while side_file(self.path, f".attempt-{number}").exists():
                number += 1
            kept = side_file(self.path, f".attempt-{number}")
            os.replace(self.path, kept)
        self.answers, self.checked, self.finished = {}, set(), None
        self._changed.clear()
        self._disk_digest = None
        self.save()
        return kept

    def update(self, case_id: str, **fields: Any) -> bool:
        """Record a change to one answer and save; True when it reached the disk."""
        unknown = set(fields) - self.fields if self.fields is not None else set()
        if unknown:
            raise ValueError(f"unknown {self.what} field(s): {sorted(unknown)}")
        answer = self.answers.setdefault(case_id, {})
        answer.update(fields)
        answer["updated"] = datetime.now(UTC).isoformat(timespec="seconds")
        self._changed.add(case_id)
        return self.save()

    def _merge_changes_on_disk(self) -> None:
        """Take another tab's answers for the cases this store did not change."""
        self.notice = None
        current = self._current_digest()
        if current is None or current == self._disk_digest:
            return
        try:
            theirs = read_answer_file(self.path)
        except DataError:
            return  # a damaged file is replaced by this complete version
        if theirs.deck_id != self.deck_id:
            return
        taken = 0
        for case_id, answer in theirs.answers.items():
            if case_id not in self._changed and answer != self.answers.get(case_id):
                self.answers[case_id] = answer
                taken += 1
        self.checked |= theirs.checked
        self.finished = self.finished or theirs.finished
        self.notice = (
            f"{self.path.name} was also changed in another tab or window. Your latest change here was kept"
            + (f" and {taken} answer(s) from the other tab were added" if taken else "")
            + "; reload this page to see every answer as saved."
        )

    def save(self) -> bool:
        self._merge_changes_on_disk()
        data = AnswerFile(self.path, self.deck_id, self.answers, self.checked, self.finished).to_json()
        try:
            text = write_atomic(self.path, data)
            # the last good copy: restored from when the answer file is found damaged
            write_atomic(self.backup_path, data)
        except OSError as exc:
            self.save_error = f"could not save to {self.path} ({exc.strerror or exc}); your answers are kept and saving will be retried"
            return False
        self.save_error = None
        self._disk_digest = _digest(text.encode("utf-8"))
        self._changed.clear()
        return True
