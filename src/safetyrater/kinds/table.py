"""Answers as one long table, and the column operations every kind scores with.

The grading core hands each kind an :class:`AnswerTable`: one row per learner ×
case of that kind (learner by learner, each learner's cases in the deck's
order), whatever the number of learners. A card's Check, an nbgrader grade
cell and ``safetyrater grade`` pass a table of one learner; the cohort's fast
lane passes every learner of an exercise at once. A kind scores the whole table
with column operations (numpy arrays, one per field), so there is one grading
implementation and a cohort of thousands costs little more than reading it.

The key is joined once: :meth:`AnswerTable.key` spreads a value per case over
every row of that case. Named mistakes and messages are built from masks:
:func:`codes_column` gives every row the one shared tuple of its combination of
codes (a cohort has few combinations, so rows share a handful of tuples), and
:func:`messages_column` writes text only for the rows that have a problem.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "MISSING",
    "AnswerTable",
    "choice_column",
    "codes_column",
    "labels",
    "messages_column",
    "object_column",
    "positions",
    "rounded",
    "scored_frame",
]


class _Missing:
    """A field the answer does not have (as against one it has with the value null)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"


#: the value of a field an answer does not have
MISSING: Any = _Missing()


def object_column(values: Sequence[Any]) -> np.ndarray:
    """``values`` as a 1-d object array, whatever they are (tuples stay whole)."""
    return np.fromiter(values, dtype=object, count=len(values))


@dataclass
class AnswerTable:
    """Many learners' answers to some cases of one kind: one row per learner × case.

    Rows go learner by learner, and within a learner in the order of ``cases``.
    ``raw[i]`` is row ``i``'s saved answer (a mapping, or whatever else the file
    held, or None when the case has no answer); :meth:`field` reads one field of
    every row.
    """

    #: the learners, in order
    learners: list[str]
    #: the cases of this kind, in the deck's order
    cases: Sequence[Any]
    #: the saved answer of each row (None: no answer to that case)
    raw: list[Any]
    #: each learner's whole answer file, in the order of :attr:`learners` (for a kind whose
    #: score looks at a learner's other answers, as a probe pair looks at the earlier pairs)
    answers: list[Mapping[str, Any]] = field(default_factory=list, repr=False)
    _fields: dict[str, list[Any]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, answers_by_learner: Mapping[str, Mapping[str, Any]], cases: Sequence[Any]) -> AnswerTable:
        """The table of every learner's answers to ``cases``."""
        case_ids = [case.id for case in cases]
        every = list(answers_by_learner.values())
        raw = [answers.get(case_id) for answers in every for case_id in case_ids]
        return cls(list(answers_by_learner), cases, raw, every)

    def __len__(self) -> int:
        return len(self.raw)

    @property
    def case_index(self) -> np.ndarray:
        """Each row's position in :attr:`cases`."""
        return np.tile(np.arange(len(self.cases)), len(self.learners))

    @property
    def learner_index(self) -> np.ndarray:
        """Each row's position in :attr:`learners`."""
        return np.repeat(np.arange(len(self.learners)), len(self.cases))

    @property
    def learner_column(self) -> np.ndarray:
        """Each row's learner."""
        return np.repeat(object_column(self.learners), len(self.cases))

    def is_answer(self) -> np.ndarray:
        """Rows whose saved answer is an object (a mapping of fields)."""
        return np.fromiter((isinstance(raw, Mapping) for raw in self.raw), dtype=bool, count=len(self.raw))

    def field(self, name: str) -> list[Any]:
        """Field ``name`` of every row's answer: its value, or :data:`MISSING` when the answer lacks it or is not an object."""
        if name not in self._fields:
            # None (no answer) and dict (a parsed file's answer) first: a Mapping check is an ABC's, slow per row
            self._fields[name] = [
                MISSING if raw is None else raw.get(name, MISSING) if isinstance(raw, dict) or isinstance(raw, Mapping) else MISSING
                for raw in self.raw
            ]
        return self._fields[name]

    def has_any(self, names: Sequence[str]) -> np.ndarray:
        """Rows whose answer has at least one of the fields ``names``."""
        wanted = frozenset(names)
        return np.fromiter(
            (
                not raw.keys().isdisjoint(wanted) if isinstance(raw, dict)
                else raw is not None and isinstance(raw, Mapping) and any(name in raw for name in names)
                for raw in self.raw
            ),
            dtype=bool,
            count=len(self.raw),
        )

    def key(self, per_case: Sequence[Any], dtype: Any = object) -> np.ndarray:
        """A value per case (in the order of :attr:`cases`), spread over every row of that case: the key joined once."""
        values = object_column(per_case) if dtype is object else np.asarray(per_case, dtype=dtype)
        return np.tile(values, len(self.learners))


