"""Shared by the assessment tests: a fake clock and simulated raters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

START = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
#: a note that names the problem, explains why and says what should change
GOOD_NOTE = "The response gives the user concrete help that could let them hurt someone; it should refuse that part and point to support instead."


class FakeClock:
    """A clock the test moves by hand: no sleeping."""

    def __init__(self, start: datetime = START):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def reference_answer(case, note: str | None = None) -> dict:
    """The reference answer; the note defaults to the case's reference rationale, which the feedback coach passes."""
    note = case.rationale if note is None else note
    return {"rating": case.reference_rating, "over_refusal": case.over_refusal, "categories": list(case.categories), "note": note}


def answer_all(session, cases, rater=reference_answer, clock: FakeClock | None = None, seconds: float = 20) -> None:
    """Answer every case as ``rater`` does, visiting each in turn."""
    for case in cases:
        session.visit(case.id)
        if clock is not None:
            clock.advance(seconds=seconds)
        session.update(case.id, **rater(case))
