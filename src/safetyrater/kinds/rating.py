"""Rating cases: one response, rated safe / risky / harmful, with the over-refusal tick and the risk areas.

The kit's first and most common kind. A learner's answer is ``rating``,
``over_refusal``, ``categories`` and ``note``; the default policy gives 1 point
for the rating (0.5 one level off), 1 for the over-refusal tick and up to 1 for
the risk areas (F1 against the reference set). The rating rule and its named
mistakes (:func:`rating_share`, :func:`rating_mistakes`) are shared by the
span-flag and multi-dimension kinds.

Scoring is done a frame at a time (:func:`answers_frame`, :func:`key_frame`,
:func:`score`), so a whole cohort's answers to a deck are scored in one pass
(:meth:`RatingKind.score_learners`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import ipywidgets as widgets
import pandas as pd
from pydantic import Field, model_validator

from ..bank.schema import ID_PATTERN, REDACTION_MARKER, CaseBase, Category, Rating
from ..frames import records
from ..numbers import one_decimal
from ..widgets.base import RATING_LABELS, CardBase, label, text_block, verdict_html
from ..widgets.html import escape, render_text
from ..widgets.style import CATEGORY_CLASS, OVER_REFUSAL_CLASS, shared
from .base import NOT_ANSWERED, SCORE_COLUMNS, Habits, Kind, PublicCase, chosen

if TYPE_CHECKING:
    import numpy as np

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

ANSWER_COLUMNS = ["case_id", "answered", "rating", "over_refusal", "categories", "note", "problems"]


def answers_frame(answers: Mapping[str, Any], case_ids: Iterable[str], policy: Policy) -> pd.DataFrame:
    """One row per expected case: the learner's answer, normalised, with its problems.

    ``rating`` is None when missing or not on the scale; ``over_refusal`` is
    None when it is not a true/false value; ``categories`` is a tuple of ids.
    """
    rows = answer_rows(answers, case_ids, policy)
    return pd.DataFrame(rows, columns=ANSWER_COLUMNS)


def answer_rows(answers: Mapping[str, Any], case_ids: Iterable[str], policy: Policy) -> list[dict[str, Any]]:
    """The rows of :func:`answers_frame`, as dicts."""
    rows = []
    for case_id in case_ids:
        raw = answers.get(case_id)
        problems: list[str] = []
        answered = isinstance(raw, Mapping) and any(k in raw for k in ("rating", "over_refusal", "categories", "note"))
        raw = raw if isinstance(raw, Mapping) else {}
        if answered:
            rating = chosen(raw.get("rating"), policy.rating.scale, "rating", "no safety rating chosen", problems)
        else:
            problems.append("not answered")
            rating = None
        flag = raw.get("over_refusal", False)
        if not isinstance(flag, bool):
            problems.append(f"over_refusal must be true or false, not {flag!r}")
            flag = None
        categories = raw.get("categories", [])
        if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
            problems.append("categories must be a list of category ids")
            categories = []
        note = raw.get("note", "")
        rows.append(
            {
                "case_id": case_id,
                "answered": answered,
                "rating": rating,
                "over_refusal": flag if answered else None,
                "categories": tuple(dict.fromkeys(categories)),
                "note": note if isinstance(note, str) else "",
                "problems": tuple(problems),
            }
        )
    return rows


def key_frame(cases: Iterable[RatingCase]) -> pd.DataFrame:
    """One row per reference case: what a correct answer is."""
    rows = [
        {
            "case_id": c.id,
            "reference_rating": c.reference_rating,
            "reference_over_refusal": c.over_refusal,
            "reference_categories": tuple(c.categories),
            "polite_harm": "polite-harm" in c.tags,
        }
        for c in cases
    ]
    return pd.DataFrame(
        rows,
        columns=["case_id", "reference_rating", "reference_over_refusal", "reference_categories", "polite_harm"],
    )


def category_f1(chosen: tuple[str, ...], reference: tuple[str, ...]) -> float:
    """Overlap of two sets of category ids; two empty sets agree fully."""
    a, b = set(chosen), set(reference)
    if not a and not b:
        return 1.0
    return 2 * len(a & b) / (len(a) + len(b))


def rating_mistakes(rating: str | None, reference: str, polite_harm: bool, scale: Sequence[str]) -> list[str]:
    """The named mistake of a safety rating, if it is one (none for no rating)."""
    if not isinstance(rating, str) or rating == reference:
        return []
    given, ref = scale.index(rating), scale.index(reference)
    if reference == scale[0]:
        return ["flagged-safe"]
    if rating == scale[0] and reference == scale[-1]:
        return ["missed-polite-harm" if polite_harm else "missed-harm"]
    return ["under-rated"] if given < ref else ["over-rated"]


def rating_share(rating: str | None, reference: str, policy: Policy) -> float:
    """Share of the rating points (0 to 1) by distance on the scale; 0 for no rating."""
    scale: Sequence[str] = list(policy.rating.scale)
    if rating not in scale:
        return 0.0
    return float(policy.rating.credit_by_distance[abs(scale.index(rating) - scale.index(reference))])


def row_mistakes(row: Mapping[str, Any], scale: Sequence[str]) -> list[str]:
    """The named mistakes of one joined row of answer and key."""
    if not row["answered"]:
        return [NOT_ANSWERED]
    found = rating_mistakes(row["rating"], row["reference_rating"], row["polite_harm"], scale)
    flag, ref_flag = row["over_refusal"], row["reference_over_refusal"]
    if isinstance(flag, bool) and flag != ref_flag:
        found.append("accepted-over-refusal" if ref_flag else "called-over-refusal")
    chosen, ref_cats = set(row["categories"]), set(row["reference_categories"])
    if ref_cats - chosen:
        found.append("missed-area")
    if chosen - ref_cats:
        found.append("extra-area")
    return found


def max_points(policy: Policy) -> float:
    """The maximum of a rating case: rating, over-refusal tick and risk areas."""
    return policy.rating.points + policy.over_refusal.points + policy.categories.points


def score(answers: pd.DataFrame, key: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """Points per case under ``policy``, with mistakes and messages.

    ``answers`` comes from :func:`answers_frame` (extra columns such as a
    learner id are kept); ``key`` from :func:`key_frame`. Cases in ``answers``
    missing from ``key`` are an error of the caller's, so they raise KeyError.
    """
    merged = answers.merge(key, on="case_id", how="left", validate="many_to_one")
    # pandas stores a missing label as NaN in a column of strings; keep None.
    merged["rating"] = merged["rating"].astype(object).where(merged["rating"].notna(), None)
    merged["over_refusal"] = merged["over_refusal"].astype(object).where(merged["over_refusal"].notna(), None)
    if merged["reference_rating"].isna().any():
        missing = merged.loc[merged["reference_rating"].isna(), "case_id"].unique().tolist()
        raise KeyError(f"no reference for case(s) {missing}")
    scale = list(policy.rating.scale)
    position = {label: i for i, label in enumerate(scale)}
    credit = policy.rating.credit_by_distance

    given = merged["rating"].map(position)
    reference = merged["reference_rating"].map(position)
    distance = (given - reference).abs()
    shares = distance.map(lambda d: credit[int(d)] if pd.notna(d) else 0.0)
    merged["rating_points"] = shares.astype(float) * policy.rating.points

    flag_ok = merged["over_refusal"].eq(merged["reference_over_refusal"]) & merged["over_refusal"].notna()
    merged["over_refusal_points"] = flag_ok.astype(float) * policy.over_refusal.points
    merged.loc[~merged["answered"], "over_refusal_points"] = 0.0

    f1 = [
        category_f1(chosen, ref) if answered else 0.0
        for chosen, ref, answered in zip(merged["categories"], merged["reference_categories"], merged["answered"], strict=True)
    ]
    merged["category_points"] = pd.Series(f1, index=merged.index, dtype=float) * policy.categories.points

    merged["points"] = (merged["rating_points"] + merged["over_refusal_points"] + merged["category_points"]).round(4)
    merged["max_points"] = float(max_points(policy))
    merged["mistakes"] = [tuple(row_mistakes(row, scale)) for row in records(merged)]
    merged["messages"] = merged["problems"]
    merged["kind"] = RatingKind.name
    extra = [c for c in answers.columns if c not in SCORE_COLUMNS and c not in {"over_refusal", "categories", "note", "problems"}]
    return merged[extra + SCORE_COLUMNS + ["over_refusal", "categories", "reference_over_refusal", "reference_categories", "note"]]


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

    def score(self, answers: Mapping[str, Any], cases: Sequence[Any], policy: Policy) -> pd.DataFrame:
        return score(answers_frame(answers, [c.id for c in cases], policy), key_frame(cases), policy)

    def score_learners(
        self, answers_by_learner: Mapping[str, Mapping[str, Any]], cases: Sequence[Any], policy: Policy, column: str
    ) -> pd.DataFrame:
        """Every learner's answers in one pass over pandas: what keeps grading a cohort of thousands fast."""
        case_ids = [case.id for case in cases]
        rows = [
            {column: learner, **row}
            for learner, answers in answers_by_learner.items()
            for row in answer_rows(answers, case_ids, policy)
        ]
        return score(pd.DataFrame(rows, columns=[column, *ANSWER_COLUMNS]), key_frame(cases), policy)

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
