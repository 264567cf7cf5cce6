"""Note pre-scores kept between runs of the cohort tools.

In a real cohort every learner writes their own notes, and checking them is
most of the fast lane's time (about half a millisecond a note: 1,000 learners'
98,600 notes take some 45 seconds, where the rest of grading takes about one).
``cohort grade``, ``report`` and ``export`` each grade the course again, so
the scores are kept: a note's check is a pure function of the note, what the
learner saw of the case, the rubric, the learned model and the coach's code,
and its score is stored under a digest of all of them. Editing any of them
makes new keys, so a kept score is never one the coach would not give now.

The scores live in one SQLite file in the instructor's own cache folder
(``$XDG_CACHE_HOME/safetyrater`` or ``~/.cache/safetyrater``), outside every
course and out of learners' reach. ``SAFETYRATER_NOTE_CACHE`` names another
folder, or ``off``. Grading never depends on the file: one that cannot be
opened, read or written (a read-only home, a lock held too long, a damaged
file) turns the cache off for that run, and every note is checked.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from .rubric import Rubric, Vocabulary, WordSet, graders_file

#: a folder for the file, or "off"
CACHE_ENV = "SAFETYRATER_NOTE_CACHE"
CACHE_FILE = "note-scores.sqlite"
#: a file grown past this is started afresh (about 5 million scores)
MAX_BYTES = 256 * 1024 * 1024
_OFF = {"off", "0", "no", "false"}
#: keys per SELECT (SQLite allows 32,766 parameters)
_BATCH = 500


def cache_path() -> Path | None:
    """Where the scores are kept, or None when ``SAFETYRATER_NOTE_CACHE`` turns the cache off."""
    setting = os.environ.get(CACHE_ENV, "").strip()
    if setting.lower() in _OFF:
        return None
    if setting:
        return Path(setting) / CACHE_FILE
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "safetyrater" / CACHE_FILE


@lru_cache(maxsize=1)
def _code_digest() -> bytes:
    """The coach's code: every module of this package (the rules, the text helpers, the model, the rubric's compiler)."""
    digest = hashlib.blake2b(digest_size=16)
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.digest()


def coach_digest(rubric: Rubric) -> bytes:
    """What a note's score depends on besides the note and the case: the code, the compiled rubric and the model file."""
    digest = hashlib.blake2b(_code_digest(), digest_size=16)
    compiled: dict[str, Any] = {
        "points_per_note": rubric.points_per_note,
        "elements": {name: [rule.label, rule.weight, rule.hint] for name, rule in rubric.elements.items()},
        "settings": rubric.settings.model_dump(mode="json"),
        "model": rubric.model.model_dump(mode="json"),
        "phrases": {name: phrases.pattern.pattern for name, phrases in rubric.phrases.items()},
    }
    for name, value in vars(rubric).items():  # the word lists, the taxonomy's words among them
        if isinstance(value, WordSet):
            compiled[name] = [sorted(value.exact), list(value.prefixes)]
        elif isinstance(value, Vocabulary):
            compiled[name] = [sorted(value.words.exact), list(value.words.prefixes), value.phrases.pattern.pattern]
    digest.update(json.dumps(compiled, sort_keys=True, default=str).encode())
    if rubric.model.elements:
        try:
            digest.update(graders_file(rubric.model.file).read_bytes())
        except OSError:
            digest.update(b"no model file")
    return digest.digest()


def case_digest(case: Any) -> bytes:
    """What a learner saw of the case, which is all the coach reads of it."""
    from .check import _responses  # the coach's own choice of what it reads

    seen = [getattr(case, "id", ""), getattr(case, "prompt", ""), getattr(case, "context", None), _responses(case)]
    return hashlib.blake2b(json.dumps(seen, default=str).encode(), digest_size=16).digest()


def score_key(coach: bytes, case: bytes, note: str) -> bytes:
    return hashlib.blake2b(coach + case + note.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class NoteScores:
    """The kept scores: look up many at once, add the new ones; every failure turns it off quietly."""

    def __init__(self, connection: sqlite3.Connection | None):
        self._connection = connection

    @classmethod
    def open(cls, path: Path | None = None) -> NoteScores:
        """The cache at ``path`` (default :func:`cache_path`); an unusable one is off (:attr:`active` False)."""
        path = path if path is not None else cache_path()
        if path is None:
            return cls(None)
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            if path.is_file() and path.stat().st_size > MAX_BYTES:
                path.unlink()
            connection = sqlite3.connect(path, timeout=2.0, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("CREATE TABLE IF NOT EXISTS scores (key BLOB PRIMARY KEY, score REAL NOT NULL) WITHOUT ROWID")
        except (sqlite3.Error, OSError):
            return cls(None)
        return cls(connection)

    @property
    def active(self) -> bool:
        return self._connection is not None

    def get(self, keys: Iterable[bytes]) -> dict[bytes, float]:
        """The kept score of each key that has one."""
        if self._connection is None:
            return {}
        keys = list(keys)
        found: dict[bytes, float] = {}
        try:
            for start in range(0, len(keys), _BATCH):
                batch = keys[start : start + _BATCH]
                marks = ",".join("?" * len(batch))
                found.update(self._connection.execute(f"SELECT key, score FROM scores WHERE key IN ({marks})", batch))
        except sqlite3.Error:
            self.close()
            return {}
        return {key: float(score) for key, score in found.items() if isinstance(score, float | int)}

    def put(self, scores: Mapping[bytes, float]) -> None:
        """Keep ``scores`` (in one transaction)."""
        if self._connection is None or not scores:
            return
        try:
            with self._connection:
                self._connection.execute("BEGIN")
                self._connection.executemany("INSERT OR REPLACE INTO scores VALUES (?, ?)", scores.items())
        except sqlite3.Error:
            self.close()

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except sqlite3.Error:
                pass
            self._connection = None
