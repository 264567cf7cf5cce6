"""Errors a learner can cause, shown as one plain-language message in the page.

Learners are nurses, lawyers, teachers and writers: a Python traceback tells
them nothing and frightens some. Everything a page does on a learner's behalf
(showing a deck, a click on a card) runs under :func:`guarded` or
:func:`shown_safely`, which turn any exception into one sentence that says
what happened, that saved answers are safe, and what to do next. The
technical detail stays available to an instructor at the end of the message
and in the ``safetyrater`` logger (at DEBUG level, so nothing reaches stderr,
which a notebook would print in red).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import ipywidgets as widgets

from ..answers import AnswerFileMismatch
from ..errors import DataError, Problem, SafetyraterError
from .html import escape

log = logging.getLogger("safetyrater")

F = TypeVar("F", bound=Callable[..., Any])


def _where(problem: Problem) -> str:
    """A problem as ``file line N: field: message``, without the folder path."""
    name = Path(str(problem.path)).name
    line = f" line {problem.line}" if problem.line is not None else ""
    field = f" {problem.field}:" if problem.field else ""
    return f"{name}{line}:{field} {problem.message}"


def learner_message(exc: BaseException) -> str:
    """One plain-language sentence (or three) about ``exc`` for a learner."""
    if isinstance(exc, AnswerFileMismatch):
        return (
            f"The answer file beside this page, {exc.path.name}, holds the answers of another exercise "
            f"(“{exc.found}”), so it was left untouched and these cards were not opened. "
            "Move or rename that file, then reload the page; or ask your instructor."
        )
    if isinstance(exc, DataError):
        detail = _where(exc.problems[0]) if exc.problems else str(exc)
        more = f" (and {len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
        return (
            "This part of the course could not be shown because the course material has a problem. "
            f"Your saved answers are safe. Please tell your instructor: {detail}{more}"
        )
    if isinstance(exc, SafetyraterError):
        return f"This part of the course could not be shown. Your saved answers are safe. Please tell your instructor: {exc}"
    if isinstance(exc, OSError):
        name = Path(exc.filename).name if getattr(exc, "filename", None) else "a course file"
        reason = exc.strerror or exc.__class__.__name__
        return (
            f"A file the course needs ({name}) could not be read or written: {reason.lower()}. "
            "Your answers are kept while this page is open. Check that the course folder is yours to change "
            "and that the disk is not full, then reload the page; or ask your instructor."
        )
    summary = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return (
        "Something went wrong on this page. Your saved answers are safe. "
        f"Reload the page to carry on; if it happens again, tell your instructor ({summary})."
    )


def problem_html(message: str) -> str:
    """The message as an alert: a warning sign and a heading as well as colour."""
    return (
        "<div class='sr-problem' role='alert' style='border:2px solid #a00;border-left-width:6px;"
        "background:#fff5f5;color:#1b1b1b;padding:8px 12px;margin:4px 0;white-space:normal'>"
        f"<b>⚠ Something needs your attention</b><br>{escape(message)}</div>"
    )


def problem_widget(message: str) -> widgets.HTML:
    """An ipywidgets HTML widget holding the message (displays in JupyterLab and Voilà)."""
    return widgets.HTML(problem_html(message))


def guarded(report: Callable[[str], None]) -> Callable[[F], F]:
    """Decorate a widget callback: an exception in it goes to ``report`` as a
    learner message instead of escaping into the kernel's log or the page."""

    def decorate(callback: F) -> F:
        @functools.wraps(callback)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return callback(*args, **kwargs)
            except Exception as exc:
                log.debug("error in a widget callback", exc_info=True)
                try:
                    report(learner_message(exc))
                except Exception:
                    log.debug("could not report an error in the page", exc_info=True)
                return None

        return cast(F, run)  # functools.wraps keeps the callback's name, not its type

    return decorate


def shown_safely(build: Callable[[], Any]) -> Any:
    """``build()``'s widget, or a problem widget with the learner message."""
    try:
        return build()
    except Exception as exc:
        log.debug("could not build a page element", exc_info=True)
        return problem_widget(learner_message(exc))
