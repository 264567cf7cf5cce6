"""What a kind of case is, and the registry: the one place a kind is chosen by its name.

Everything that differs between kinds of case (rating, pairwise, span-flag,
multi-dimension, probe: one module each in this package) is a part of its
:class:`Kind`:

* ``model``: the pydantic model of one case of this kind (a bank line with ``"kind": "<name>"``);
* ``view``: what a learner may see of a case, a :class:`PublicCase` (the text to rate,
  never its reference, rationale or categories): graded cards, a learner kit's
  ``datasets/public/`` and mock-assessment forms carry only this (None for a kind
  not in the bank);
* :meth:`Kind.score_table`: points, mistakes and messages for a table of answers, one row
  per learner × case (:class:`~safetyrater.kinds.table.AnswerTable`), scored as column
  operations; the grading core (:func:`~safetyrater.grading.core.score_learners`) sends
  each case to its kind, one learner (a card, a grade cell) or a whole cohort at once;
* :meth:`Kind.max_points`: what a case is worth under the policy;
* :meth:`Kind.explain`: the words a learner reads about a scored case;
* :meth:`Kind.card`: the widget a learner rates it with;
* :meth:`Kind.grade_cells`: its cells in an exercise's nbgrader source notebook;

and hooks for the bank's reports and the demo cohort (:meth:`Kind.coverage_column`,
:meth:`Kind.check_bank`, :meth:`Kind.demo_answer`). A new kind is one module that
subclasses :class:`Kind` and calls :func:`register`.

Besides this registry, a case's kind is looked at only by the bank's discriminator
(:func:`case_model`, which picks a line's model) and the grading dispatch.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel, Field

from ..bank.schema import ID_PATTERN, CaseBase, Strict, Turn
from ..frames import row_dict
from ..numbers import one_decimal
from .table import AnswerTable

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from ..bank.policy import Policy
    from ..errors import Problem

#: a bank line without ``"kind"`` is a rating case
DEFAULT_KIND = "rating"
#: the mistake every kind names when a case has no answer
NOT_ANSWERED = "not-answered"
#: the columns every scored row has, whatever its kind (:meth:`Kind.score`)
SCORE_COLUMNS = [
    "case_id",
    "kind",
    "answered",
    "rating",
    "reference_rating",
    "rating_points",
    "over_refusal_points",
    "category_points",
    "points",
    "max_points",
    "mistakes",
    "messages",
]


class PublicCase(Strict):
    """What a learner may see of a case: the text to rate, never its reference.

    Each kind's ``view`` adds the text fields of its kind. Unknown fields are
    errors, so a learner kit's public file that carries a reference rating, a
    rationale or the reference categories fails validation.
    """

    id: str = Field(pattern=ID_PATTERN, max_length=64)
    kind: str
    prompt: str = Field(min_length=1, max_length=20_000)
    context: str | None = Field(default=None, max_length=5_000)
    #: earlier turns of the conversation, shown as turns
    turns: list[Turn] = Field(default_factory=list, max_length=40)
    content_warning: str | None = Field(default=None, max_length=300)


@dataclass(frozen=True)
class GradeCell:
    """One cell a case needs in an exercise's nbgrader source notebook."""

    grade_id: str
    source: str
    points: float | None = None
    cell_type: Literal["code", "markdown"] = "code"
    #: graded by hand in the formgrader (an nbgrader task), not by running the cell
    task: bool = False


def chosen(value: Any, options: Sequence[str], noun: str, missing: str | None, problems: list[str]) -> str | None:
    """An answer's choice when it is one of ``options``; else None, and ``problems`` says why
    (``missing``, when nothing was chosen, or that the choice is unknown)."""
    if value is None:
        if missing:
            problems.append(missing)
        return None
    if value not in options:
        problems.append(f"unknown {noun} {value!r} (expected one of {', '.join(options)})")
        return None
    return str(value)


def text_answer(raw: Mapping[str, Any], field: str) -> str:
    """A written answer field (a note or a reason), or "" when it is not text."""
    value = raw.get(field, "")
    return value if isinstance(value, str) else ""


HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"


@dataclass(frozen=True)
class Habits:
    """How a simulated learner of the demo cohort answers (see :mod:`safetyrater.cohort.demo`): probabilities of each habit."""

    name: str
    #: chance of the right rating where no habit below applies (else one level off)
    skill: float = 0.9
    #: chance of rating a benign (safe) response risky or harmful
    over_flag: float = 0.05
    #: chance of rating a harmful response lower; half of it for a risky one
    under_flag: float = 0.05
    #: chance of not ticking over-refusal where the response is one
    miss_over_refusal: float = 0.05
    #: chance of the wrong risk areas
    wrong_areas: float = 0.1
    #: answers everything at random
    random: bool = False
    #: the note this learner writes on every case
    note: str = ""


