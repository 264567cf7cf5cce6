"""Assessment forms: seeded, stratified draws from the held-back pool.

A form is the list of cases one mock assessment shows. It is drawn from the
pool (``datasets/pool/``, cases with ``use = "assessment"``) so that it looks
like the pool in miniature: the same shares of answer classes (harmful, risky,
safe, over-refusal) and of primary risk categories, as exactly as whole numbers
allow. The same pool, size and seed always give the same form.

Pool and course are disjoint by construction: the case bank only accepts
``use = "assessment"`` in ``pool/`` and nowhere else, and decks only show lesson
and exercise cases, so a form can never contain a case a learner has practised.

Consistency probes: a pool case with ``variant_of`` rewords another pool case
and has the same reference. Variants enter a form only as a pair with their
original (the original in the first half of the form, the rewording in the
second), so the report can check that the learner rated both alike.

The allocation to (answer class, category) cells is a small transportation
problem; :func:`scipy.sparse.csgraph.maximum_flow` solves it so both margins hold
exactly whenever the pool makes that possible.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import SafetyraterError
from ..kinds.rating import RATING, RatingCase, RatingView, answer_class

if TYPE_CHECKING:
    from ..bank.casebank import CaseBank

PUBLIC_FORM_FORMAT = 1


class FormError(SafetyraterError):
    """A form cannot be drawn (pool too small, bad size) or read."""


@dataclass(frozen=True)
class Form:
    """The cases of one mock assessment, in the order they are shown."""

    id: str
    seed: int
    case_ids: tuple[str, ...]
    #: (original, rewording) pairs inside this form
    probe_pairs: tuple[tuple[str, str], ...] = ()


def primary_category(case: RatingCase) -> str:
    """The first risk area a case lists: the one it was written for."""
    return case.categories[0]


def pool_cases(bank: CaseBank) -> list[RatingCase]:
    """The held-back pool: rating cases with ``use = "assessment"``, by id (a form shows rating cards)."""
    return sorted((c for c in bank.cases.values() if isinstance(c, RatingCase) and c.use == "assessment"), key=lambda c: c.id)


def probe_pairs_among(cases: Iterable[RatingCase]) -> list[tuple[str, str]]:
    """(original, rewording) pairs whose both cases are among ``cases``."""
    present = {c.id: c for c in cases}
    return sorted((c.variant_of, c.id) for c in present.values() if c.variant_of in present)


def form_id(cases: int, seed: int, probe_pairs: int | None = None) -> str:
    base = f"n{cases}-s{seed}"
    return base if probe_pairs is None else f"{base}-p{probe_pairs}"


def apportion(total: int, weights: dict[str, int], rng: random.Random) -> dict[str, int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder; ties by ``rng``)."""
    whole = sum(weights.values())
    exact = {key: total * weight / whole for key, weight in weights.items()}
    shares = {key: math.floor(value) for key, value in exact.items()}
    keys = sorted(weights)
    rng.shuffle(keys)
    keys.sort(key=lambda key: exact[key] - shares[key], reverse=True)  # stable: ties stay shuffled
    for key in keys[: total - sum(shares.values())]:
        shares[key] += 1
    return shares


