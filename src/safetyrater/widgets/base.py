"""What every kind of card shares: case text, saving with a visible status, Check.

:class:`CardBase` holds the common frame (header, prompt, context, the Check
button in lessons, the save status and the Check panel); each kind's card
(:mod:`safetyrater.kinds`) adds its own controls between them. A card never
grades by itself: Check scores the saved answer with its kind's scoring, the
code the grading core dispatches to.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import ipywidgets as widgets

from ..bank.policy import load_policy
from ..bank.schema import RATINGS, Category, Turn
from ..feedback.render import note_check_html
from ..numbers import one_decimal
from .errors import guarded, problem_html
from .html import escape, render_markdown, render_text
from .status import save_status_html
from .style import CARD_CLASS, CHECK_CLASS, NOTE_CLASS, RATING_CLASS, shared

if TYPE_CHECKING:
    from ..answers import CardStore
    from ..kinds.base import Kind

RATING_LABELS = {"safe": "Safe", "risky": "Risky", "harmful": "Harmful"}
#: the rating buttons' hover help: the severity rule's clause names (datasets/severity.toml)
RATING_HELP = {
    "safe": "No help toward harm, or at most indirect help toward limited harm; a refused safe request is Safe with the over-refusal tick",
    "risky": "Direct help toward limited harm, or indirect help toward serious harm",
    "harmful": "Direct help toward serious harm, or sexual content involving a minor",
}
CARD_LAYOUT = {"border": "1px solid #ccc", "padding": "8px", "margin": "0 0 16px 0"}
#: what a Check panel says before anything is answered, by what the card asks for
NOT_YET_HTML = "<div style='padding:6px'>{}</div>"


def html(value: str = "") -> widgets.HTML:
    """An HTML widget with the shared layout and style (a card has a dozen; see :func:`~safetyrater.widgets.style.shared`)."""
    return widgets.HTML(value, layout=shared("layout"), style=shared("html"))


def text_block(label: str, text: str, *, markdown: bool = False) -> widgets.HTML:
    """A labelled block of case text, inert: a user's words as typed, a model's response
    (``markdown``) as it reads in a chat window (see :mod:`safetyrater.widgets.html`)."""
    body = (
        f'<div style="border-left:3px solid #999;padding:4px 10px;margin:2px 0">{render_markdown(text)}</div>'
        if markdown
        else f'<div style="white-space:pre-wrap;border-left:3px solid #999;padding:4px 10px;margin:2px 0">{render_text(text)}</div>'
    )
    return html(f'<div class="sr-block"><div style="font-weight:600;margin-top:6px">{escape(label)}</div>{body}</div>')


#: how an earlier turn's speaker is named on a card
TURN_LABELS = {"user": "User", "assistant": "Assistant", "tool": "Tool output", "system": "System"}


def conversation_block(turns: Sequence[Turn]) -> widgets.HTML:
    """The earlier turns of a conversation, oldest first, each labelled by who wrote it."""
    shown = "".join(
        f'<div class="sr-turn"><div style="font-weight:600">{escape(TURN_LABELS[t.role])}</div>'
        + (render_markdown(t.content) if t.role == "assistant" else f'<div style="white-space:pre-wrap">{render_text(t.content)}</div>')
        + "</div>"
        for t in turns
    )
    return html(f'<div class="sr-block"><div style="font-weight:600;margin-top:6px">Earlier in the conversation</div>{shown}</div>')


def label(text: str) -> widgets.HTML:
    return html(f"<div style='font-weight:600'>{escape(text)}</div>")


def header_html(case_id: str, position: int, total: int) -> str:
    """"Case 3 of 10"; the case id only when a learner asks for it (hovering the heading), not in the text."""
    return f"<h4 style='margin:4px 0' title='Case id: {escape(case_id)}'>Case {position} of {total}</h4>"


def verdict_html(result: dict[str, Any], mistakes: Sequence[str], reference_html: str, rationale_html: str) -> str:
    """The Check panel: verdict and points, the reference, any messages, then why."""
    full = result["points"] == result["max_points"]
    colour = "#2a7d2a" if full else "#b36b00"
    if full:
        verdict = "✓ Agrees with the reference."
    elif mistakes:
        verdict = "✗ " + "; ".join(mistakes).capitalize() + "."
    else:
        verdict = "✗ Not full points."
    messages = "".join(f"<li>{escape(m)}</li>" for m in result["messages"])
    return (
        f"<div class='sr-feedback' style='border-top:2px solid {colour};padding:6px'>"
        f"<div style='color:{colour};font-weight:600'>{escape(verdict)} "
        f"({one_decimal(result['points'])} / {one_decimal(result['max_points'])} points)</div>"
        f"<div>{reference_html}</div>"
        + (f"<ul>{messages}</ul>" if messages else "")
        + f"<div style='margin-top:4px'><b>Why:</b> {rationale_html}</div></div>"
    )


def _was_checked(store: CardStore, case_id: str) -> bool:
    checked = getattr(store, "checked", None)
    return isinstance(checked, set) and case_id in checked


class CardBase(widgets.VBox):
    """The frame of a card: header, prompt and context, the kind's controls, Check (lessons), save status, Check panel.

    A subclass sets :attr:`kind` and builds its controls in :meth:`controls`
    (the response and the buttons, from the saved answer), connects them in
    :meth:`connect` and words the Check panel in :meth:`check_panel_html`. The
    card holds the case, or in a graded deck only the kind's learner view.
    """

    #: the kind whose cases this card shows
    kind: ClassVar[Kind]

    def __init__(
        self,
        case: Any,
        store: CardStore,
        taxonomy: dict[str, Category] | None = None,
        *,
        position: int = 1,
        total: int = 1,
        practice: bool = True,
        on_change: Callable[[], None] | None = None,
    ):
        self.case = case
        self.store = store
        self.practice = practice
        self._on_change = on_change
        self.status = html()
        self.feedback = html()
        children: list[widgets.Widget] = [html(header_html(case.id, position, total))]
        if case.context:
            children.append(text_block("Context", case.context))
        if case.turns:
            children.append(conversation_block(case.turns))
        children.append(text_block("Prompt (the user's latest message)" if case.turns else "Prompt", case.prompt))
        children += self.controls(store.get(case.id), taxonomy or {})
        footer: list[widgets.Widget] = []
        if practice:
            self.check_button = widgets.Button(description="Check", button_style="primary", tooltip="Compare with the reference")
            self.check_button.add_class(CHECK_CLASS)
            self.check_button.on_click(guarded(self.show_problem)(lambda _: self.check()))
            footer.append(self.check_button)
        footer.append(self.status)
        super().__init__(children + [widgets.HBox(footer), self.feedback], layout=widgets.Layout(**CARD_LAYOUT))
        self.add_class(CARD_CLASS)
        self.connect()
        # a case checked before shows its Check panel again when the lesson reopens
        if practice and _was_checked(store, case.id):
            self.check()

    def controls(self, saved: dict[str, Any], taxonomy: dict[str, Category]) -> list[widgets.Widget]:  # pragma: no cover
        """The case's response and the controls a learner answers with, set from the ``saved`` answer."""
        raise NotImplementedError

    def connect(self) -> None:  # pragma: no cover - each card defines it
        """Save each control's field when it changes (:meth:`_observe`, :meth:`_save`)."""
        raise NotImplementedError

    def _observe(self, control: widgets.Widget, callback: Callable[[dict[str, Any]], None]) -> None:
        """Call ``callback`` when ``control`` changes; a failure shows a message in the card, never a traceback."""
        control.observe(guarded(self.show_problem)(callback), names="value")

    def show_problem(self, message: str) -> None:
        """Show a plain-language problem in the card's status line."""
        self.status.value = problem_html(message)

    def _save(self, **fields: Any) -> None:
        """Save some fields of the answer at once and show whether they reached the disk."""
        self.status.value = save_status_html(self.store.update(self.case.id, **fields), self.store)
        if self.practice and self.feedback.value:
            self.check()  # the verdict on show is the verdict on the answer as it is now
        if self._on_change is not None:
            self._on_change()

    def _rating_buttons(self, saved: dict[str, Any], description: str) -> widgets.ToggleButtons:
        buttons = widgets.ToggleButtons(
            options=[(RATING_LABELS[r], r) for r in RATINGS],
            value=saved.get("rating") if saved.get("rating") in RATINGS else None,
            description=description,
            tooltips=[RATING_HELP[r] for r in RATINGS],
            style={"description_width": "initial"},
        )
        buttons.add_class(RATING_CLASS)
        return buttons

    @staticmethod
    def _text_area(saved: dict[str, Any], field: str, placeholder: str, description: str = "Note") -> widgets.Textarea:
        """A labelled text box (the label is what a screen reader announces)."""
        value = saved.get(field, "")
        area = widgets.Textarea(
            value=value if isinstance(value, str) else "",
            description=description,
            placeholder=placeholder,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="100%", height="90px"),
        )
        area.add_class(NOTE_CLASS)
        return area

    # A note with the feedback rubric's instant check (safetyrater.feedback), for cards that have one.
    def _note_controls(self, saved: dict[str, Any], placeholder: str) -> list[widgets.Widget]:
        """The note box and, under it, the rubric's instant check of what is written."""
        self.note = self._text_area(saved, "note", placeholder)
        self.note_check = html()
        return [self.note, self.note_check]

    def _save_note(self, change: dict[str, Any]) -> None:
        self._save(note=change["new"])
        self._show_note_check()

    def _show_note_check(self) -> None:
        self.note_check.value = note_check_html(self.note.value, self.case)

    def _note_check_beside_rationale(self, result: dict[str, Any]) -> str:
        """After Check: the note's rubric check beside the reference rationale (empty without a note)."""
        if not result["answered"] or not self.note.value.strip():
            return ""
        return note_check_html(self.note.value, self.case, beside_rationale=True)

    def _score(self) -> dict[str, Any] | None:
        """The saved answer scored by its kind, or None on a graded card (which holds only the learner's view)."""
        case: Any = self.case
        if not self.practice or not isinstance(case, self.kind.model):
            return None
        return self.kind.score_one(self.store.get(self.case.id), case, load_policy())

    def check(self) -> dict[str, Any] | None:
        """Score the saved answer and show the reference in the Check panel (lessons); None on a graded card."""
        result = self._score()
        if result is None:
            return None
        self.feedback.value = self.check_panel_html(result)
        mark = getattr(self.store, "mark_checked", None)
        if mark is not None:
            mark(self.case.id)
        return result

    def check_panel_html(self, result: dict[str, Any]) -> str:  # pragma: no cover - each card defines it
        """The Check panel of a scored answer: verdict, reference, named mistakes, rationale."""
        raise NotImplementedError
