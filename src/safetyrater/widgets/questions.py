"""Check questions: the quick multiple-choice questions a lesson asks before its practice deck.

``show_questions("lesson-01")`` shows the questions of that set from
``datasets/check_questions.toml``, in file order, one card each. Each card is
built like a case card (the card frame, style and save status of
:mod:`safetyrater.widgets.base`): the learner picks an option, the choice is saved
at once through an :class:`~safetyrater.answers.AnswerStore` (like every other
answer, beside the notebook), and the card answers at once: "✓ Right" or
"✗ Not quite" (a word and a mark, not only a colour), the answer, and the reason,
whichever option was picked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as widgets
from pydantic import Field, model_validator

from ..answers import AnswerStore
from ..bank.schema import Strict
from ..errors import DataError, Problem
from ..io import read_toml_model, table_lines
from ..paths import datasets_dir
from .base import CARD_LAYOUT
from .errors import guarded, problem_html, shown_safely
from .html import escape
from .status import save_status_html
from .style import CARD_CLASS, style_widget

#: a check question's card also carries the card class, so the card style (focus outline, spacing) applies
QUESTION_CLASS = "sr-question"

QUESTIONS_FILE = "check_questions.toml"
#: the one field a question's answer saves: the index of the picked option
ANSWER_FIELDS = ("choice",)
RIGHT_COLOUR = "#1e6b1e"
WRONG_COLOUR = "#a33a00"


class CheckQuestion(Strict):
    """One question of ``datasets/check_questions.toml``."""

    id: str = Field(pattern=r"^l\d\d[a-z]?-q\d+$")
    lesson: int = Field(ge=1, le=12)
    set: str = Field(pattern=r"^lesson-\d\d[a-z]?$")
    stem: str = Field(min_length=1)
    options: list[str] = Field(min_length=2, max_length=6)
    answer: int = Field(ge=0)
    reason: str = Field(min_length=1)

    @model_validator(mode="after")
    def _answer_is_an_option(self) -> CheckQuestion:
        if self.answer >= len(self.options):
            raise ValueError(f"answer {self.answer} is not an option (options count from 0; there are {len(self.options)})")
        return self


class CheckQuestionFile(Strict):
    question: list[CheckQuestion]


def _question_line(text: str, loc: tuple[Any, ...]) -> int | None:
    """The line of the ``[[question]]`` (or of its key) a validation error points at."""
    starts = table_lines(text, "[[question]]")
    if len(loc) < 2 or not isinstance(loc[1], int) or loc[1] >= len(starts):
        return None
    if len(loc) > 2 and isinstance(loc[2], str):
        ends = starts[loc[1] + 1] if loc[1] + 1 < len(starts) else len(text.splitlines()) + 1
        for number, line in enumerate(text.splitlines()[starts[loc[1]] : ends - 1], starts[loc[1]] + 1):
            if line.split("=")[0].strip() == loc[2]:
                return number
    return starts[loc[1]]


def load_questions(set_name: str, path: Path | None = None) -> list[CheckQuestion]:
    """The questions of ``set_name`` in file order; :class:`DataError` names the file, line and problem."""
    path = path if path is not None else datasets_dir() / QUESTIONS_FILE
    questions = read_toml_model(path, CheckQuestionFile, "check-question file", _question_line).question
    seen: set[str] = set()
    for index, question in enumerate(questions):
        if question.id in seen:
            line = _question_line(path.read_text(encoding="utf-8"), ("question", index, "id"))
            raise DataError([Problem(path, line, "id", f"question id {question.id!r} is used twice")])
        seen.add(question.id)
    chosen = [q for q in questions if q.set == set_name]
    if not chosen:
        known = ", ".join(sorted({q.set for q in questions}))
        raise DataError([Problem(path, None, "set", f"no check questions for {set_name!r} (known: {known})")])
    return chosen


def answers_deck_id(set_name: str) -> str:
    """The name of the answer file's deck for a set: ``lesson-01-check``."""
    return f"{set_name}-check"


def answer_html(question: CheckQuestion, choice: int | None) -> str:
    """What the card says once an option is picked: right or not (word, mark and colour), the answer, the reason."""
    if choice is None:
        return ""
    right = choice == question.answer
    colour = RIGHT_COLOUR if right else WRONG_COLOUR
    verdict = "✓ Right." if right else f"✗ Not quite. The answer is: {question.options[question.answer]}."
    return (
        f"<div class='sr-feedback' role='status' style='border-top:2px solid {colour};padding:6px'>"
        f"<div style='color:{colour};font-weight:600'>{escape(verdict)}</div>"
        f"<div style='margin-top:4px'><b>Why:</b> {escape(question.reason)}</div></div>"
    )


class QuestionCard(widgets.VBox):
    """One check question: the stem, its options, the save status and the answer with its reason."""

    def __init__(self, question: CheckQuestion, store: AnswerStore, *, position: int = 1, total: int = 1):
        self.question = question
        self.store = store
        self.status = widgets.HTML()
        self.feedback = widgets.HTML()
        saved = store.get(question.id).get("choice")
        choice = saved if isinstance(saved, int) and 0 <= saved < len(question.options) else None
        self.options = widgets.RadioButtons(
            options=[(text, i) for i, text in enumerate(question.options)],
            value=choice,
            layout=widgets.Layout(width="auto"),
        )
        header = widgets.HTML(
            f"<h4 style='margin:4px 0'>Question {position} of {total}</h4>"
            f"<div style='font-weight:600;line-height:1.5'>{escape(question.stem)}</div>"
        )
        self.feedback.value = answer_html(question, choice)
        super().__init__([header, self.options, self.status, self.feedback], layout=widgets.Layout(**CARD_LAYOUT))
        self.add_class(CARD_CLASS)
        self.add_class(QUESTION_CLASS)
        self.options.observe(guarded(self.show_problem)(self._picked), names="value")

    def show_problem(self, message: str) -> None:
        self.status.value = problem_html(message)

    def _picked(self, change: dict[str, Any]) -> None:
        choice = change["new"]
        self.feedback.value = answer_html(self.question, choice)
        if choice is not None:
            self.status.value = save_status_html(self.store.update(self.question.id, choice=choice), self.store)


class QuestionsView(widgets.VBox):
    """The cards of one set of check questions."""

    def __init__(self, set_name: str, folder: Path | str | None = None, path: Path | None = None):
        questions = load_questions(set_name, path)
        self.store = AnswerStore(answers_deck_id(set_name), folder, fields=ANSWER_FIELDS, what="check-question answer")
        self.cards = [QuestionCard(q, self.store, position=i, total=len(questions)) for i, q in enumerate(questions, 1)]
        # the lesson's text says what to do; the view is only the cards
        super().__init__([style_widget(), *self.cards])


def show_questions(set_name: str, folder: Path | str | None = None) -> QuestionsView | widgets.HTML:
    """A lesson's check questions, ready to display; a problem with the question file is one plain message instead."""
    result: QuestionsView | widgets.HTML = shown_safely(lambda: QuestionsView(set_name, folder))
    return result
