"""The mock-assessment widget: a Start form, then one case at a time, a countdown, Submit, the report.

Lesson 10 shows :func:`start_assessment`: an attempt not yet submitted carries
on; otherwise a form asks for the number of cases and the minutes, and nothing
starts (no file, no clock) until the learner presses **Start**.

The cards are the course's rating cards in graded mode: they get only what a
learner may see (the rating kind's learner view), have no Check
button, and save every click through the attempt session. The countdown is an
ipywidgets Label that a daemon thread refreshes once a second; the thread only
sets a label, so the kernel stays free. **Submit** opens a confirmation dialog
(how many cases are rated, the time left) whose own button submits: a second
press of Submit, or a double click, does nothing more. Tests build the view with
``autostart=False`` and a fake clock, and call :meth:`AssessmentView.tick`.
"""

from __future__ import annotations

import functools
import json
import os
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from ..bank.casebank import CaseBank
from ..bank.policy import load_policy
from ..errors import SafetyraterError
from ..kinds import PublicCase
from ..kinds.rating import RATING, RatingCard, RatingView
from ..widgets.errors import problem_html
from ..widgets.html import escape
from ..widgets.status import save_status_html
from ..widgets.style import DIALOG_CLASS, style_widget
from .forms import draw_form, form_id, pool_cases, read_public_form
from .report import finish_attempt
from .session import AttemptSession, Clock, open_attempt, start_attempt, submit_attempt, utc_now

#: set by ``safetyrater assess start`` so the notebook's call picks up the command's options
ENV_CASES = "SAFETYRATER_ASSESS_CASES"
ENV_SEED = "SAFETYRATER_ASSESS_SEED"
ENV_MINUTES = "SAFETYRATER_ASSESS_MINUTES"


def countdown_text(seconds_left: float, submitted: bool, late_scored: bool) -> str:
    if submitted:
        return "Submitted."
    if seconds_left > 0:
        whole = int(seconds_left + 0.999)  # 0.2 s left still shows 0:01
        hours, rest = divmod(whole, 3600)
        minutes, seconds = divmod(rest, 60)
        shown = f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
        return f"Time left: {shown}"
    scored = "scored but marked late" if late_scored else "marked late and not scored"
    return f"Time is up. Answers you give or change now are {scored}. Submit to see your report."


