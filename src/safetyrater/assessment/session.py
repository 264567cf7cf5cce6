"""One timed attempt at a mock assessment, saved as data beside the notebook.

An attempt file (``.mock-assessment-<form>-<n>.attempt.json``, format 1) holds the
form's case ids (no references), when the attempt started, its deadline, the
answers given in time, the answers changed after the deadline (kept apart and
marked late), the seconds spent on each case and, once submitted, when::

    {
      "format": 1, "kind": "safetyrater-mock-assessment",
      "form": "n40-s7", "seed": 7, "attempt": 1, "cases": ["pool-case-a", ...],
      "minutes": 60, "started": "2026-11-29T10:00:00+00:00",
      "deadline": "2026-11-29T11:00:00+00:00", "submitted": null,
      "answers": {"pool-case-a": {"rating": "risky", "over_refusal": false,
                  "categories": ["violent-crime"], "note": "...", "updated": "..."}},
      "late_answers": {}, "seconds": {"pool-case-a": 42.5}
    }

Every change is written with :func:`safetyrater.answers.write_atomic`, so a
kernel restart loses nothing: re-running the notebook resumes the open attempt
with its original deadline. ``.mock-assessment.history.json`` in the same folder
lists every attempt started there, with its result once graded; it is what the
attempt cap counts and what the report compares with.

The clock is a function returning an aware ``datetime``; tests pass a fake one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ..bank.policy import AssessmentPolicy
from ..errors import DataError, Problem, SafetyraterError
from ..io import read_json, write_atomic
from ..kinds import answer_fields
from .forms import Form

ATTEMPT_FORMAT = 1
ATTEMPT_KIND = "safetyrater-mock-assessment"
ATTEMPT_SUFFIX = ".attempt.json"
#: attempts and their history are dot-names: hidden from file browsers, beside the notebook
HISTORY_FILE = ".mock-assessment.history.json"

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


class AttemptError(SafetyraterError):
    """An attempt cannot start or change (cap reached, already submitted)."""


class AttemptLimitReached(AttemptError):
    """The form has been attempted as often as the policy allows."""


@dataclass
class Attempt:
    """The data of one attempt: what the attempt file holds."""

    path: Path
    form: str
    seed: int
    number: int
    case_ids: list[str]
    minutes: float
    started: datetime
    deadline: datetime
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    late_answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    submitted: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "format": ATTEMPT_FORMAT,
            "kind": ATTEMPT_KIND,
            "form": self.form,
            "seed": self.seed,
            "attempt": self.number,
            "cases": list(self.case_ids),
            "minutes": self.minutes,
            "started": _iso(self.started),
            "deadline": _iso(self.deadline),
            "submitted": _iso(self.submitted) if self.submitted else None,
            "answers": self.answers,
            "late_answers": self.late_answers,
            "seconds": self.seconds,
        }

    def save(self) -> None:
        write_atomic(self.path, self.to_json())

    @property
    def submitted_late(self) -> bool:
        return self.submitted is not None and self.submitted > self.deadline

    def answers_for_grading(self, late_answers: str) -> dict[str, dict[str, Any]]:
        """The answers to score: those given in time, with late changes on top if the policy scores them."""
        if late_answers != "scored":
            return {case_id: dict(answer) for case_id, answer in self.answers.items()}
        merged = {case_id: dict(answer) for case_id, answer in self.answers.items()}
        for case_id, late in self.late_answers.items():
            merged.setdefault(case_id, {}).update(late)
        return merged


def read_attempt_file(path: Path | str) -> Attempt:
    """Parse an attempt file; raise :class:`DataError` naming the file and the problem."""
    path = Path(path)

    def fail(field_name: str | None, message: str) -> DataError:
        return DataError([Problem(path, None, field_name, message)])

    data = read_json(path, "attempt file")
    if not isinstance(data, dict) or data.get("kind") != ATTEMPT_KIND:
        raise fail("kind", f"not a mock-assessment attempt (expected 'kind': {ATTEMPT_KIND!r})")
    if data.get("format") != ATTEMPT_FORMAT:
        raise fail("format", f"unknown format {data.get('format')!r} (expected {ATTEMPT_FORMAT})")
    cases = data.get("cases")
    if not isinstance(cases, list) or not cases or not all(isinstance(c, str) for c in cases):
        raise fail("cases", "must be a non-empty list of case ids")
    moments: dict[str, datetime] = {}
    for name in ("started", "deadline", "submitted"):
        value = data.get(name)
        if value is None and name == "submitted":
            continue
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None:
            raise fail(name, f"expected an ISO date and time, not {value!r}")
        if moment.tzinfo is None:
            raise fail(name, "needs a time zone (such as +00:00)")
        moments[name] = moment
    for name in ("answers", "late_answers", "seconds"):
        if not isinstance(data.get(name, {}), dict):
            raise fail(name, "must be an object keyed by case id")
    if not isinstance(data.get("form"), str) or not isinstance(data.get("seed"), int):
        raise fail("form", "'form' (text) and 'seed' (a whole number) are required")
    minutes = data.get("minutes")
    if not isinstance(minutes, int | float) or minutes <= 0:
        raise fail("minutes", f"must be a positive number, not {minutes!r}")

    def answers(name: str) -> dict[str, dict[str, Any]]:
        return {str(k): v if isinstance(v, dict) else {"_invalid": v} for k, v in data.get(name, {}).items()}

    seconds = {str(k): float(v) for k, v in data.get("seconds", {}).items() if isinstance(v, int | float)}
    return Attempt(
        path=path,
        form=data["form"],
        seed=data["seed"],
        number=int(data.get("attempt", 1)),
        case_ids=list(cases),
        minutes=float(minutes),
        started=moments["started"],
        deadline=moments["deadline"],
        answers=answers("answers"),
        late_answers=answers("late_answers"),
        seconds=seconds,
        submitted=moments.get("submitted"),
    )


class History:
    """Every attempt started in a folder, and its result once graded."""

    def __init__(self, folder: Path | str):
        self.path = Path(folder) / HISTORY_FILE
        self.entries: list[dict[str, Any]] = []
        self.recovered_from: Path | None = None
        if self.path.exists():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                entries = data["attempts"]
                if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
                    raise ValueError("'attempts' must be a list of objects")
                self.entries = entries
            except (ValueError, KeyError, TypeError, UnicodeDecodeError):
                # kept, never deleted, like a broken answer file
                self.recovered_from = self.path.with_name(f"{self.path.name}.corrupt-{utc_now():%Y%m%dT%H%M%S}")
                os.replace(self.path, self.recovered_from)

    def save(self) -> None:
        write_atomic(self.path, {"format": 1, "attempts": self.entries})

    def attempts_of(self, form_id: str) -> list[dict[str, Any]]:
        return [e for e in self.entries if e.get("form") == form_id]

    def entry(self, attempt_file: str) -> dict[str, Any] | None:
        return next((e for e in self.entries if e.get("file") == attempt_file), None)

    def add(self, attempt: Attempt) -> None:
        self.entries.append(
            {
                "file": attempt.path.name,
                "form": attempt.form,
                "seed": attempt.seed,
                "attempt": attempt.number,
                "cases": len(attempt.case_ids),
                "minutes": attempt.minutes,
                "started": _iso(attempt.started),
                "submitted": None,
                "result": None,
            }
        )
        self.save()

    def record(self, attempt: Attempt, result: dict[str, Any] | None = None) -> None:
        """Note an attempt's submission and, when graded, its result summary."""
        entry = self.entry(attempt.path.name)
        if entry is None:
            self.add(attempt)
            entry = self.entries[-1]
        entry["submitted"] = _iso(attempt.submitted) if attempt.submitted else None
        if result is not None:
            entry["result"] = result
        self.save()

    def earlier_results(self, attempt: Attempt) -> list[dict[str, Any]]:
        """Graded attempts started before ``attempt``, oldest first."""
        started = _iso(attempt.started)
        found = [
            e
            for e in self.entries
            if e.get("result") and e.get("file") != attempt.path.name and str(e.get("started", "")) < started
        ]
        return sorted(found, key=lambda e: str(e.get("started")))


