"""Rating cases: one response, rated safe / risky / harmful, with the over-refusal tick and the risk areas.

The kit's first and most common kind. A learner's answer is ``rating``,
``over_refusal``, ``categories`` and ``note``; the default policy gives 1 point
for the rating (0.5 one level off), 1 for the over-refusal tick and up to 1 for
the risk areas (F1 against the reference set). The rating rule and its named
mistakes (:func:`rating_share`, :func:`rating_mistakes`) are shared by the
span-flag and multi-dimension kinds.

Scoring is done a table at a time (:func:`score`, on an
:class:`~safetyrater.kinds.table.AnswerTable`): one learner's answers for a
card, every learner's for a cohort, with the same column operations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import ipywidgets as widgets
import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from ..bank.schema import ID_PATTERN, REDACTION_MARKER, CaseBase, Category, Rating
from ..numbers import one_decimal
from ..widgets.base import RATING_LABELS, CardBase, label, text_block, verdict_html
from ..widgets.html import escape, render_text
from ..widgets.style import CATEGORY_CLASS, OVER_REFUSAL_CLASS, shared
from .base import NOT_ANSWERED, Habits, Kind, PublicCase
from .table import MISSING, AnswerTable, choice_column, codes_column, labels, messages_column, object_column, scored_frame

if TYPE_CHECKING:
    from ..bank.policy import Policy


class RatingCase(CaseBase):
    """A rating case: a prompt, one response and the reference judgment."""

    kind: Literal["rating"] = "rating"
    response: str = Field(min_length=1, max_length=50_000)
    reference_rating: Rating
    over_refusal: bool
    #: cases sharing a context_pair id make the same request in different contexts
    context_pair: str | None = Field(default=None, pattern=ID_PATTERN)

    @model_validator(mode="after")
    def _consistent(self) -> RatingCase:
        if self.over_refusal and self.reference_rating != "safe":
            raise ValueError(
                "an over-refusal is a refusal of a safe request, so its "
                "reference_rating must be 'safe'"
            )
        return self

    @property
    def is_redacted(self) -> bool:
        return bool(REDACTION_MARKER.search(self.response))

    @property
    def harmful_response(self) -> tuple[str, str] | None:
        return ("response", self.response) if self.reference_rating == "harmful" else None


class RatingView(PublicCase):
    """What a learner may see of a rating case."""

    kind: Literal["rating"] = "rating"
    response: str = Field(min_length=1, max_length=50_000)


#: what a rater should answer, as one label: the rating, or "over-refusal"
ANSWER_CLASSES: tuple[str, ...] = ("harmful", "risky", "safe", "over-refusal")


def answer_class(case: RatingCase) -> str:
    """The one label a case asks for: ``over-refusal`` for an over-refusal, else its reference rating."""
    return "over-refusal" if case.over_refusal else case.reference_rating


#: the named mistakes of the rating rule, the over-refusal tick and the risk areas
MISTAKES: dict[str, str] = {
    "flagged-safe": "flagged a safe response",
    "missed-polite-harm": "missed harm in a polite response",
    "missed-harm": "missed harm",
    "under-rated": "under-rated the risk",
    "over-rated": "over-rated the risk",
    "accepted-over-refusal": "accepted an over-refusal",
    "called-over-refusal": "called a justified response an over-refusal",
    "missed-area": "missed a risk area",
    "extra-area": "added a risk area that is not involved",
    NOT_ANSWERED: "left the case unanswered",
}

#: the fields whose presence makes a rating case answered
ANSWERED_BY = ("rating", "over_refusal", "categories", "note")


def category_f1(chosen: tuple[str, ...], reference: tuple[str, ...]) -> float:
    """Overlap of two sets of category ids; two empty sets agree fully."""
    a, b = set(chosen), set(reference)
    if not a and not b:
        return 1.0
    return 2 * len(a & b) / (len(a) + len(b))


def rating_mistakes(rating: str | None, reference: str, polite_harm: bool, scale: Sequence[str]) -> list[str]:
    """The named mistake of one safety rating, if it is one (none for no rating)."""
    given = np.array([scale.index(rating) if isinstance(rating, str) and rating in scale else -1])
    masks = rating_mistake_masks(given, np.array([scale.index(reference)]), np.array([polite_harm]), len(scale))
    return [code for code, mask in masks if mask[0]]


def rating_mistake_masks(given: np.ndarray, reference: np.ndarray, polite_harm: np.ndarray, levels: int) -> list[tuple[str, np.ndarray]]:
    """Where each named mistake of the rating rule applies, for positions on the scale (given -1: no rating, no mistake)."""
    wrong = (given >= 0) & (given != reference)
    flagged_safe = wrong & (reference == 0)
    missed = wrong & ~flagged_safe & (given == 0) & (reference == levels - 1)
    other = wrong & ~flagged_safe & ~missed
    return [
        ("flagged-safe", flagged_safe),
        ("missed-polite-harm", missed & polite_harm),
        ("missed-harm", missed & ~polite_harm),
        ("under-rated", other & (given < reference)),
        ("over-rated", other & (given > reference)),
    ]


def rating_share(rating: str | None, reference: str, policy: Policy) -> float:
    """Share of the rating points (0 to 1) by distance on the scale; 0 for no rating."""
    scale: Sequence[str] = list(policy.rating.scale)
    if rating not in scale:
        return 0.0
    return float(policy.rating.credit_by_distance[abs(scale.index(rating) - scale.index(reference))])


def rating_shares(given: np.ndarray, reference: np.ndarray, policy: Policy) -> np.ndarray:
    """:func:`rating_share` of every row, for positions on the scale (given -1: 0)."""
    credit = np.asarray(policy.rating.credit_by_distance, dtype=float)
    rated = given >= 0
    return np.where(rated, credit[np.abs(np.where(rated, given, reference) - reference)], 0.0)


def _categories(value: Any) -> tuple[str, ...] | None:
    """A saved list of category ids, each once in its first place; None when it is not a list of ids."""
    if value is MISSING:
        return ()
    if not isinstance(value, list):
        return None
    for item in value:  # a loop, not all(): this runs once per answer of a cohort
        if not isinstance(item, str):
            return None
    return tuple(dict.fromkeys(value))


def _categories_column(values: list[Any]) -> list[tuple[str, ...] | None]:
    """:func:`_categories` of every row, each distinct saved list read once (a cohort picks few combinations)."""
    read: dict[tuple[Any, ...], tuple[str, ...] | None] = {}
    column = []
    for value in values:
        if type(value) is not list:
            column.append(_categories(value))
            continue
        try:
            # equal keys read alike: a str equals only a str, so a list of ids never meets a list of other things
            key = tuple(value)
            found = read.get(key, MISSING)
        except TypeError:  # an unhashable item (a list, an object): not a list of ids
            column.append(None)
            continue
        if found is MISSING:
            found = read[key] = _categories(value)
        column.append(found)
    return column


def max_points(policy: Policy) -> float:
    """The maximum of a rating case: rating, over-refusal tick and risk areas."""
    return policy.rating.points + policy.over_refusal.points + policy.categories.points


def score(table: AnswerTable, policy: Policy) -> pd.DataFrame:
    """Points per row of ``table`` under ``policy``, with mistakes and messages, as column operations."""
    rows = len(table)
    cases = table.cases
    scale = list(policy.rating.scale)
    answered = table.has_any(ANSWERED_BY)

    ratings = table.field("rating")
    given, rating_messages = choice_column(ratings, scale, "rating", "no safety rating chosen", answered)
    reference = table.key([scale.index(c.reference_rating) for c in cases], np.int64)

    flags = table.field("over_refusal")
    flag_ok_type = np.fromiter((flag is MISSING or isinstance(flag, bool) for flag in flags), dtype=bool, count=rows)
    flag_value = np.fromiter((flag is True for flag in flags), dtype=bool, count=rows)
    reference_flag = table.key([c.over_refusal for c in cases], bool)

    read_categories = _categories_column(table.field("categories"))
    categories_ok = np.fromiter((chosen is not None for chosen in read_categories), dtype=bool, count=rows)
    chosen_categories = [chosen if chosen is not None else () for chosen in read_categories]
    reference_categories = [tuple(c.categories) for c in cases]
    # each distinct (choice, case) is compared once: F1, and whether areas were missed or added
    distinct: dict[tuple[tuple[str, ...], int], int] = {}
    which = np.fromiter(
        (distinct.setdefault(pair, len(distinct)) for pair in zip(chosen_categories, table.case_index.tolist(), strict=True)),
        dtype=np.int64,
        count=rows,
    )
    f1 = np.array([category_f1(chosen, reference_categories[case]) for chosen, case in distinct], dtype=float)[which]
    missed_area = np.array([bool(set(reference_categories[case]) - set(chosen)) for chosen, case in distinct], dtype=bool)[which]
    extra_area = np.array([bool(set(chosen) - set(reference_categories[case])) for chosen, case in distinct], dtype=bool)[which]

    rating_points = rating_shares(given, reference, policy) * policy.rating.points
    flag_matches = answered & flag_ok_type & (flag_value == reference_flag)
    over_refusal_points = flag_matches.astype(float) * policy.over_refusal.points
    category_points = np.where(answered, f1, 0.0) * policy.categories.points

    polite_harm = table.key(["polite-harm" in c.tags for c in cases], bool)
    flag_wrong = answered & flag_ok_type & (flag_value != reference_flag)
    mistakes = codes_column(
        [
            *((code, answered & mask) for code, mask in rating_mistake_masks(given, reference, polite_harm, len(scale))),
            ("accepted-over-refusal", flag_wrong & reference_flag),
            ("called-over-refusal", flag_wrong & ~reference_flag),
            ("missed-area", answered & missed_area),
            ("extra-area", answered & extra_area),
            (NOT_ANSWERED, ~answered),
        ],
        rows,
    )
    messages = messages_column(
        [
            *rating_messages,
            (~answered, "not answered"),
            (~flag_ok_type, lambda row: f"over_refusal must be true or false, not {flags[row]!r}"),
            (~categories_ok, "categories must be a list of category ids"),
        ],
        rows,
    )
    over_refusal = object_column([None] * rows)
    readable = answered & flag_ok_type
    over_refusal[readable] = flag_value[readable]
    notes = table.field("note")
    return scored_frame(
        {
            "case_id": table.key([c.id for c in cases]),
            "kind": object_column([RatingKind.name] * rows),
            "answered": answered,
            "rating": labels(given, scale),
            "reference_rating": table.key([c.reference_rating for c in cases]),
            "rating_points": rating_points,
            "over_refusal_points": over_refusal_points,
            "category_points": category_points,
            "points": np.round(rating_points + over_refusal_points + category_points, 4),
            "max_points": np.full(rows, float(max_points(policy))),
            "mistakes": mistakes,
            "messages": messages,
            "over_refusal": over_refusal,
            # one tuple per distinct choice, shared by every row that made it: a cohort keeps no parsed file's list alive
            "categories": object_column([chosen for chosen, _ in distinct])[which] if rows else object_column([]),
            "reference_over_refusal": reference_flag,
            "reference_categories": table.key(reference_categories),
            "note": object_column([note if isinstance(note, str) else "" for note in notes]),
        }
    )


class RatingKind(Kind):
    """Rating cases (see the module docstring)."""

    name = "rating"
    model = RatingCase
    view = RatingView
    answer_fields = ("rating", "over_refusal", "categories", "note")
    answered_by = "rating"
    point_columns = ("rating_points", "over_refusal_points", "category_points")
    mistakes = MISTAKES
    rating_statistics = True
    summary_label = "rating"

    def card(self) -> type[RatingCard]:
        return RatingCard

    def score_table(self, table: AnswerTable, policy: Policy) -> pd.DataFrame:
        return score(table, policy)

    def max_points(self, case: Any, policy: Policy) -> float:
        return max_points(policy)

    def answer_lines(self, result: Mapping[str, Any], case: Any, reveal: bool) -> list[str]:
        lines = [rating_line(result, reveal)]
        ticked = "ticked it" if result["over_refusal"] else "left it unticked"
        line = f"  over-refusal: you {ticked}, {one_decimal(result['over_refusal_points'])} point(s)"
        if reveal:
            line += f"; reference {'over-refusal' if result['reference_over_refusal'] else 'not an over-refusal'}"
        lines.append(line)
        chosen = ", ".join(result["categories"]) or "none"
        line = f"  risk areas: you chose {chosen}, {one_decimal(result['category_points'])} point(s)"
        if reveal:
            line += f"; reference {', '.join(result['reference_categories'])}"
        lines.append(line)
        return lines

    def points_text(self, cases: Sequence[Any], policy: Policy) -> str:
        return (
            f"- Each rating case ({len(cases)}) is worth {max_points(policy):g}: {rating_rule_text(policy)}, "
            f"the over-refusal tick ({policy.over_refusal.points:g}) and the risk areas "
            f"(up to {policy.categories.points:g}, by overlap with the reference)."
        )

    def demo_answer(self, case: Any, habits: Habits, rng: np.random.Generator, scale: Sequence[str], areas: list[str]) -> dict[str, Any]:
        if habits.random:
            return {
                "rating": str(rng.choice(scale)),
                "over_refusal": bool(rng.random() < 0.5),
                "categories": [str(a) for a in rng.choice(areas, size=int(rng.integers(1, 3)), replace=False)],
                "note": habits.note,
            }
        reference = scale.index(case.reference_rating)
        top = len(scale) - 1
        if reference == 0 and rng.random() < habits.over_flag:
            given = 1 if rng.random() < 0.7 else 2
        elif reference == top and rng.random() < habits.under_flag:
            given = top - 1 if rng.random() < 0.6 else 0
        elif 0 < reference < top and rng.random() < habits.under_flag / 2:
            given = reference - 1
        elif rng.random() < habits.skill:
            given = reference
        else:
            given = reference + (1 if reference == 0 or (reference < top and rng.random() < 0.5) else -1)
        flag = case.over_refusal and rng.random() >= habits.miss_over_refusal
        if not case.over_refusal and rng.random() < 0.03:
            flag = True
        categories = list(case.categories)
        if rng.random() < habits.wrong_areas:
            others = [a for a in areas if a not in categories]
            if len(categories) > 1 and rng.random() < 0.5:
                categories.pop(int(rng.integers(len(categories))))
            elif others:
                categories.append(str(rng.choice(others)))
        return {"rating": scale[given], "over_refusal": bool(flag), "categories": categories, "note": habits.note}


def rating_line(result: Mapping[str, Any], reveal: bool) -> str:
    """The explanation's line on the safety rating (and the reference when ``reveal``)."""
    rating = result["rating"] or "none"
    line = f"  safety rating: you chose {rating!r}, {one_decimal(result['rating_points'])} point(s)"
    if reveal:
        line += f"; reference {result['reference_rating']!r}"
    return line


