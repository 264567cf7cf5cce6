"""A self-study retake of an exercise: the same exercise, drawn afresh from cases the learner has not seen.

A self-study learner who finishes an exercise sees which cases cost points;
taking the same cases again would test memory, not judgment. *Retake* therefore
draws a new set: each case of the exercise is replaced by a spare case of the
bank (a course case in no deck, never a pool case) of the same module and kind
and, for rating cases, the same answer class (harmful, risky, safe,
over-refusal), so the retake is as hard and as balanced as the exercise. A deck
laid out in pairs is redrawn pair by pair from spare contrast pairs. Where the
bank has no unseen spare that fits, the exercise's own case stays.

The draw is kept in a hidden side-file beside the answer file
(``.<deck>.answers.json.draw``), so the page shows the same cases when it is
reopened. Cohort installs never draw: their exercises are graded by nbgrader
against the released cases.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..answers import side_file
from ..bank.casebank import CaseBank
from ..bank.schema import Deck
from ..io import write_atomic

#: the side-file that holds a retake's cases
DRAW_SUFFIX = ".draw"


def draw_file(answer_file: Path) -> Path:
    return side_file(answer_file, DRAW_SUFFIX)


def _answer_class(case: Any) -> str:
    # rating cases: the one label a rater should give; other kinds are matched by kind and module alone
    if case.kind != "rating":
        return str(case.kind)
    return "over-refusal" if case.over_refusal else str(case.reference_rating)


def _order(case_id: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{case_id}".encode()).hexdigest()


def spare_case_ids(bank: CaseBank) -> list[str]:
    """Course cases in no deck: never shown by a lesson or an exercise, never from the assessment pool."""
    in_decks = {case_id for deck in bank.decks.values() for case_id in deck.cases}
    return sorted(c.id for c in bank.cases.values() if c.use == "lesson" and c.id not in in_decks)


def draw_retake(bank: CaseBank, deck: Deck, seen: Iterable[str], salt: str) -> list[str]:
    """The case ids of a fresh attempt at ``deck``: unseen spares matched case by case (pair by pair for paired decks)."""
    seen = set(seen) | set(deck.cases)
    spares = sorted((bank.cases[i] for i in spare_case_ids(bank) if i not in seen), key=lambda c: _order(c.id, salt))
    originals = [bank.cases[i] for i in deck.cases]
    chosen: list[str] = []
    if deck.layout == "pairs":
        groups: dict[str, list[Any]] = {}
        for case in spares:
            if case.contrast_group:
                groups.setdefault(case.contrast_group, []).append(case)
        pairs = [sorted(g, key=lambda c: c.id) for g in groups.values() if len(g) == 2]
        for start in range(0, len(originals), 2):
            slot = originals[start : start + 2]
            wanted = sorted(_answer_class(c) for c in slot)
            fits = [p for p in pairs if p[0].module == slot[0].module and p[0].kind == slot[0].kind and len(slot) == 2]
            pair = next((p for p in fits if sorted(_answer_class(c) for c in p) == wanted), fits[0] if fits else None)
            if pair is None:
                chosen.extend(c.id for c in slot)
            else:
                pairs.remove(pair)
                chosen.extend(c.id for c in pair)
        return chosen
    for original in originals:
        same = [c for c in spares if c.module == original.module and c.kind == original.kind and c.id not in chosen]
        fit = next((c for c in same if _answer_class(c) == _answer_class(original)), None)
        chosen.append(fit.id if fit is not None else original.id)
    return chosen


def read_draw(bank: CaseBank, deck: Deck, answer_file: Path) -> Deck:
    """``deck`` with the cases of its current retake, or ``deck`` itself when there is none (or it no longer fits the bank)."""
    path = draw_file(answer_file)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return deck
    cases = data.get("cases") if isinstance(data, dict) else None
    if (
        not isinstance(cases, list)
        or len(cases) != len(deck.cases)
        or len(set(cases)) != len(cases)
        or not all(isinstance(c, str) and c in bank.cases for c in cases)
    ):
        return deck
    return deck.model_copy(update={"cases": cases})


def seen_in_draws(answer_file: Path) -> list[str]:
    """Every case the learner was given in earlier retakes of this exercise (kept in the draw file)."""
    try:
        data = json.loads(draw_file(answer_file).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    seen = data.get("seen") if isinstance(data, dict) else None
    return [c for c in seen if isinstance(c, str)] if isinstance(seen, list) else []


def retake_deck(bank: CaseBank, deck: Deck, answer_file: Path, attempt: int) -> Deck:
    """Draw a fresh attempt at the bank's ``deck``, keep it beside the answer file and return it as a deck."""
    original = bank.deck(deck.id)
    seen = sorted({*seen_in_draws(answer_file), *deck.cases, *original.cases})
    cases = draw_retake(bank, original, seen, salt=f"{deck.id}:{attempt}")
    write_atomic(draw_file(answer_file), {"exercise": deck.id, "cases": cases, "seen": sorted({*seen, *cases})})
    return original.model_copy(update={"cases": cases})