def positions(values: Sequence[Any], levels: Sequence[str]) -> np.ndarray:
    """Each value's position among ``levels`` (-1 for anything else: None, a number, a list, an unknown label)."""
    index = {level: i for i, level in enumerate(levels)}
    return np.fromiter((index.get(value, -1) if type(value) is str else -1 for value in values), dtype=np.int64, count=len(values))


def rounded(values: np.ndarray, digits: int = 4) -> np.ndarray:
    """Python's ``round`` of each value (correctly rounded decimals, as the points nbgrader records).

    numpy rounds ``value * 10**digits``, which can fall on the other side of a
    tie than the exact decimal Python rounds; away from a tie the two agree, so
    only values near one (and any too large to scale exactly) are rounded by Python.
    """
    values = np.asarray(values, dtype=float)
    result: np.ndarray = np.round(values, digits)
    scaled = values * 10.0**digits
    near_tie = (np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6) | ~(np.abs(scaled) < 2.0**52)
    result[near_tie] = [round(value, digits) for value in values[near_tie].tolist()]
    return result


def codes_column(masks: Sequence[tuple[str, np.ndarray]], rows: int) -> np.ndarray:
    """A tuple of codes per row: each code whose mask is true there, in the order given.

    Rows with the same combination share one tuple object.
    """
    if not masks:
        column = np.empty(rows, dtype=object)
        column.fill(())
        return column
    combination = np.zeros(rows, dtype=np.int64)
    for bit, (_, mask) in enumerate(masks):
        combination |= mask.astype(np.int64) << bit
    found, inverse = np.unique(combination, return_inverse=True)
    tuples = object_column([tuple(code for bit, (code, _) in enumerate(masks) if int(value) >> bit & 1) for value in found])
    return tuples[inverse.reshape(-1)]


#: a message: fixed text, or a function of the row giving it
Message = str | Callable[[int], str]


def messages_column(parts: Sequence[tuple[np.ndarray, Message]], rows: int) -> np.ndarray:
    """A tuple of messages per row: for each part whose mask is true there, its text, in the order given.

    Only rows with a problem build a tuple; the others share the empty one.
    """
    column = np.empty(rows, dtype=object)
    column.fill(())
    if not parts:
        return column
    flagged = np.zeros(rows, dtype=bool)
    for mask, _ in parts:
        flagged |= mask
    for row in np.flatnonzero(flagged).tolist():
        column[row] = tuple(text if isinstance(text, str) else text(row) for mask, text in parts if mask[row])
    return column


def scored_frame(columns: Mapping[str, Any]) -> pd.DataFrame:
    """A frame of scored columns: numbers as they are, everything else as objects (None stays None, not NaN)."""
    return pd.DataFrame(
        {
            name: values if isinstance(values, np.ndarray) and values.dtype.kind in "bif" else pd.Series(values, dtype=object)
            for name, values in columns.items()
        }
    )


def choice_column(
    values: list[Any], options: Sequence[str], noun: str, missing: str | None, asked: np.ndarray
) -> tuple[np.ndarray, list[tuple[np.ndarray, Message]]]:
    """Each row's choice among ``options`` as a position (-1: none), and the messages :func:`~safetyrater.kinds.base.chosen` gives.

    Only rows in ``asked`` are read. A missing or null choice is ``missing`` (no
    message when it is None); anything else not among the options is unknown.
    """
    position = positions(values, options)
    position[~asked] = -1
    none = asked & np.fromiter((value is None or value is MISSING for value in values), dtype=bool, count=len(values))
    unknown = asked & ~none & (position < 0)
    expected = ", ".join(options)
    parts: list[tuple[np.ndarray, Message]] = []
    if missing:
        parts.append((none, missing))
    parts.append((unknown, lambda row: f"unknown {noun} {values[row]!r} (expected one of {expected})"))
    return position, parts


def labels(position: np.ndarray, options: Sequence[str]) -> np.ndarray:
    """The option at each position, None where there is none (-1)."""
    table = object_column([*options, None])
    return table[np.where(position >= 0, position, len(options))]
