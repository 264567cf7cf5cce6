"""How a graded exercise ends, below its cards.

* **Self-study** (the answer key is on the learner's machine: the bank has every
  case of the deck in full): *Finish and see my result* locks the answers, grades
  them with the grading core (:func:`~safetyrater.grading.core.score_deck`, as
  nbgrader's grade cells and ``safetyrater grade`` do) and shows the points case
  by case, as nbgrader's feedback does, without the reference answers. *Retake*
  keeps the finished attempt as a hidden side-file and starts with no answers.
* **Cohort** (a learner kit: graded cases are known only by their public part):
  *Submit to my instructor* runs nbgrader's submit on the exercise's folder (the
  same exchange submit as the Assignment List) and says what happened; with no
  exchange configured it says how to hand the folder in instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from ..answers import AnswerStore
from ..bank.casebank import CaseBank
from ..bank.schema import Deck
from ..practice.retake import retake_deck
from .errors import guarded, learner_message, problem_html
from .html import escape
from .navigation import exercise_nav_html

FINISH_CLASS, RETAKE_CLASS, SUBMIT_CLASS, RESULT_CLASS = "sr-finish", "sr-retake", "sr-submit", "sr-result"


def self_study(bank: CaseBank, deck: Deck) -> bool:
    """Whether this install can grade ``deck`` itself: every case is in the bank with its reference."""
    return all(case_id in bank.cases for case_id in deck.cases)


def points_text(value: float) -> str:
    """Points as a learner reads them: one decimal at most, never "-0"."""
    return f"{round(value, 1) + 0.0:g}"


def result_html(bank: CaseBank, deck: Deck, answers: dict[str, Any]) -> str:
    """The graded result of ``answers``: the total, then each case's points and what cost points (no reference answers)."""
    # pandas and the grading core load on Finish, not when the page opens
    from ..bank.policy import load_policy
    from ..frames import records
    from ..grading.core import score_deck
    from ..grading.explain import summary_lines

    cases = [bank.cases[case_id] for case_id in deck.cases]
    scores = score_deck(answers, cases, load_policy())
    rows = records(scores)
    total, maximum = float(scores["points"].sum()), float(scores["max_points"].sum())
    share = round(100 * total / maximum) if maximum else 0
    items = []
    for position, (row, case) in enumerate(zip(rows, cases, strict=True), 1):
        points = f"<b>Case {position}</b>: {points_text(row['points'])} / {points_text(row['max_points'])} points"
        if list(row["mistakes"]) == ["not-answered"]:
            items.append(f"<li>{points}: not answered</li>")
            continue
        # the first line names the case by its id; the learner knows it by its number
        details = [line.strip() for line in summary_lines(row, case, reveal=False)[1:]]
        items.append(
            f"<li>{points}"
            + (f"<ul>{''.join(f'<li>{escape(line)}</li>' for line in details)}</ul>" if details else "")
            + "</li>"
        )
    return (
        f"<div class='{RESULT_CLASS}' role='region' aria-label='Your result' "
        "style='border:2px solid #2a5db0;padding:8px 12px;margin:8px 0'>"
        f"<h3 style='margin:2px 0'>Your result: {points_text(total)} / {points_text(maximum)} points ({share} %)</h3>"
        "<p style='margin:4px 0'>Your answers are locked. Each case below shows your points and what cost points; "
        "the lesson's practice deck shows reference answers with reasons.</p>"
        f"<ol style='list-style:none;padding-left:0'>{''.join(items)}</ol></div>"
    )


