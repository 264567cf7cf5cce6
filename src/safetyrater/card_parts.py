"""Pieces every kind of card shares: saving with a visible status, and the Check verdict.

Kept apart from :mod:`safetyrater.cards` so that the rating, pairwise and
span-flag cards save and report in one way.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from .answers import AnswerStore

SAVED_HTML = "<span style='color:#2a7d2a'>✓ saved</span>"


def save_answer(store: AnswerStore, case_id: str, status: Any, on_change: Callable[[], None] | None, **fields: Any) -> bool:
    """Save some fields of one answer at once and show whether it reached the disk."""
    saved = store.update(case_id, **fields)
    if saved:
        status.value = SAVED_HTML
    else:
        status.value = f"<span style='color:#b00'>⚠ {html.escape(store.save_error or '')}</span>"
    if on_change is not None:
        on_change()
    return saved


def header_html(case_id: str, position: int, total: int) -> str:
    return f"<h4 style='margin:4px 0'>Case {position} of {total} <small>({html.escape(case_id)})</small></h4>"


def verdict_html(result: dict[str, Any], reference_html: str, rationale_html: str) -> str:
    """The Check panel: verdict and points, the reference, any messages, then why."""
    from .explain import mistake_names

    full = result["points"] == result["max_points"]
    colour = "#2a7d2a" if full else "#b36b00"
    mistakes = mistake_names(result)
    if full:
        verdict = "✓ Agrees with the reference."
    elif mistakes:
        verdict = "✗ " + "; ".join(mistakes).capitalize() + "."
    else:
        verdict = "✗ Not full points."
    messages = "".join(f"<li>{html.escape(m)}</li>" for m in result["messages"])
    return (
        f"<div class='sr-feedback' style='border-top:2px solid {colour};padding:6px'>"
        f"<div style='color:{colour};font-weight:600'>{html.escape(verdict)} "
        f"({result['points']:g} / {result['max_points']:g} points)</div>"
        f"<div>{reference_html}</div>"
        + (f"<ul>{messages}</ul>" if messages else "")
        + f"<div style='margin-top:4px'><b>Why:</b> {rationale_html}</div></div>"
    )