class AssessmentView(widgets.VBox):
    """A running attempt: header with countdown, the current case, navigation, Submit."""

    def __init__(
        self,
        session: AttemptSession,
        cases: list[PublicCase],
        taxonomy: dict[str, Any],
        policy: Any,
        bank: Any = None,
        *,
        autostart: bool = True,
        tick_seconds: float = 1.0,
    ):
        self.session = session
        self.cases = cases
        self.taxonomy = taxonomy
        self.policy = policy
        self.bank = bank
        self.report: Any = None
        self._cards: dict[int, RatingCard] = {}
        self._stop = threading.Event()
        self._timer: threading.Thread | None = None
        self.index = 0

        attempt = session.attempt
        self.title = widgets.HTML(
            f"<h3 style='margin:4px 0'>Mock assessment: form {escape(attempt.form)}, attempt {attempt.number}</h3>"
            f"<div>{len(cases)} cases, {attempt.minutes:g} minutes. Answers save automatically to "
            f"<code>{escape(session.path.name)}</code>. No reference is shown until you submit.</div>"
        )
        self.countdown = widgets.Label(style={"font_weight": "bold"})
        self.progress = widgets.HTML()
        self.body = widgets.VBox()
        self.previous_button = widgets.Button(description="◀ Previous", tooltip="The previous case")
        self.next_button = widgets.Button(description="Next ▶", tooltip="The next case")
        self.jump = widgets.Dropdown(
            options=[(f"Case {i}", i - 1) for i in range(1, len(cases) + 1)],
            value=0,
            description="Go to",
            layout=widgets.Layout(width="180px"),
        )
        self.submit_button = widgets.Button(description="Submit…", button_style="danger", tooltip="End the assessment and see your report")
        self.status = widgets.HTML()
        self.report_area = widgets.HTML()
        self.previous_button.on_click(lambda _: self.show(self.index - 1))
        self.next_button.on_click(lambda _: self.show(self.index + 1))
        self.jump.observe(lambda change: self.show(change["new"]), names="value")
        self.submit_button.on_click(lambda _: self.submit())
        self.navigation = widgets.HBox([self.previous_button, self.next_button, self.jump, self.submit_button])
        # the confirmation dialog: its own Submit button, away from the first one, so a double click cannot submit
        self.dialog_text = widgets.HTML()
        self.confirm_button = widgets.Button(description="Submit my answers", button_style="danger", tooltip="Submit now")
        self.cancel_button = widgets.Button(description="Keep working", button_style="primary", tooltip="Go back to the cases")
        self.confirm_button.on_click(lambda _: self.submit(confirmed=True))
        self.cancel_button.on_click(lambda _: self.close_dialog())
        self.dialog = widgets.VBox(
            [self.dialog_text, widgets.HBox([self.cancel_button, self.confirm_button])],
            layout=widgets.Layout(display="none"),
        )
        self.dialog.add_class(DIALOG_CLASS)
        shown = [self.title, self.countdown, self.progress, self.body, self.navigation, self.dialog, self.status, self.report_area]
        super().__init__([style_widget(), *shown])

        if session.submitted:
            self._show_submitted()
        else:
            self.show(0)
        self.tick()
        if autostart and not session.submitted:
            self.start_timer(tick_seconds)

    # -- the countdown -----------------------------------------------------------------
    def tick(self) -> str:
        """Refresh the countdown from the session's clock; return what it shows."""
        late_scored = self.policy.assessment.late_answers == "scored"
        text = countdown_text(self.session.seconds_left(), self.session.submitted, late_scored)
        self.countdown.value = text
        return text

    def start_timer(self, interval: float = 1.0) -> None:
        if self._timer is not None:
            return

        def run() -> None:
            while not self._stop.wait(interval):
                try:
                    self.tick()
                except Exception:  # a closed widget or a dead comm: nothing left to update
                    return

        self._timer = threading.Thread(target=run, name="safetyrater-countdown", daemon=True)
        self._timer.start()

    def stop_timer(self) -> None:
        self._stop.set()

    def close(self) -> None:
        self.stop_timer()
        super().close()

    # -- cases ---------------------------------------------------------------------------
    def card(self, index: int) -> RatingCard:
        """The card of case ``index`` (from 0), built on first use."""
        if index not in self._cards:
            self._cards[index] = RatingCard(
                self.cases[index],
                self.session,
                self.taxonomy,
                position=index + 1,
                total=len(self.cases),
                practice=False,
                on_change=functools.partial(self._changed, index),
            )
        return self._cards[index]

    def show(self, index: int) -> None:
        """Show case ``index`` (from 0); the time spent on the case left is recorded."""
        if self.session.submitted or not 0 <= index < len(self.cases):
            return
        self.index = index
        self.session.visit(self.cases[index].id)
        warning = self.cases[index].content_warning
        shown: list[widgets.Widget] = []
        if warning:
            shown.append(widgets.HTML(f"<div style='color:#8a4b00'><b>Content warning:</b> {escape(warning)}</div>"))
        shown.append(self.card(index))
        self.body.children = shown
        self.previous_button.disabled = index == 0
        self.next_button.disabled = index == len(self.cases) - 1
        if self.jump.value != index:
            self.jump.value = index
        self._refresh()

    def _changed(self, index: int) -> None:
        case_id = self.cases[index].id
        if self.session.is_late(case_id) and self.session.save_error is None:
            self._cards[index].status.value = save_status_html(True, self.session, late=True)
        self._refresh()

    def rated(self) -> list[int]:
        return [i for i, case in enumerate(self.cases) if self.session.get(case.id).get("rating")]

    def _refresh(self) -> None:
        rated = set(self.rated())
        missing = [str(i + 1) for i in range(len(self.cases)) if i not in rated]
        line = f"{len(rated)} of {len(self.cases)} cases rated."
        if missing and len(missing) <= 12:
            line += f" Not yet rated: {', '.join(missing)}."
        self.progress.value = line

    # -- submitting --------------------------------------------------------------------
    @property
    def confirming(self) -> bool:
        """Whether the confirmation dialog is open."""
        return bool(self.dialog.layout.display != "none")

    def ask_to_submit(self) -> None:
        """Open the confirmation dialog: what is rated, what is not, the time left."""
        unrated = len(self.cases) - len(self.rated())
        lines = [f"You have rated {len(self.cases) - unrated} of {len(self.cases)} cases."]
        if unrated:
            lines.append(f"{unrated} case(s) have no rating and will score 0.")
        if not self.session.time_is_up():
            lines.append(f"{self.tick()}.")
        lines.append("Once submitted, answers cannot change.")
        self.dialog_text.value = (
            "<div role='alertdialog' aria-label='Submit your answers?'>"
            "<h4 style='margin:0 0 6px 0'>Submit your answers?</h4>"
            + "".join(f"<p style='margin:2px 0'>{escape(line)}</p>" for line in lines)
            + "</div>"
        )
        self.dialog.layout.display = "flex"
        self.submit_button.disabled = True
        self.cancel_button.focus()

    def close_dialog(self) -> None:
        self.dialog.layout.display = "none"
        self.submit_button.disabled = False
        self.submit_button.focus()

    def submit(self, confirmed: bool = False) -> Any:
        """Submit asks first (the dialog); ``confirmed`` (the dialog's button) ends the attempt and shows the report."""
        if self.session.submitted:
            return self.report
        if not confirmed:
            if not self.confirming:
                self.ask_to_submit()
            return None
        self.dialog.layout.display = "none"
        self.status.value = ""
        try:
            if self.bank is not None and all(case.id in self.bank.cases for case in self.cases):
                self.report = finish_attempt(self.session, self.bank, self.policy)
            else:  # a deployment without the pool: graded elsewhere
                submit_attempt(self.session)
        except SafetyraterError as exc:
            self.status.value = f"<span style='color:#b00'>{escape(str(exc))}</span>"
            if not self.session.submitted:
                return None
        self._show_submitted()
        return self.report

    def _show_submitted(self) -> None:
        self.stop_timer()
        for card in self._cards.values():
            card.close()
        self._cards.clear()
        self.body.children = []
        self.navigation.layout.display = "none"
        self.dialog.layout.display = "none"
        self.status.value = ""
        self.progress.value = ""
        self.tick()
        if self.report is not None:
            self.report_area.value = self.report.html() + WEAK_SPOTS_LINK
        else:
            self.report_area.value = (
                f"<div>Submitted. Your answers are in <code>{escape(self.session.path.name)}</code>; "
                "the report comes when it is graded (<code>safetyrater assess report</code>).</div>"
            )


