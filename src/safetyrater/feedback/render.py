"""Showing a note's rubric check: plain lines for the command line and nbgrader, HTML for the cards."""

from __future__ import annotations

from typing import Any

from ..widgets.html import escape
from .check import NoteCheck, check_note
from .rubric import ELEMENTS, Rubric, load_rubric

_MARK = {True: "\u2713", False: "\u2717"}


def _earned(check: NoteCheck, name: str) -> bool:
    return not check.vague.passed if name == "vague" else check.element(name).passed


def note_check_lines(check: NoteCheck, rubric: Rubric | None = None) -> list[str]:
    """The check as plain text: one line per element with its words or its hint."""
    rubric = rubric or load_rubric()
    lines = []
    for name in ELEMENTS:
        element = check.element(name)
        earned = _earned(check, name)
        label = rubric.elements[name].label
        if earned:
            words = ", ".join(element.evidence[:5])
            source = " (learned from example notes)" if element.source == "model" else ""
            lines.append(f"{_MARK[True]} {label}" + (f": {words}{source}" if words else ""))
        else:
            lines.append(f"{_MARK[False]} {label}: {element.hint}")
    return lines


def note_check_summary(check: NoteCheck, rubric: Rubric | None = None) -> str:
    """The check on one line: "✓ Problem named · ✗ Why explained · …"."""
    rubric = rubric or load_rubric()
    return " · ".join(f"{_MARK[_earned(check, name)]} {rubric.elements[name].label}" for name in ELEMENTS)


def note_check_html(text: str, case: Any = None, *, beside_rationale: bool = False) -> str:
    """The rating card's line under the note: each element met or not, the hint for the first gap.

    Element marks carry their evidence (or hint) as a tooltip; ``beside_rationale``
    gives the longer form shown next to the reference rationale after Check."""
    rubric = load_rubric()
    if not (text or "").strip():
        return (
            "<div class='sr-note-check' style='color:#666;font-size:90%'>Rubric check appears as you write: "
            "name the problem, say why it matters, say what should change.</div>"
        )
    check = check_note(text, case, rubric)
    marks = []
    for name in ELEMENTS:
        element = check.element(name)
        earned = _earned(check, name)
        tip = ", ".join(element.evidence[:5]) if earned else (element.hint or "")
        colour = "#2a7d2a" if earned else "#b36b00"
        marks.append(
            f"<span title='{escape(tip)}' style='color:{colour}'>"
            f"{_MARK[earned]} {escape(rubric.elements[name].label)}</span>"
        )
    gaps = check.hints
    head = "<b>Your note</b>: " if beside_rationale else "Rubric check: "
    body = " · ".join(marks) + f" <span style='color:#666'>(score {check.score:.0%})</span>"
    if gaps:
        shown = gaps if beside_rationale else gaps[:1]
        body += "".join(f"<div style='color:#b36b00'>\u2192 {escape(g)}</div>" for g in shown)
    return f"<div class='sr-note-check' style='font-size:90%;margin:2px 0'>{head}{body}</div>"