class AttemptSession:
    """A running attempt: saves each answer at once, marks late ones, times each case.

    It offers what a rating card needs of an answer store (``get``, ``update``,
    ``save_error``), so the course's cards work unchanged in graded mode.
    """

    def __init__(self, attempt: Attempt, clock: Clock = utc_now):
        self.attempt = attempt
        self.clock = clock
        self.save_error: str | None = None
        self.current: str | None = None
        self._visit_started: datetime | None = None

    @property
    def path(self) -> Path:
        return self.attempt.path

    @property
    def submitted(self) -> bool:
        return self.attempt.submitted is not None

    def now(self) -> datetime:
        moment = self.clock()
        if moment.tzinfo is None:
            raise ValueError("the clock must return an aware datetime (with a time zone)")
        return moment

    def seconds_left(self) -> float:
        """Seconds until the deadline; negative once the time is up."""
        return (self.attempt.deadline - self.now()).total_seconds()

    def time_is_up(self) -> bool:
        return self.seconds_left() <= 0

    def get(self, case_id: str) -> dict[str, Any]:
        """The learner's latest answer to a case (late changes included)."""
        answer = dict(self.attempt.answers.get(case_id, {}))
        answer.update(self.attempt.late_answers.get(case_id, {}))
        return answer

    def is_late(self, case_id: str) -> bool:
        return case_id in self.attempt.late_answers

    def update(self, case_id: str, **fields: Any) -> bool:
        """Record a change to one answer and save; True when it reached the disk.

        After the deadline the change goes to ``late_answers`` with
        ``late: true``; the answer given in time stays as it was.
        """
        submitted = self.attempt.submitted
        if submitted is not None:
            raise AttemptError(f"{self.path.name}: submitted at {_iso(submitted)}; answers can no longer change")
        unknown = set(fields) - set(answer_fields())
        if unknown:
            raise ValueError(f"unknown answer field(s): {sorted(unknown)}")
        if case_id not in self.attempt.case_ids:
            raise ValueError(f"case {case_id!r} is not in form {self.attempt.form}")
        now = self.now()
        if now >= self.attempt.deadline:  # the same moment time_is_up() says so
            answer = self.attempt.late_answers.setdefault(case_id, {})
            answer.update(fields, late=True)
        else:
            answer = self.attempt.answers.setdefault(case_id, {})
            answer.update(fields)
        answer["updated"] = _iso(now)
        return self.save()

    def visit(self, case_id: str | None) -> None:
        """The learner now looks at ``case_id`` (None: at no case); time the one they leave."""
        now = self.now()
        if self.current is not None and self._visit_started is not None:
            spent = max((now - self._visit_started).total_seconds(), 0.0)
            total = self.attempt.seconds.get(self.current, 0.0) + spent
            self.attempt.seconds[self.current] = round(total, 1)
        self.current, self._visit_started = case_id, now if case_id is not None else None
        self.save()

    def submit(self) -> None:
        """Close the attempt: stop timing, note when, save. Answers can no longer change."""
        if self.submitted:
            return
        self.visit(None)
        self.attempt.submitted = self.now()
        if not self.save():
            self.attempt.submitted = None
            raise AttemptError(self.save_error or f"could not save {self.path}")

    def save(self) -> bool:
        try:
            self.attempt.save()
        except OSError as exc:
            self.save_error = f"could not save to {self.path} ({exc.strerror or exc}); your answers are kept and saving will be retried"
            return False
        self.save_error = None
        return True