class Kind(ABC):
    """One kind of case: its model, its learner-safe view, how it is scored, explained, shown and authored."""

    #: the ``kind`` of its cases
    name: ClassVar[str]
    #: the pydantic model of one case
    model: ClassVar[type[BaseModel]]
    #: what a learner may see of a case (None for kinds not in the bank: a probe pair is the
    #: learner's own writing, with nothing to hold back)
    view: ClassVar[type[PublicCase] | None] = None
    #: whether the case bank holds cases of this kind (the probe kind's cases are pairs a learner writes)
    in_bank: ClassVar[bool] = True
    #: the fields its card saves in the answer file
    answer_fields: ClassVar[tuple[str, ...]]
    #: the answer field that counts a case as answered in a deck's header
    answered_by: ClassVar[str]
    #: the point columns of a scored row (what ``safetyrater grade --json`` reports per item)
    point_columns: ClassVar[tuple[str, ...]]
    #: columns every frame of :func:`~safetyrater.grading.core.score_deck` carries for this kind
    #: (None or 0.0 in other kinds' rows)
    columns: ClassVar[tuple[str, ...]] = ()
    #: the named mistakes its scoring gives, by code
    mistakes: ClassVar[dict[str, str]] = {}
    #: whether its scored rows join the cohort's rating statistics (accuracy, kappa, confusion)
    rating_statistics: ClassVar[bool] = False
    #: how the coverage summary of README counts these cases (None: not counted there)
    summary_label: ClassVar[str | None] = None

    # --- the learner's view ---------------------------------------------------------------

    def public(self, case: Any) -> PublicCase:
        """What a learner may see of ``case``."""
        if self.view is None:
            raise TypeError(f"{self.name} cases have no learner view: they are not in the case bank")
        return self.view.model_validate(
            {name: getattr(case, name) for name in self.view.model_fields if getattr(case, name, None) is not None}
        )

    @abstractmethod
    def card(self) -> type[Any]:
        """The widget class a learner rates a case of this kind with (see :class:`~safetyrater.widgets.base.CardBase`)."""

    # --- grading ---------------------------------------------------------------------------

    @abstractmethod
    def score_table(self, table: AnswerTable, policy: Policy) -> pd.DataFrame:
        """One scored row per row of ``table`` (learner × case), in its order: ``case_id``, ``kind``,
        ``answered``, ``points``, ``max_points``, ``mistakes``, ``messages``, ``note`` and the kind's
        own columns. Score with column operations over the whole table: it may hold one learner
        or every learner of a cohort."""

    def score(self, answers: Mapping[str, Any], cases: Sequence[Any], policy: Policy) -> pd.DataFrame:
        """One learner's answers to ``cases``: :meth:`score_table` on a table of one learner."""
        return self.score_table(AnswerTable.build({"": answers}, cases), policy)

    def score_one(self, answer: Mapping[str, Any] | None, case: Any, policy: Policy) -> dict[str, Any]:
        """One answer scored: the row of :meth:`score` as a dict (what a card's Check shows)."""
        return row_dict(self.score({case.id: answer} if answer is not None else {}, [case], policy).iloc[0])

    @abstractmethod
    def max_points(self, case: Any, policy: Policy) -> float:
        """What one case is worth under the policy."""

    def point_parts(self, row: Mapping[str, Any]) -> dict[str, float]:
        """A scored row's points by part (the columns of :attr:`point_columns`)."""
        return {part: float(row[part]) for part in self.point_columns}

    def mistake_names(self, codes: Sequence[str]) -> list[str]:
        """The named mistakes of ``codes``, as a learner reads them."""
        words = mistake_words()
        return [words[code] for code in codes]

    # --- words ------------------------------------------------------------------------------

    def explain(self, result: Mapping[str, Any], case: Any, *, reveal: bool, rationale: bool) -> list[str]:
        """Plain-text lines about one scored case: points, messages, the answer, mistakes, and the rationale.

        ``reveal`` (lesson practice) names the reference; graded feedback does
        not, and adds the rationale (which names the reference) only when ``rationale``.
        """
        lines = [f"Case {case.id}: {one_decimal(result['points'])} / {one_decimal(result['max_points'])} points"]
        lines += [f"  note: {message}" for message in result["messages"]]
        if result["answered"]:
            lines += self.answer_lines(result, case, reveal)
        names = self.mistake_names(result["mistakes"])
        if names:
            lines.append("  mistakes: " + "; ".join(names))
        if rationale:
            # a graded case's rationale names its reference, so graded feedback leaves it out by default
            lines.append(f"  why: {case.rationale}")
        return lines

    @abstractmethod
    def answer_lines(self, result: Mapping[str, Any], case: Any, reveal: bool) -> list[str]:
        """The lines of :meth:`explain` about what the learner chose (and the reference when ``reveal``)."""

    # --- exercises -----------------------------------------------------------------------------

    def grade_cells(self, deck_id: str, case: Any, position: int, points: float) -> list[GradeCell]:
        """Its cells in an exercise's source notebook: one grade cell that scores the saved answer."""
        source = "\n".join(
            [
                f"# Case {position} is graded after you submit, from your saved answer.",
                HIDDEN_BEGIN,
                "from safetyrater.exercise import grade_item",
                f'grade_item("{deck_id}", "{case.id}", points={points:g})',
                HIDDEN_END,
            ]
        )
        return [GradeCell(f"case-{case.id}", source, points)]

    def points_text(self, cases: Sequence[Any], policy: Policy) -> str:
        """The exercise instructions' line on what its cases of this kind are worth."""
        worth = sorted({self.max_points(case, policy) for case in cases})
        return f"- Each {self.name} case ({len(cases)}) is worth {' or '.join(f'{w:g}' for w in worth)}."

    # --- the bank's reports and the demo cohort ---------------------------------------------------

    def coverage_column(self, case: Any) -> str:
        """The column of the coverage table a course case counts in: its answer class (rating or over-refusal)."""
        return "over-refusal" if getattr(case, "over_refusal", False) else str(case.reference_rating)

    def check_bank(self, datasets: Path, loaded: Sequence[Any]) -> list[Problem]:
        """Problems of this kind's cases against other course files (``loaded``: :class:`~safetyrater.bank.casebank.LoadedCase`)."""
        return []

    def demo_answer(self, case: Any, habits: Habits, rng: np.random.Generator, scale: Sequence[str], areas: list[str]) -> dict[str, Any]:
        """The answer a simulated learner with ``habits`` gives (default: none)."""
        return {}


