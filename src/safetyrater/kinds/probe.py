"""Probe pairs: the kind of case a learner writes rather than rates.

In a probe exercise (``[exercise.ID]`` of ``datasets/probes/topics.toml``) each
case is a pair to write, ``pair-N``: a safe prompt that looks unsafe beside an
unsafe prompt worded almost the same way, each with a label, an expected
behaviour and why (see :mod:`safetyrater.probes`). There is no reference: the
automatic checks (:func:`safetyrater.probes.checks.check_pair`) score
``[checks.points]`` of ``graders/probe_rubric.toml``, and the instructor grades
the rest with the rubric, as an nbgrader task beside each pair's grade cell. The
card (:class:`PairCard`) saves the pair at once as
``"pair-N": {"topic", "contrast_type", "first": {...}, "second": {...}}``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import ipywidgets as widgets
import numpy as np
import pandas as pd
from pydantic import Field

from ..bank.schema import ID_PATTERN, Strict
from ..probes.checks import PairReport, check_pair, normalise_pair, review_prescore
from ..probes.data import (
    BEHAVIOUR_HELP,
    BEHAVIOURS,
    CONTRAST_TYPES,
    LABELS,
    SLOTS,
    ProbeCourse,
    ProbeExercise,
    ProbeRubric,
    Topic,
    known_prompts,
    load_probe_course,
    load_probe_rubric,
)
from ..widgets.html import escape
from ..widgets.status import save_status_html
from .base import HIDDEN_BEGIN, HIDDEN_END, GradeCell, Habits, Kind
from .table import AnswerTable, codes_column, messages_column, object_column, scored_frame

if TYPE_CHECKING:
    from ..answers import CardStore
    from ..bank.policy import Policy

#: what a pair saves in the answer file
PAIR_FIELDS = ("topic", "contrast_type", "first", "second")


class ProbePair(Strict):
    """One contrast pair a learner writes: pair ``number`` of a probe exercise (nothing is hidden: it has no reference)."""

    kind: Literal["probe"] = "probe"
    #: ``pair-N``, its key in the answer file
    id: str = Field(pattern=ID_PATTERN)
    exercise: str = Field(pattern=ID_PATTERN)
    number: int = Field(ge=1)


def pair_key(number: int) -> str:
    return f"pair-{number}"


def exercise_pairs(exercise: ProbeExercise) -> list[ProbePair]:
    """The pairs a probe exercise asks for, in order."""
    return [ProbePair(id=pair_key(n), exercise=exercise.id, number=n) for n in range(1, exercise.pairs + 1)]


class ProbeKind(Kind):
    """Probe pairs (see the module docstring)."""

    name = "probe"
    model = ProbePair
    in_bank = False
    answer_fields = PAIR_FIELDS
    answered_by = "first"

    def card(self) -> type[PairCard]:
        return PairCard

    def score_table(self, table: AnswerTable, policy: Policy) -> pd.DataFrame:
        """The automatic checks of each pair; a prompt repeated from an earlier pair counts against the later one.

        The checks read the pair's text, so they run pair by pair; the rows are built as columns.
        """
        course, rubric, known = load_probe_course(), load_probe_rubric(), known_prompts()
        reports = []
        pairs = []
        # the checks are a pure function of the pair and the learner's earlier prompts: one run per distinct pair
        checked: dict[str, PairReport] = {}
        # each saved pair normalised once per learner, though every later pair reads the earlier ones
        normalised: dict[int, dict[str, Any]] = {}
        current = -1
        for raw, learner, case in zip(table.raw, table.learner_index.tolist(), table.case_index.tolist(), strict=True):
            pair_case = table.cases[case]
            answers = table.answers[learner]
            if learner != current:
                current, normalised = learner, {}
            for n in range(1, pair_case.number + 1):
                if n not in normalised:
                    normalised[n] = normalise_pair(answers.get(pair_key(n)))
            others = {
                f"the {slot} prompt of pair {n}": normalised[n][slot]["prompt"]
                for n in range(1, pair_case.number)  # a repeat counts against the later pair only
                for slot in SLOTS
            }
            earlier = {where: text for where, text in others.items() if text}
            key = json.dumps([raw, earlier], sort_keys=True, default=repr)
            if key not in checked:
                checked[key] = check_pair(raw, rubric, known, earlier, course.topics)
            reports.append(checked[key])
            pairs.append(normalised[pair_case.number] if raw is answers.get(pair_case.id) else normalise_pair(raw))
        rows = len(table)
        return scored_frame(
            {
                "case_id": table.key([case.id for case in table.cases]),
                "kind": object_column([self.name] * rows),
                "answered": table.is_answer(),
                "points": np.fromiter((report.points for report in reports), dtype=float, count=rows),
                "max_points": np.fromiter((report.max_points for report in reports), dtype=float, count=rows),
                "mistakes": codes_column([], rows),
                "messages": messages_column([], rows),
                "note": object_column([""] * rows),
                "pair": object_column(pairs),
                "report": object_column(reports),
            }
        )

    def max_points(self, case: Any, policy: Policy) -> float:
        return load_probe_rubric().check_points

    def point_parts(self, row: Mapping[str, Any]) -> dict[str, float]:
        return {"check_points": float(row["points"])}

    def explain(self, result: Mapping[str, Any], case: Any, *, reveal: bool, rationale: bool) -> list[str]:
        """The pair as written, its automatic checks, and the pre-score of the instructor's part."""
        course, rubric = load_probe_course(), load_probe_rubric()
        pair = result["pair"]
        return pair_lines(case.number, pair, course.topics) + report_lines(result["report"]) + review_lines(case.number, pair, rubric)

    def answer_lines(self, result: Mapping[str, Any], case: Any, reveal: bool) -> list[str]:
        return pair_lines(case.number, result["pair"], load_probe_course().topics)

    def grade_cells(self, deck_id: str, case: Any, position: int, points: float, rubric: ProbeRubric | None = None) -> list[GradeCell]:
        """An autograded cell for the checks, and an nbgrader task for the instructor's review."""
        rubric = rubric or load_probe_rubric()
        number = case.number
        check = "\n".join(
            [
                f"# Pair {number}: the automatic checks run after you submit, from your saved pairs.",
                HIDDEN_BEGIN,
                "from safetyrater.probes import grade_pair",
                f'grade_pair("{deck_id}", {number}, points={points:g})',
                HIDDEN_END,
            ]
        )
        criteria = "\n".join(f"- **{c.id}** ({c.points:g} point{'s' if c.points != 1 else ''}): {c.text}" for c in rubric.criteria)
        review = (
            f"### Pair {number}: review by your instructor ({rubric.review_points:g} points)\n\n"
            "Your instructor reads the pair, the automatic checks and the pre-score printed above, "
            "and grades it with this rubric:\n\n" + criteria
        )
        return [
            GradeCell(f"pair-{number}-checks", check, points),
            GradeCell(f"pair-{number}-review", review, rubric.review_points, cell_type="markdown", task=True),
        ]

    def demo_answer(self, case: Any, habits: Habits, rng: np.random.Generator, scale: Sequence[str], areas: list[str]) -> dict[str, Any]:
        """A pair from the lesson's gallery: labels swapped by a careless learner, left unwritten by one who clicks at random."""
        gallery = load_probe_course().gallery
        if not gallery or (habits.random and rng.random() < 0.5):
            return {}
        pair = gallery[int(rng.integers(len(gallery)))].as_pair()
        if habits.random or rng.random() > habits.skill:
            pair["first"]["label"], pair["second"]["label"] = pair["second"]["label"], pair["first"]["label"]
        return pair

    def points_text(self, cases: Sequence[Any], policy: Policy) -> str:
        rubric = load_probe_rubric()
        return (
            f"- Each pair ({len(cases)}) is worth {rubric.check_points:g} from the automatic checks and "
            f"{rubric.review_points:g} from your instructor."
        )


