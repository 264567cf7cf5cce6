"""The learner's mistake patterns, from every answer they gave, and a deck of unseen cases for them.

Every answer file the learner has (``course/*.answers.json``, the exercises'
answer files when this install holds their key, and the mock-assessment attempt
files) is scored by the grading core; each mistake counts toward a pattern:

* **over-flagging**: a safe response rated risky or harmful, or over-rated;
* **polite harm missed**: harm under a helpful, polite surface rated too low;
* **over-refusals accepted**: a refusal of a safe request not ticked;
* **weak areas**: the risk areas of the cases where points were lost.

The deck takes lesson-bank cases the learner has never answered, never an
exercise's or the assessment pool's (those are graded), in proportion to how
often each pattern occurred.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..answers import read_answer_file
from ..assessment.session import ATTEMPT_SUFFIX, read_attempt_file
from ..bank.casebank import CaseBank
from ..bank.policy import Policy
from ..errors import SafetyraterError
from ..paths import answers_filename, course_dir, exercises_dir

#: the deck's id: its answers save to ``weak-spots.answers.json`` beside the page
DECK_ID = "weak-spots"
DECK_SIZE = 10
#: fewer mistakes than this and there is no pattern to speak of
MIN_MISTAKES = 2


@dataclass(frozen=True)
class Pattern:
    name: str
    #: what the learner reads: the pattern and what the deck gives to practise it
    words: str
    #: the mistake codes (:data:`safetyrater.kinds.rating` mistakes) that count toward it
    codes: frozenset[str]
    #: which unseen cases practise it
    fits: Callable[[Any], bool]


PATTERNS = (
    Pattern(
        "over-flagging",
        "You flag safe responses: practise on responses that sound alarming but are safe.",
        frozenset({"flagged-safe", "over-rated"}),
        lambda case: case.reference_rating == "safe" and not case.over_refusal,
    ),
    Pattern(
        "polite harm missed",
        "You miss harm when the response is polite: practise on harmful responses with a helpful tone.",
        frozenset({"missed-polite-harm", "missed-harm", "under-rated"}),
        lambda case: case.reference_rating != "safe" and ("polite-harm" in case.tags or case.reference_rating == "harmful"),
    ),
    Pattern(
        "over-refusals accepted",
        "You accept refusals of safe requests: practise spotting over-refusals.",
        frozenset({"accepted-over-refusal"}),
        lambda case: bool(case.over_refusal),
    ),
)


@dataclass
class Mistakes:
    """What the learner's answers show: how many cases were scored, each pattern's count, points lost by risk area."""

    scored: int = 0
    patterns: Counter[str] = field(default_factory=Counter)
    areas: Counter[str] = field(default_factory=Counter)
    seen: set[str] = field(default_factory=set)
    #: answer files that could not be read (named, never fatal)
    problems: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.patterns.values())

    def weak_areas(self, count: int = 3) -> list[str]:
        return [area for area, _ in self.areas.most_common(count)]


def answer_sources(root: Path | str | None = None) -> tuple[list[Path], list[Path]]:
    """The learner's answer files (lessons, exercises, this deck) and mock-assessment attempt files."""
    course = course_dir(root)
    exercises = exercises_dir(root)
    files = sorted(course.glob("*.answers.json")) + (sorted(exercises.glob("*/*.answers.json")) if exercises.is_dir() else [])
    attempts = sorted(course.glob(f".mock-assessment-*{ATTEMPT_SUFFIX}"))
    return [f for f in files if not f.name.startswith(".")], attempts


def learner_mistakes(bank: CaseBank, policy: Policy, root: Path | str | None = None) -> Mistakes:
    """Score every answer the learner has with the grading core and count the mistakes by pattern and risk area."""
    # the grading core (pandas) loads when the page asks for the deck
    from ..frames import records
    from ..grading.core import score_deck

    found = Mistakes()
    files, attempts = answer_sources(root)
    answer_sets: list[dict[str, dict[str, Any]]] = []
    for path in files:
        try:
            answer_sets.append(read_answer_file(path).answers)
        except SafetyraterError as exc:
            found.problems.append(str(exc))
    for path in attempts:
        try:
            answer_sets.append(read_attempt_file(path).answers)
        except SafetyraterError as exc:
            found.problems.append(str(exc))
    for answers in answer_sets:
        # only cases this install can grade (a learner kit holds no exercise key)
        cases = [bank.cases[case_id] for case_id in answers if case_id in bank.cases and bank.cases[case_id].kind == "rating"]
        found.seen |= set(answers)
        if not cases:
            continue
        for row, case in zip(records(score_deck(answers, cases, policy)), cases, strict=True):
            codes = set(row["mistakes"]) - {"not-answered"}
            if not answers.get(case.id, {}).get("rating"):
                continue  # an unanswered case is not a mistake pattern
            found.scored += 1
            for pattern in PATTERNS:
                if codes & pattern.codes:
                    found.patterns[pattern.name] += 1
            if row["points"] < row["max_points"]:
                for area in case.categories:
                    found.areas[area] += 1
    return found


def _order(case_id: str, salt: str) -> str:
    # a stable shuffle: the same learner history draws the same deck
    return hashlib.sha256(f"{salt}:{case_id}".encode()).hexdigest()


def draw_deck(bank: CaseBank, mistakes: Mistakes, size: int = DECK_SIZE, salt: str = "") -> list[str]:
    """Up to ``size`` unseen lesson-bank rating cases, shared among the learner's patterns by how often each occurred.

    Weak areas get what the patterns leave (at least a quarter of the deck when
    the learner lost points in some area); with no pattern at all, the deck
    mixes every kind of case.
    """
    graded = {case_id for deck in bank.decks.values() if deck.mode == "graded" for case_id in deck.cases}
    unseen = sorted(
        (
            case
            for case in bank.cases.values()
            if case.kind == "rating" and case.use == "lesson" and case.id not in mistakes.seen and case.id not in graded
        ),
        key=lambda case: _order(case.id, salt),
    )
    chosen: list[str] = []

    def take(fits: Callable[[Any], bool], count: int) -> None:
        for case in unseen:
            if len(chosen) >= size or count <= 0:
                return
            if case.id not in chosen and fits(case):
                chosen.append(case.id)
                count -= 1

    weak = set(mistakes.weak_areas())
    area_share = size // 4 if weak else 0
    total = mistakes.total
    for pattern in sorted(PATTERNS, key=lambda p: -mistakes.patterns[p.name]):
        if mistakes.patterns[pattern.name]:
            share = round((size - area_share) * mistakes.patterns[pattern.name] / total) if total else 0
            # a pattern's cases from the weak areas first, then any
            take(in_areas(pattern.fits, weak), share)
            take(pattern.fits, share - sum(1 for c in chosen if pattern.fits(bank.cases[c])))
    take(lambda case: bool(weak & set(case.categories)), size - len(chosen))
    take(lambda case: True, size - len(chosen))
    return chosen


def in_areas(fits: Callable[[Any], bool], areas: set[str]) -> Callable[[Any], bool]:
    """``fits`` narrowed to cases in one of ``areas``."""
    return lambda case: fits(case) and bool(areas & set(case.categories))


def deck_answers_file(folder: Path | str) -> Path:
    return Path(folder) / answers_filename(DECK_ID)
