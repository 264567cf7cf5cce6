"""The probe designer: learners write contrast pairs by filling in a form, and the gallery.

Each pair card asks for a topic, the XSTest-style contrast it builds on, and
two prompts, each with a label (safe or unsafe), the behaviour a safe and
useful response would show, and a sentence on what that response would do
and why. Every change saves at once to ``<exercise>.answers.json`` beside the
notebook (the answer-file format of :mod:`safetyrater.answers`, one
``pair-N`` entry per pair). "Run the checks" shows the automatic checks of
:func:`safetyrater.probes.check_pair`, the same ones the grade cells run;
the rest is graded by the instructor.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from ..answers import AnswerStore
from ..widgets.deck import deck_header_html, render_text
from .data import BEHAVIOUR_HELP, BEHAVIOURS, CONTRAST_TYPES, known_prompts, LABELS, load_probe_course, load_probe_rubric, ProbeCourse, ProbeExercise, SLOTS
from .checks import check_pair, normalise_pair, pair_key

PAIR_FIELDS = ("topic", "contrast_type", "first", "second")


class ProbeStore(AnswerStore):
    """A learner's pairs, one ``pair-N`` entry each, saved atomically on every change."""

    def update(self, case_id: str, **fields: Any) -> bool:
        unknown = set(fields) - set(PAIR_FIELDS)
        if unknown:
            raise ValueError(f"unknown pair field(s): {sorted(unknown)}")
        answer = self.answers.setdefault(case_id, {})
        answer.update(fields, updated=datetime.now(UTC).isoformat(timespec="seconds"))
        return self.save()


class PromptEditor(widgets.VBox):
    """One prompt of a pair: its text, label, expected behaviour and the stated expectation."""

    def __init__(self, title: str, saved: dict[str, Any], on_change: Any):
        self._on_change = on_change
        self.prompt = widgets.Textarea(
            value=saved["prompt"], placeholder="The prompt, as a real user would write it", layout=widgets.Layout(width="100%", height="50px")
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
            [widgets.HTML(f"<div style='font-weight:600;margin-top:6px'>{html.escape(title)}</div>"), self.prompt, self.label, self.behaviour, self.expectation]
        )

    def value(self) -> dict[str, Any]:
        return {"prompt": self.prompt.value, "label": self.label.value, "behaviour": self.behaviour.value, "expectation": self.expectation.value}


class PairCard(widgets.VBox):
    """One contrast pair to write, with its automatic checks on request."""

    def __init__(
        self,
        number: int,
        total: int,
        store: ProbeStore,
        course: ProbeCourse,
        on_change: Any = None,
        other_prompts: Callable[[int], dict[str, str]] | None = None,
    ):
        self.number = number
        self._other_prompts = other_prompts
        self.key = pair_key(number)
        self.store = store
        self.course = course
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
        self.check_button = widgets.Button(description="Run the checks", button_style="primary", tooltip="Run the automatic checks on this pair")
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
            f"<div style='font-size:smaller;color:#444'><b>Sensitive:</b> {html.escape(topic.sensitive)} "
            f"<b>Safe look-alikes:</b> {html.escape(topic.safe_side)}</div>"
            if topic
            else ""
        )

    def _save(self) -> None:
        if self._loading:
            return
        self._show_topic()
        if self.store.update(self.key, **self.value()):
            self.status.value = "<span style='color:#2a7d2a'>✓ saved</span>"
        else:
            self.status.value = f"<span style='color:#b00'>⚠ {html.escape(self.store.save_error or '')}</span>"
        if self._on_change is not None:
            self._on_change()

    def run_checks(self) -> Any:
        """Run the automatic checks on the saved pair and show them; return the report."""
        others = self._other_prompts(self.number) if self._other_prompts is not None else {}
        report = check_pair(self.store.get(self.key), load_probe_rubric(), known_prompts(), others, self.course.topics)
        rows = "".join(
            f"<li style='color:{'#2a7d2a' if c.passed else '#b36b00'}'>{'✓' if c.passed else '✗'} "
            f"<b>{html.escape(c.check)}</b>: {html.escape(c.message)}</li>"
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


class ProbeDesigner(widgets.VBox):
    """Every pair card of a probe exercise, with a header that counts written pairs."""

    def __init__(self, exercise: ProbeExercise, course: ProbeCourse, folder: Path | str | None = None):
        self.exercise = exercise
        self.store = ProbeStore(exercise.id, folder)
        self.header = widgets.HTML()
        self.cards = [
            PairCard(n, exercise.pairs, self.store, course, on_change=self._refresh, other_prompts=self.other_prompts)
            for n in range(1, exercise.pairs + 1)
        ]
        super().__init__([self.header, *self.cards])
        self._refresh()

    def other_prompts(self, number: int) -> dict[str, str]:
        """The prompts of the earlier pairs, for the check that no pair repeats another (as grading does)."""
        return {
            f"the {slot} prompt of pair {card.number}": card.editors[slot].prompt.value
            for card in self.cards
            if card.number < number
            for slot in SLOTS
            if card.editors[slot].prompt.value.strip()
        }

    def _refresh(self) -> None:
        written = sum(1 for card in self.cards if all(card.editors[slot].prompt.value.strip() for slot in SLOTS))
        self.header.value = deck_header_html(f"<b>{html.escape(self.exercise.title)}</b>: {written} of {len(self.cards)} pairs written.", self.store)


def show_probe_designer(exercise_id: str, folder: Path | str | None = None) -> ProbeDesigner:
    """The pair cards of a probe exercise (or practice), ready to display."""
    course = load_probe_course()
    return ProbeDesigner(course.exercise(exercise_id), course, folder)


# --- the gallery -------------------------------------------------------------------------


class Gallery:
    """The lesson's gallery of good contrast pairs, one per XSTest type."""

    def __init__(self, course: ProbeCourse):
        self.course = course

    def _repr_html_(self) -> str:
        parts = []
        for entry in self.course.gallery:
            topic = self.course.topics[entry.topic].name if entry.topic in self.course.topics else entry.topic
            kind = CONTRAST_TYPES[entry.type]
            rows = "".join(
                f"<tr><td style='text-align:left;vertical-align:top'><b>{label}</b></td>"
                f"<td style='text-align:left;vertical-align:top'>{render_text(side.prompt)}</td>"
                f"<td style='text-align:left;vertical-align:top'><i>{html.escape(BEHAVIOURS[side.behaviour])}</i>: "
                f"{render_text(side.expectation)}</td></tr>"
                for label, side in (("Safe", entry.safe), ("Unsafe", entry.unsafe))
            )
            parts.append(
                f"<div style='margin:10px 0 2px 0'><b>{html.escape(kind)}</b> · topic: {html.escape(topic)}</div>"
                f"<table style='border-collapse:collapse'>{rows}</table>"
                f"<div style='font-size:smaller;color:#444'>Why it works: {html.escape(entry.why)}</div>"
            )
        return "<div class='sr-gallery'>" + "".join(parts) + "</div>"

    def __repr__(self) -> str:
        return "\n".join(f"{e.type}: {e.safe.prompt} | {e.unsafe.prompt}" for e in self.course.gallery)


def show_probe_gallery() -> Gallery:
    """The gallery of contrast pairs, for a lesson to display."""
    return Gallery(load_probe_course())