PROBE = ProbeKind()


def pair_lines(number: int, pair: Any, topics: Mapping[str, Topic]) -> list[str]:
    """The learner's pair as plain text."""
    pair = normalise_pair(pair)
    topic = topics[pair["topic"]].name if pair["topic"] in topics else (pair["topic"] or "none chosen")
    kind = CONTRAST_TYPES.get(pair["contrast_type"] or "", pair["contrast_type"] or "none chosen").split(":")[0]
    lines = [f"Pair {number} (topic: {topic}; contrast type: {kind})"]
    for slot in SLOTS:
        item = pair[slot]
        behaviour = BEHAVIOURS.get(item["behaviour"] or "", item["behaviour"] or "none")
        lines.append(f"  {slot.capitalize()} prompt, labelled {item['label'] or 'none'}, expected behaviour: {behaviour.lower()}")
        lines.append(f"    Prompt: {item['prompt'] or '(empty)'}")
        lines.append(f"    Expectation: {item['expectation'] or '(empty)'}")
    return lines


def report_lines(report: PairReport) -> list[str]:
    lines = [f"Automatic checks: {report.points:g} / {report.max_points:g} points"]
    lines += [f"  {'✓' if c.passed else '✗'} {c.check}: {c.message}" for c in report.checks]
    return lines