def attempt_filename(form_id: str, number: int) -> str:
    return f".mock-assessment-{form_id}-{number}{ATTEMPT_SUFFIX}"


def start_attempt(
    folder: Path | str,
    form: Form,
    minutes: float,
    policy: AssessmentPolicy,
    clock: Clock = utc_now,
) -> AttemptSession:
    """Begin a new attempt at ``form`` in ``folder``; the clock starts now.

    Raises :class:`AttemptLimitReached` when the form has been attempted
    ``policy.attempts_per_form`` times in this folder.
    """
    if minutes <= 0:
        raise AttemptError(f"an attempt needs a positive number of minutes, not {minutes}")
    folder = Path(folder)
    history = History(folder)
    earlier = history.attempts_of(form.id)
    if len(earlier) >= policy.attempts_per_form:
        raise AttemptLimitReached(
            f"form {form.id} has been attempted {len(earlier)} time(s), the most the policy allows "
            f"(attempts_per_form = {policy.attempts_per_form} in graders/policy.toml); draw another form with a different seed"
        )
    number = len(earlier) + 1
    session = AttemptSession(
        Attempt(
            path=folder / attempt_filename(form.id, number),
            form=form.id,
            seed=form.seed,
            number=number,
            case_ids=list(form.case_ids),
            minutes=float(minutes),
            started=(started := clock()),
            deadline=started + timedelta(minutes=minutes),
        ),
        clock,
    )
    if not session.save():
        raise AttemptError(session.save_error or f"could not save {session.path}")
    history.add(session.attempt)
    return session


def open_attempt(folder: Path | str, form_id: str | None = None, clock: Clock = utc_now) -> AttemptSession | None:
    """The latest attempt in ``folder`` not yet submitted (of ``form_id`` if given), to resume."""
    folder = Path(folder)
    for entry in reversed(History(folder).entries):
        if entry.get("submitted") or (form_id is not None and entry.get("form") != form_id):
            continue
        path = folder / str(entry.get("file"))
        if not path.exists():
            continue
        attempt = read_attempt_file(path)
        if attempt.submitted is None:
            return AttemptSession(attempt, clock)
    return None


def submit_attempt(session: AttemptSession) -> None:
    """Submit an attempt and note it in the history beside it (grading may happen elsewhere)."""
    session.submit()
    History(session.path.parent).record(session.attempt)
