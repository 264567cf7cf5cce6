"""The probe designer: the pair cards of a probe exercise, and the lesson's gallery of good pairs.

Each pair card (:class:`safetyrater.kinds.probe.PairCard`) asks for a topic, the
XSTest-style contrast it builds on, and two prompts, each with a label (safe or
unsafe), the behaviour a safe and useful response would show, and a sentence on
what that response would do and why. Every change saves at once to
``<exercise>.answers.json`` beside the notebook (the answer-file format of
:mod:`safetyrater.answers`, one ``pair-N`` entry per pair). "Run the checks"
shows the automatic checks of :func:`safetyrater.probes.checks.check_pair`, the
same ones the grade cells run; the rest is graded by the instructor.
"""

from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets

from ..answers import AnswerStore
from ..kinds.probe import PAIR_FIELDS, PairCard, exercise_pairs
from ..widgets.deck import deck_header_html
from ..widgets.html import escape, render_text
from .data import BEHAVIOURS, CONTRAST_TYPES, SLOTS, ProbeCourse, ProbeExercise, load_probe_course


class ProbeStore(AnswerStore):
    """A learner's pairs, one ``pair-N`` entry each, saved atomically on every change."""

    def __init__(self, exercise_id: str, folder: Path | str | None = None):
        super().__init__(exercise_id, folder, fields=PAIR_FIELDS, what="pair")


class ProbeDesigner(widgets.VBox):
    """Every pair card of a probe exercise, with a header that counts written pairs."""

    def __init__(self, exercise: ProbeExercise, course: ProbeCourse, folder: Path | str | None = None):
        self.exercise = exercise
        self.store = ProbeStore(exercise.id, folder)
        self.header = widgets.HTML()
        pairs = exercise_pairs(exercise)
        self.cards = [
            PairCard(
                pair,
                self.store,
                position=pair.number,
                total=len(pairs),
                on_change=self._refresh,
                course=course,
                other_prompts=self.other_prompts,
            )
            for pair in pairs
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
        progress = f"<b>{escape(self.exercise.title)}</b>: {written} of {len(self.cards)} pairs written."
        self.header.value = deck_header_html(progress, self.store)


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
                f"<td style='text-align:left;vertical-align:top'><i>{escape(BEHAVIOURS[side.behaviour])}</i>: "
                f"{render_text(side.expectation)}</td></tr>"
                for label, side in (("Safe", entry.safe), ("Unsafe", entry.unsafe))
            )
            parts.append(
                f"<div style='margin:10px 0 2px 0'><b>{escape(kind)}</b> · topic: {escape(topic)}</div>"
                f"<table style='border-collapse:collapse'>{rows}</table>"
                f"<div style='font-size:smaller;color:#444'>Why it works: {escape(entry.why)}</div>"
            )
        return "<div class='sr-gallery'>" + "".join(parts) + "</div>"

    def __repr__(self) -> str:
        return "\n".join(f"{e.type}: {e.safe.prompt} | {e.unsafe.prompt}" for e in self.course.gallery)


def show_probe_gallery() -> Gallery:
    """The gallery of contrast pairs, for a lesson to display."""
    return Gallery(load_probe_course())