def review_lines(number: int, pair: Any, rubric: ProbeRubric) -> list[str]:
    """The instructor's part: each criterion with its pre-score or 'judged by the instructor'."""
    lines = [f"For your instructor (task 'Pair {number}: review', {rubric.review_points:g} points): confirm or override"]
    prescored = total = 0.0
    for criterion, value, detail in review_prescore(pair, rubric):
        if value is None:
            lines.append(f"  {criterion.id} ({criterion.points:g}): {detail}. {criterion.text}")
        else:
            lines.append(f"  {criterion.id} ({criterion.points:g}): pre-score {value:g} ({detail}). {criterion.text}")
            prescored += value
            total += criterion.points
    judged = rubric.review_points - total
    lines.append(f"  Pre-score: {prescored:g} of the {total:g} pre-scored points; {judged:g} point(s) for the instructor to judge.")
    return lines


class PromptEditor(widgets.VBox):
    """One prompt of a pair: its text, label, expected behaviour and the stated expectation."""

    def __init__(self, title: str, saved: dict[str, Any], on_change: Any):
        self._on_change = on_change
        self.prompt = widgets.Textarea(
            value=saved["prompt"],
            placeholder="The prompt, as a real user would write it",
            layout=widgets.Layout(width="100%", height="50px"),
        )
        self.label = widgets.ToggleButtons(
            options=[(label.capitalize(), label) for label in LABELS],
            value=saved["label"] if saved["label"] in LABELS else None,
            description="This prompt is",
            tooltips=["Safe to answer, even if it looks unsafe", "Unsafe: a response that complied would help cause harm"],
            style={"description_width": "initial"},
        )
        self.behaviour = widgets.ToggleButtons(
            options=[(name, key) for key, name in BEHAVIOURS.items()],
            value=saved["behaviour"] if saved["behaviour"] in BEHAVIOURS else None,
            description="A safe, useful response would",
            tooltips=[BEHAVIOUR_HELP[key] for key in BEHAVIOURS],
            style={"description_width": "initial", "button_width": "auto"},
        )
        self.expectation = widgets.Textarea(
            value=saved["expectation"],
            placeholder="What exactly would a safe and useful response do, and why?",
            layout=widgets.Layout(width="100%", height="60px"),
        )
        for control in (self.prompt, self.label, self.behaviour, self.expectation):
            control.observe(lambda _: self._on_change(), names="value")
        super().__init__(
            [
                widgets.HTML(f"<div style='font-weight:600;margin-top:6px'>{escape(title)}</div>"),
                self.prompt,
                self.label,
                self.behaviour,
                self.expectation,
            ]
        )

    def value(self) -> dict[str, Any]:
        return {
            "prompt": self.prompt.value,
            "label": self.label.value,
            "behaviour": self.behaviour.value,
            "expectation": self.expectation.value,
        }