def draw_form(
    pool: Sequence[RatingCase],
    cases: int = 40,
    seed: int = 0,
    *,
    probe_pairs: int | None = None,
    max_probe_pairs: int = 2,
) -> Form:
    """Draw ``cases`` cases from ``pool``, stratified like the pool, reproducibly from ``seed``.

    ``probe_pairs`` fixes how many consistency-probe pairs the form holds; by
    default the seed chooses between 0 and ``max_probe_pairs``, so some forms
    have probes and some do not. A form holds at most one pair per four cases.
    """
    by_id = {c.id: c for c in pool}
    originals = [c for c in pool if c.variant_of is None]
    if not originals:
        raise FormError(
            "the assessment pool is empty (no cases with use = 'assessment' in datasets/pool/); "
            "in a cohort, start from the form your instructor gave you: start_assessment(form_file='form.json')"
        )
    if not 1 <= cases <= len(originals):
        raise FormError(
            f"a form needs between 1 and {len(originals)} cases, not {cases} "
            f"(the pool has {len(originals)} cases to draw from and {len(pool) - len(originals)} reworded probes)"
        )
    rng = random.Random(seed)
    wanted_pairs = rng.randint(0, max_probe_pairs) if probe_pairs is None else probe_pairs
    wanted_pairs = max(0, min(wanted_pairs, cases // 4))

    # the shares come from the whole pool, as its authors balanced it
    class_quota = apportion(cases, Counter(answer_class(c) for c in pool), rng)
    category_quota = apportion(cases, Counter(primary_category(c) for c in pool), rng)
    expected = {
        (cls, cat): category_quota[cat] * class_quota[cls] / cases for cls in class_quota for cat in category_quota
    }

    pairs = _choose_pairs(pool, by_id, wanted_pairs, class_quota, category_quota, rng)
    taken: Counter[tuple[str, str]] = Counter()
    for original, _ in pairs:
        case = by_id[original]
        cell = (answer_class(case), primary_category(case))
        taken[cell] += 2
        class_quota[cell[0]] -= 2
        category_quota[cell[1]] -= 2
    paired = {case_id for pair in pairs for case_id in pair}
    remaining = [c for c in originals if c.id not in paired]
    chosen = _allocate(remaining, class_quota, category_quota, expected, taken, rng)

    regular = sorted(chosen)
    rng.shuffle(regular)
    half = len(regular) // 2
    first = regular[:half] + [original for original, _ in pairs]
    second = regular[half:] + [variant for _, variant in pairs]
    rng.shuffle(first)
    rng.shuffle(second)
    return Form(
        id=form_id(cases, seed, probe_pairs),
        seed=seed,
        case_ids=tuple(first + second),
        probe_pairs=tuple(pairs),
    )


def _choose_pairs(
    pool: Sequence[RatingCase],
    by_id: dict[str, RatingCase],
    wanted: int,
    class_quota: dict[str, int],
    category_quota: dict[str, int],
    rng: random.Random,
) -> list[tuple[str, str]]:
    candidates = [
        (c.variant_of, c.id)
        for c in pool
        if c.variant_of in by_id and by_id[c.variant_of].variant_of is None
    ]
    candidates.sort()
    rng.shuffle(candidates)
    classes, categories = dict(class_quota), dict(category_quota)
    pairs: list[tuple[str, str]] = []
    for original, variant in candidates:
        if len(pairs) == wanted:
            break
        case = by_id[original]
        cls, cat = answer_class(case), primary_category(case)
        # a pair must fit its strata, and two pairs never share a category
        if classes.get(cls, 0) >= 2 and categories.get(cat, 0) >= 2:
            classes[cls] -= 2
            categories[cat] = 0
            pairs.append((original, variant))
    return pairs


def _allocate(
    population: list[RatingCase],
    class_quota: dict[str, int],
    category_quota: dict[str, int],
    expected: dict[tuple[str, str], float],
    taken: Counter[tuple[str, str]],
    rng: random.Random,
) -> list[str]:
    """Case ids meeting both quotas, each cell near its expected count."""
    import numpy as np
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import maximum_flow

    cells: dict[tuple[str, str], list[str]] = {}
    for case in population:
        cells.setdefault((answer_class(case), primary_category(case)), []).append(case.id)
    needed = sum(class_quota.values())
    classes = sorted(class_quota)
    categories = sorted(category_quota)
    rng.shuffle(classes)
    rng.shuffle(categories)
    source, sink = 0, 1 + len(classes) + len(categories)
    class_node = {cls: 1 + i for i, cls in enumerate(classes)}
    category_node = {cat: 1 + len(classes) + i for i, cat in enumerate(categories)}

    allocation: dict[tuple[str, str], int] = {}
    # Tight caps keep each cell close to the pool's proportions; looser ones
    # are tried only when the tight ones cannot meet both quotas.
    for slack in (0, 1, None):
        capacity = np.zeros((sink + 1, sink + 1), dtype=np.int32)
        for cls in classes:
            capacity[source, class_node[cls]] = max(class_quota[cls], 0)
        for cat in categories:
            capacity[category_node[cat], sink] = max(category_quota[cat], 0)
        for (cls, cat), ids in cells.items():
            if cls not in class_node or cat not in category_node:
                continue
            cap = len(ids)
            if slack is not None:
                cap = min(cap, max(0, math.ceil(expected.get((cls, cat), 0)) + slack - taken[(cls, cat)]))
            capacity[class_node[cls], category_node[cat]] = cap
        result = maximum_flow(csr_array(capacity), source, sink)
        flow = result.flow.toarray()
        allocation = {
            (cls, cat): int(flow[class_node[cls], category_node[cat]])
            for (cls, cat) in cells
            if cls in class_node and cat in category_node
        }
        if result.flow_value == needed:
            break

    chosen: list[str] = []
    for cell in sorted(cells):
        count = allocation.get(cell, 0)
        if count:
            chosen += rng.sample(sorted(cells[cell]), count)
    if len(chosen) < needed:
        # The pool cannot meet both quotas (thin strata): fill up from the
        # classes and categories still short, as near as the pool allows.
        cell_of = {case_id: cell for cell, ids in cells.items() for case_id in ids}
        have_class = Counter(cell_of[case_id][0] for case_id in chosen)
        have_category = Counter(cell_of[case_id][1] for case_id in chosen)
        picked = set(chosen)
        left = sorted(case_id for case_id in cell_of if case_id not in picked)
        rng.shuffle(left)
        left.sort(
            key=lambda case_id: (
                have_class[cell_of[case_id][0]] >= class_quota.get(cell_of[case_id][0], 0),
                have_category[cell_of[case_id][1]] >= category_quota.get(cell_of[case_id][1], 0),
            )
        )
        chosen += left[: needed - len(chosen)]
    return chosen


def public_form(form: Form, bank: CaseBank, *, minutes: float | None = None) -> dict[str, Any]:
    """The form as a learner deployment may receive it: case texts, no references.

    For a cohort: draw the form where the pool is, hand this out (it holds the
    prompt, context, response and content warning of each case, nothing else),
    leave ``datasets/pool/`` out of the learners' copy, and grade the submitted
    attempt files with ``safetyrater assess report`` where the pool is.
    """
    cases = []
    for case_id in form.case_ids:
        view = RATING.public(bank.cases[case_id])
        cases.append({name: getattr(view, name) for name in ("id", "prompt", "context", "response", "content_warning")})
    data: dict[str, Any] = {"format": PUBLIC_FORM_FORMAT, "form": form.id, "seed": form.seed, "cases": cases}
    if minutes is not None:
        data["minutes"] = minutes
    return data


def read_public_form(data: Any, source: str = "form") -> tuple[Form, list[RatingView], float | None]:
    """A form, its learner-visible cases and its minutes from :func:`public_form`'s data."""

    def fail(message: str) -> FormError:
        return FormError(f"{source}: {message}")

    if not isinstance(data, dict) or data.get("format") != PUBLIC_FORM_FORMAT:
        raise fail(f"not a safetyrater assessment form (expected 'format': {PUBLIC_FORM_FORMAT})")
    if not isinstance(data.get("form"), str) or not isinstance(data.get("seed"), int):
        raise fail("'form' (text) and 'seed' (a whole number) are required")
    items = data.get("cases")
    if not isinstance(items, list) or not items:
        raise fail("'cases' must be a non-empty list")
    cases = []
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("id", "prompt", "response")):
            raise fail(f"case {number}: needs 'id', 'prompt' and 'response' as text")
        if any(key in item for key in ("reference_rating", "over_refusal", "rationale", "categories")):
            raise fail(f"case {item['id']}: carries reference fields; a learner's form must not")
        # the checks above are the form's: the text is shown as it came
        cases.append(
            RatingView.model_construct(
                id=item["id"],
                prompt=item["prompt"],
                context=item.get("context"),
                response=item["response"],
                content_warning=item.get("content_warning"),
            )
        )
    minutes = data.get("minutes")
    form = Form(data["form"], data["seed"], tuple(c.id for c in cases))
    return form, cases, float(minutes) if isinstance(minutes, int | float) else None