class FinishPanel(widgets.VBox):
    """The end of a graded deck: Finish and see my result (self-study) or Submit to my instructor (cohort).

    ``lock(True)`` makes the deck's cards read-only, ``lock(False)`` editable
    again; ``reset()`` redraws them after a retake.
    """

    def __init__(
        self, bank: CaseBank, deck: Deck, store: AnswerStore, lock: Callable[[bool], None], reset: Callable[[Deck], None]
    ):
        self.bank, self.deck, self.store = bank, deck, store
        self._lock, self._reset = lock, reset
        self.self_study = self_study(bank, deck)
        self.message = widgets.HTML()
        self.result = widgets.HTML()
        buttons: Sequence[widgets.Button]
        if self.self_study:
            self.finish_button = widgets.Button(
                description="Finish and see my result", button_style="primary", tooltip="Lock your answers and grade them"
            )
            self.finish_button.layout.width = "auto"
            self.finish_button.add_class(FINISH_CLASS)
            self.finish_button.on_click(guarded(self.show_problem)(lambda _: self.finish()))
            self.retake_button = widgets.Button(description="Retake", tooltip="Start this exercise again with new cases and no answers")
            self.retake_button.add_class(RETAKE_CLASS)
            self.retake_button.on_click(guarded(self.show_problem)(lambda _: self.retake()))
            buttons = [self.finish_button, self.retake_button]
            intro = "When every case has your answer, finish to lock your answers and see your result."
        else:
            self.submit_button = widgets.Button(
                description="Submit to my instructor", button_style="primary", tooltip="Hand in this exercise (nbgrader submit)"
            )
            self.submit_button.layout.width = "auto"
            self.submit_button.add_class(SUBMIT_CLASS)
            self.submit_button.on_click(guarded(self.show_problem)(lambda _: self.submit()))
            buttons = [self.submit_button]
            intro = "When every case has your answer, submit the exercise; your instructor grades it and returns feedback."
        heading = widgets.HTML(f"<h3 style='margin:12px 0 4px 0'>Finish</h3><p style='margin:0'>{escape(intro)}</p>")
        # an exercise page has no module links of its own: the way back to the course
        number = re.match(r"ex(\d+)", deck.id)
        links = widgets.HTML(exercise_nav_html(int(number.group(1)) if number else None))
        super().__init__([heading, widgets.HBox(list(buttons)), self.message, self.result, links])
        self.show_state()

    def show_problem(self, text: str) -> None:
        self.message.value = problem_html(text)

    def show_state(self) -> None:
        """Locked with its result once finished; open otherwise."""
        finished = self.self_study and self.store.finished is not None
        self._lock(finished)
        if self.self_study:
            self.finish_button.disabled = finished
            self.retake_button.disabled = not finished
            self.result.value = result_html(self.bank, self.deck, self.store.answers) if finished else ""

    def finish(self) -> None:
        if not self.store.finish():
            self.show_problem(self.store.save_error or "your answers could not be saved; nothing was locked")
            self.store.finished = None
            return
        self.message.value = ""
        self.show_state()

    def retake(self) -> None:
        kept = self.store.retake()
        attempt = int(kept.name.rsplit("-", 1)[-1]) if kept else 1
        fresh = retake_deck(self.bank, self.deck, self.store.path, attempt)
        new_cases = sum(1 for case_id in fresh.cases if case_id not in self.deck.cases)
        self.deck = fresh
        drawn = (
            f" {new_cases} of its {len(fresh.cases)} cases are new to you (of the same kind and difficulty)."
            if new_cases
            else " The course has no unseen cases of this kind left, so the cases are the same."
        )
        self.message.value = "<div role='status'>A fresh attempt: every case is unanswered." + drawn + (
            f" Your finished attempt is kept as {escape(kept.name)}.</div>" if kept else "</div>"
        )
        self._reset(fresh)
        self.show_state()

    def submit(self) -> None:
        # nbgrader loads only when a learner submits
        from ..nbgrader.exchange import exchange_configured, submit_assignment

        folder = Path(self.store.path).parent
        if not exchange_configured(folder):
            self.message.value = (
                "<div role='status' style='padding:6px;border-left:3px solid #b36b00'>"
                "This course has no nbgrader exchange to submit to, so nothing was sent. Hand in the folder "
                f"<code>{escape(folder.name)}</code> (it holds <code>{escape(self.store.path.name)}</code>) as your instructor says.</div>"
            )
            return
        self.submit_button.disabled = True
        self.message.value = "<div role='status'>Submitting…</div>"
        try:
            said = submit_assignment(folder)
        except Exception as exc:  # nbgrader's failure is one line for the learner
            self.show_problem(learner_message(exc))
        else:
            self.message.value = (
                "<div role='status' style='padding:6px;border-left:3px solid #2a7d2a'>✓ Submitted to your instructor "
                f"through nbgrader ({escape(said)}). You can change answers and submit again until the deadline.</div>"
            )
        finally:
            self.submit_button.disabled = False


def set_disabled(widget: Any, disabled: bool) -> None:
    """Make every control inside ``widget`` read-only (or editable again); the Check and navigation buttons stay."""
    if hasattr(widget, "disabled") and isinstance(widget, widgets.DOMWidget) and not getattr(widget, "_keeps_enabled", False):
        widget.disabled = disabled
    for child in getattr(widget, "children", ()):
        set_disabled(child, disabled)