#: the report leads to practice on what it found (the page sits beside lesson 10 in course/)
WEAK_SPOTS_LINK = (
    "<p class='sr-weak-spots-link' style='margin-top:8px'><a href='weak-spots.ipynb' "
    "style='color:#0b57d0;text-decoration:underline'>Practice on your weak spots</a>: a deck of new cases chosen from "
    "the mistakes in this attempt and your lessons.</p>"
)


def _env_number(name: str, kind: type) -> Any:
    value = os.environ.get(name)
    if value in (None, ""):
        return None
    try:
        return kind(value)
    except ValueError:
        raise SafetyraterError(f"{name}={value!r}: expected a number") from None


def _read_form_file(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SafetyraterError(f"{path}: cannot read the form ({exc})") from None


def open_assessment(
    cases: int | None = None,
    minutes: float | None = None,
    seed: int | None = None,
    *,
    folder: Path | str | None = None,
    form_file: Path | str | None = None,
    clock: Clock = utc_now,
    autostart: bool = True,
) -> AssessmentView:
    """Resume the open attempt or start a new one; raise on any problem.

    Without ``seed`` an unsubmitted attempt in ``folder`` is resumed, else a new
    form is drawn with a fresh seed. ``form_file`` is a reference-free form from
    ``safetyrater assess form`` (for a deployment without ``datasets/pool/``).
    Options left out come from ``safetyrater assess start``, then the policy.
    """
    policy = load_policy()
    bank = CaseBank.load()
    rules = policy.assessment
    folder = Path(folder) if folder is not None else Path.cwd()
    cases = cases if cases is not None else _env_number(ENV_CASES, int) or rules.cases
    seed = seed if seed is not None else _env_number(ENV_SEED, int)
    minutes = minutes if minutes is not None else _env_number(ENV_MINUTES, float)

    given: dict[str, RatingView] = {}
    form = None
    if form_file is not None:
        path = Path(form_file)
        data = _read_form_file(path)
        form, form_cases, file_minutes = read_public_form(data, str(path))
        given = {case.id: case for case in form_cases}
        minutes = minutes or file_minutes
        wanted: str | None = form.id
    else:
        wanted = form_id(cases, seed) if seed is not None else None
    minutes = minutes or rules.minutes

    session = open_attempt(folder, wanted, clock)
    if session is None:
        if form is None:
            form = draw_form(
                pool_cases(bank),
                cases,
                seed if seed is not None else secrets.randbelow(1_000_000),
                max_probe_pairs=rules.probe_pairs,
            )
        session = start_attempt(folder, form, minutes, rules, clock)
    shown: list[PublicCase] = []
    for case_id in session.attempt.case_ids:
        if case_id in given:
            shown.append(given[case_id])
        elif case_id in bank.cases:
            shown.append(RATING.public(bank.cases[case_id]))
        else:
            raise SafetyraterError(f"{session.path}: case {case_id!r} is neither in the form file nor in the case bank")
    return AssessmentView(session, shown, bank.taxonomy, policy, bank, autostart=autostart)


class StartForm(widgets.VBox):
    """Lesson 10's form: how many cases, how many minutes, and **Start**; the attempt begins on Start, not before."""

    def __init__(
        self,
        cases: int,
        minutes: float,
        start: Callable[[int, float], widgets.Widget],
        *,
        fixed_cases: bool = False,
        most_cases: int = 150,
    ):
        self._start = start
        self._minutes_per_case = minutes / cases if cases else 1.5
        self._minutes_chosen = False
        intro = widgets.HTML(
            "<h3 style='margin:4px 0'>Start a mock assessment</h3>"
            "<p style='margin:2px 0'>Cases you have never seen, one at a time, with no feedback until you submit. "
            "The clock starts when you press <b>Start</b>; your answers save as you go, and if you close the page "
            "the attempt carries on when you come back (the clock keeps running).</p>"
        )
        self.cases = widgets.BoundedIntText(
            value=cases, min=5, max=max(most_cases, cases), description="Number of cases", style={"description_width": "initial"},
            disabled=fixed_cases, layout=widgets.Layout(width="16em"),
        )
        self.minutes = widgets.BoundedIntText(
            value=round(minutes), min=1, max=600, description="Minutes", style={"description_width": "initial"},
            layout=widgets.Layout(width="16em"),
        )
        self.start_button = widgets.Button(description="Start", button_style="primary", tooltip="Start the clock and show the first case")
        self.status = widgets.HTML()
        self.cases.observe(self._suggest_minutes, names="value")
        self.minutes.observe(self._chosen, names="value")
        self.start_button.on_click(lambda _: self.start())
        super().__init__([intro, self.cases, self.minutes, self.start_button, self.status])
        self.add_class("sr-start-form")

    def _suggest_minutes(self, change: dict[str, Any]) -> None:
        # the policy's pace (60 minutes for 40 cases), until the learner sets the minutes
        if not self._minutes_chosen:
            self.minutes.value = max(1, round(change["new"] * self._minutes_per_case))

    def _chosen(self, change: dict[str, Any]) -> None:
        self._minutes_chosen = change["new"] != round(self.cases.value * self._minutes_per_case)

    def start(self) -> widgets.Widget | None:
        """Start the attempt with the chosen numbers; a problem is one line under the form."""
        self.start_button.disabled = True
        try:
            return self._start(int(self.cases.value), float(self.minutes.value))
        except SafetyraterError as exc:
            self.status.value = problem_html(str(exc))
            self.start_button.disabled = False
            return None


class AssessmentPage(widgets.VBox):
    """What the mock-assessment page shows: the attempt under way, or the Start form until one starts."""

    def __init__(self, cases: int | None, minutes: float | None, seed: int | None, **options: Any):
        self.options = options
        self.seed = seed
        self.view: AssessmentView | None = None
        folder = Path(options.get("folder") or Path.cwd())
        resumed = open_attempt(folder, None, options.get("clock", utc_now)) if options.get("form_file") is None else None
        if resumed is not None:
            self.view = open_assessment(folder=folder, **{k: v for k, v in options.items() if k != "folder"})
            super().__init__([self.view])
            return
        rules = load_policy().assessment
        default_cases = cases if cases is not None else _env_number(ENV_CASES, int) or rules.cases
        default_minutes = minutes if minutes is not None else _env_number(ENV_MINUTES, float) or rules.minutes * default_cases / rules.cases
        fixed = None
        if options.get("form_file") is not None:
            data = _read_form_file(Path(options["form_file"]))
            fixed = len(data.get("cases", []))
            default_minutes = minutes or float(data.get("minutes") or default_minutes)
        self.form = StartForm(
            fixed or default_cases,
            default_minutes,
            self._begin,
            fixed_cases=fixed is not None,
            most_cases=len(pool_cases(CaseBank.load())) if fixed is None else fixed,
        )
        super().__init__([self.form])

    def _begin(self, cases: int, minutes: float) -> widgets.Widget:
        self.view = open_assessment(cases, minutes, self.seed, **self.options)
        self.children = [self.view]
        return self.view


def start_assessment(cases: int | None = None, minutes: float | None = None, seed: int | None = None, **options: Any) -> widgets.Widget:
    """What the mock-assessment page calls: the attempt under way or a Start form, or a clear message why not."""
    try:
        return AssessmentPage(cases, minutes, seed, **options)
    except SafetyraterError as exc:
        return widgets.HTML(f"<div style='color:#b00;white-space:pre-wrap'>{escape(str(exc))}</div>")
