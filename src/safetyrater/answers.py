"""Learner answers as data: one small JSON file per exercise beside the notebook.

The format (``format: 1``)::

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

import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import DataError, Problem
from .paths import answers_filename

FORMAT_VERSION = 1
#: rating cards: rating, over_refusal, categories, note; pairwise cards: choice
#: ("a", "b" or "equal") and reason; span-flag cards: flagged (segment indices),
#: rating and note; multi-dimension cards: dimensions ({dimension id: level id}) and note
ANSWER_FIELDS = ("rating", "over_refusal", "categories", "note", "choice", "reason", "flagged", "dimensions")


@dataclass
class AnswerFile:
    path: Path
    deck_id: str
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT_VERSION, "exercise": self.deck_id, "answers": self.answers}


def read_answer_file(path: Path | str) -> AnswerFile:
    """Parse an answer file; raise :class:`DataError` naming the file if it is unusable."""
    path = Path(path)

    def fail(message: str, line: int | None = None) -> DataError:
        return DataError([Problem(path, line, None, message)])

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise fail("answer file not found") from None
    except UnicodeDecodeError:
        raise fail("not UTF-8 text") from None
    except OSError as exc:
        raise fail(f"cannot read answer file ({exc.strerror})") from None
    if not text.strip():
        raise fail("answer file is empty")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(f"not valid JSON: {exc.msg}", exc.lineno) from None
    if not isinstance(data, dict):
        raise fail("expected a JSON object with 'exercise' and 'answers'")
    deck_id = data.get("exercise")
    if not isinstance(deck_id, str) or not deck_id:
        raise fail("'exercise' is missing or not a string")
    answers = data.get("answers", {})
    if not isinstance(answers, dict):
        raise fail("'answers' must be an object keyed by case id")
    clean = {str(k): v if isinstance(v, dict) else {"_invalid": v} for k, v in answers.items()}
    return AnswerFile(path, deck_id, clean)


def write_atomic(path: Path, data: dict[str, Any]) -> None:
    """Write JSON so that a crash leaves either the old or the new complete file."""
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


class AnswerFileMismatch(DataError):
    """The answer file beside a deck holds the answers of another deck."""

    def __init__(self, path: Path, found: str, expected: str):
        self.path, self.found, self.expected = path, found, expected
        super().__init__([Problem(path, None, "exercise", f"holds answers for {found!r}, not {expected!r}")])


class AnswerStore:
    """The answers of one deck, kept in memory and saved on every change.

    If the file on disk cannot be read, it is moved aside (never deleted) and
    the store starts empty; ``recovered_from`` names the backup. If a save
    fails (read-only folder, full disk) the answer stays in memory,
    ``save_error`` says why, and the next change tries again.
    """

    def __init__(self, deck_id: str, folder: Path | str | None = None):
        self.deck_id = deck_id
        self.path = Path(folder if folder is not None else Path.cwd()) / answers_filename(deck_id)
        self.answers: dict[str, dict[str, Any]] = {}
        self.recovered_from: Path | None = None
        self.save_error: str | None = None
        if self.path.exists():
            self._load()

    def _load(self) -> None:
        try:
            loaded = read_answer_file(self.path)
        except DataError as exc:
            backup = self.path.with_name(f"{self.path.name}.corrupt-{datetime.now(UTC):%Y%m%dT%H%M%S}")
            os.replace(self.path, backup)
            self.recovered_from = backup
            self.load_problem = str(exc)
            return
        if loaded.deck_id != self.deck_id:
            raise AnswerFileMismatch(self.path, loaded.deck_id, self.deck_id)
        self.answers = loaded.answers

    def get(self, case_id: str) -> dict[str, Any]:
        return dict(self.answers.get(case_id, {}))

    def update(self, case_id: str, **fields: Any) -> bool:
        """Record a change to one answer and save; True when it reached the disk."""
        unknown = set(fields) - set(ANSWER_FIELDS)
        if unknown:
            raise ValueError(f"unknown answer field(s): {sorted(unknown)}")
        answer = self.answers.setdefault(case_id, {})
        answer.update(fields)
        answer["updated"] = datetime.now(UTC).isoformat(timespec="seconds")
        return self.save()

    def save(self) -> bool:
        data = AnswerFile(self.path, self.deck_id, self.answers).to_json()
        try:
            write_atomic(self.path, data)
        except OSError as exc:
            self.save_error = f"could not save to {self.path} ({exc.strerror or exc}); your answers are kept and saving will be retried"
            return False
        self.save_error = None
        return True