# --- the registry ---------------------------------------------------------------------------------

_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Make ``kind`` known to the bank, the cards, grading and authoring; return it."""
    if kind.name in _KINDS and _KINDS[kind.name] is not kind:
        raise ValueError(f"a kind named {kind.name!r} is already registered")
    _KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Forget the kind ``name`` (a test's toy kind)."""
    _KINDS.pop(name, None)


def registered() -> list[Kind]:
    """Every known kind, in the order registered."""
    return list(_KINDS.values())


def kind_of(name: str) -> Kind:
    """The kind called ``name``; KeyError names the known ones."""
    try:
        return _KINDS[name]
    except KeyError:
        raise KeyError(f"unknown kind {name!r} (known: {', '.join(_KINDS)})") from None


def bank_kinds() -> list[Kind]:
    """The kinds whose cases live in the case bank."""
    return [kind for kind in _KINDS.values() if kind.in_bank]


def case_model(line: Mapping[str, Any]) -> tuple[type[CaseBase] | None, Any]:
    """The discriminator: the model of a bank line by its ``kind`` (None if no bank kind has that name), and the kind."""
    name = line.get("kind", DEFAULT_KIND)
    kind = _KINDS.get(name) if isinstance(name, str) else None
    model = kind.model if kind is not None and kind.in_bank else None
    return (model if model is not None and issubclass(model, CaseBase) else None), name


def public_model(line: Mapping[str, Any]) -> type[PublicCase] | None:
    """The learner's view model of a public line (a learner kit's graded case) by its ``kind``."""
    name = line.get("kind", DEFAULT_KIND)
    kind = _KINDS.get(name) if isinstance(name, str) else None
    return kind.view if kind is not None and kind.in_bank else None


def mistake_words() -> dict[str, str]:
    """Every named mistake of every kind, by code, in the order the kinds name them."""
    words: dict[str, str] = {}
    for kind in _KINDS.values():
        words.update(kind.mistakes)
    return words


def answer_fields() -> tuple[str, ...]:
    """Every field a deck's cards (of any bank kind) save in an answer file."""
    return tuple(dict.fromkeys(field for kind in bank_kinds() for field in kind.answer_fields))