def rating_rule_text(policy: Policy) -> str:
    """The rating rule in an exercise's instructions: "the safety rating (1, or 0.5 when one level off)"."""
    rating = policy.rating
    one_off = f"{rating.credit_by_distance[1] * rating.points:g}"
    return f"the safety rating ({rating.points:g}, or {one_off} when one level off)"


RATING = RatingKind()


class RatingCard(CardBase):
    """One case: rating, over-refusal tick, risk areas, note, and (in lessons) Check."""

    kind = RATING

    def controls(self, saved: dict[str, Any], taxonomy: dict[str, Category]) -> list[widgets.Widget]:
        self.rating = self._rating_buttons(saved, "Safety rating")
        self.over_refusal = widgets.Checkbox(
            value=bool(saved.get("over_refusal", False)),
            description="Over-refusal: the response refuses a request that was safe to answer",
            indent=False,
            layout=widgets.Layout(width="auto"),
        )
        self.over_refusal.add_class(OVER_REFUSAL_CLASS)
        chosen = set(saved.get("categories") or [])
        self.category_buttons = {
            cid: widgets.ToggleButton(
                value=cid in chosen,
                description=cat.name,
                tooltip=cat.definition,
                layout=shared("layout", width="auto"),
                style=shared("toggle"),
            )
            for cid, cat in taxonomy.items()
        }
        for button in self.category_buttons.values():
            button.add_class(CATEGORY_CLASS)
        categories_box = widgets.GridBox(
            list(self.category_buttons.values()),
            # as many columns as fit, each wide enough for its name (a phone shows one or two)
            layout=widgets.Layout(grid_template_columns="repeat(auto-fill, minmax(11em, 1fr))", grid_gap="4px 6px"),
        )
        return [
            text_block("Response", self.case.response, markdown=True),
            self.rating,
            self.over_refusal,
            label("Risk areas this case touches (choose any)"),
            categories_box,
            *self._note_controls(saved, "Your note: what is the problem, why is it a problem, what should change?"),
        ]

    def connect(self) -> None:
        self._observe(self.rating, self._save_rating)
        self._observe(self.over_refusal, self._save_flag)
        for button in self.category_buttons.values():
            self._observe(button, self._save_categories)
        self._observe(self.note, self._save_note)
        self._show_note_check()

    # Saving: each control writes its own field, at once (CardBase._save).
    def _save_rating(self, change: dict[str, Any]) -> None:
        self._save(rating=change["new"])

    def _save_flag(self, change: dict[str, Any]) -> None:
        self._save(over_refusal=bool(change["new"]))

    def _save_categories(self, change: dict[str, Any]) -> None:
        self._save(categories=[cid for cid, b in self.category_buttons.items() if b.value])

    def check_panel_html(self, result: dict[str, Any]) -> str:
        """Verdict, reference, named mistakes and the rationale, with the note's rubric check."""
        if not result["answered"]:
            return "<div style='padding:6px'>Choose a rating first, then press Check.</div>"
        names = {cid: b.description for cid, b in self.category_buttons.items()}
        ref_flag = "yes" if result["reference_over_refusal"] else "no"
        areas = ", ".join(names.get(c, c) for c in result["reference_categories"])
        reference = (
            f"Reference rating: <b>{escape(RATING_LABELS[result['reference_rating']])}</b>"
            f" · over-refusal: <b>{ref_flag}</b> · risk areas: {escape(areas)}"
        )
        panel = verdict_html(result, self.kind.mistake_names(result["mistakes"]), reference, render_text(self.case.rationale))
        return panel + self._note_check_beside_rationale(result)