class PairCard(widgets.VBox):
    """One contrast pair to write, with its automatic checks on request."""

    kind = PROBE

    def __init__(
        self,
        case: ProbePair,
        store: CardStore,
        taxonomy: Any = None,
        *,
        position: int = 1,
        total: int = 1,
        practice: bool = True,
        on_change: Callable[[], None] | None = None,
        course: ProbeCourse | None = None,
        other_prompts: Callable[[int], dict[str, str]] | None = None,
    ):
        self.case = case
        self.number = number = case.number
        self._other_prompts = other_prompts
        self.key = case.id
        self.store = store
        self.course = course = course or load_probe_course()
        self._on_change = on_change
        self._loading = True
        saved = normalise_pair(store.get(self.key))
        self.topic = widgets.Dropdown(
            options=[("Choose a topic", None)] + [(t.name, t.id) for t in course.topics.values()],
            value=saved["topic"] if saved["topic"] in course.topics else None,
            description="Topic",
        )
        self.contrast_type = widgets.Dropdown(
            options=[("Choose a contrast type", None)] + [(text.split(":")[0], key) for key, text in CONTRAST_TYPES.items()],
            value=saved["contrast_type"] if saved["contrast_type"] in CONTRAST_TYPES else None,
            description="Contrast",
        )
        self.topic_help = widgets.HTML()
        self.editors = {
            slot: PromptEditor(f"{slot.capitalize()} prompt", saved[slot], self._save) for slot in SLOTS
        }
        self.status = widgets.HTML()
        self.results = widgets.HTML()
        self.check_button = widgets.Button(
            description="Run the checks", button_style="primary", tooltip="Run the automatic checks on this pair"
        )
        self.check_button.on_click(lambda _: self.run_checks())
        self.topic.observe(lambda _: self._save(), names="value")
        self.contrast_type.observe(lambda _: self._save(), names="value")
        super().__init__(
            [
                widgets.HTML(f"<h4 style='margin:4px 0'>Pair {number} of {total}</h4>"),
                widgets.HBox([self.topic, self.contrast_type]),
                self.topic_help,
                *self.editors.values(),
                widgets.HBox([self.check_button, self.status]),
                self.results,
            ],
            layout=widgets.Layout(border="1px solid #ccc", padding="8px", margin="0 0 16px 0"),
        )
        self._show_topic()
        self._loading = False

    def value(self) -> dict[str, Any]:
        return {
            "topic": self.topic.value,
            "contrast_type": self.contrast_type.value,
            **{slot: editor.value() for slot, editor in self.editors.items()},
        }

    def _show_topic(self) -> None:
        topic = self.course.topics.get(self.topic.value or "")
        self.topic_help.value = (
            f"<div style='font-size:smaller;color:#444'><b>Sensitive:</b> {escape(topic.sensitive)} "
            f"<b>Safe look-alikes:</b> {escape(topic.safe_side)}</div>"
            if topic
            else ""
        )

    def _save(self) -> None:
        if self._loading:
            return
        self._show_topic()
        self.status.value = save_status_html(self.store.update(self.key, **self.value()), self.store)
        if self._on_change is not None:
            self._on_change()

    def run_checks(self) -> Any:
        """Run the automatic checks on the saved pair and show them; return the report."""
        others = self._other_prompts(self.number) if self._other_prompts is not None else {}
        report = check_pair(self.store.get(self.key), load_probe_rubric(), known_prompts(), others, self.course.topics)
        rows = "".join(
            f"<li style='color:{'#2a7d2a' if c.passed else '#b36b00'}'>{'✓' if c.passed else '✗'} "
            f"<b>{escape(c.check)}</b>: {escape(c.message)}</li>"
            for c in report.checks
        )
        note = "" if not report.failed else "<div>Fix what is marked ✗, then run the checks again.</div>"
        self.results.value = (
            f"<div class='sr-feedback' style='padding:6px'><div style='font-weight:600'>Automatic checks: "
            f"{report.points:g} / {report.max_points:g} points</div><ul style='margin:2px 0'>{rows}</ul>{note}"
            "<div style='font-size:smaller;color:#555'>Whether the safe prompt is really safe, the unsafe one really "
            "unsafe, and your expectations right is for your instructor (or, in practice, for you) to judge.</div></div>"
        )
        return report


