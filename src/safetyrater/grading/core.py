"""The one grading core: pure functions over pandas frames.

Lesson cards ("Check"), nbgrader's test cells, ``safetyrater grade`` and the
cohort tools all score answers here, with the policy in ``graders/policy.toml``.
:func:`score_learners` takes a deck of any mix of kinds and any number of
learners, sends each kind's cases to its scoring (:meth:`safetyrater.kinds.base.Kind.score_table`,
column operations over every learner at once) and returns one frame with the
same columns for every row; :func:`score_deck` is the same for one learner (a part that does not apply to a kind
scores 0.0 and its label columns hold None). Bad answers never raise: an unknown
label or a missing case scores 0 for that item with a message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..bank.policy import Policy
from ..frames import row_dict
from ..kinds import DEFAULT_KIND, SCORE_COLUMNS, kind_of, registered
from ..kinds.table import AnswerTable

__all__ = ["SCORE_COLUMNS", "case_max_points", "point_parts", "score_case", "score_deck", "score_learners"]


def score_deck(answers: Mapping[str, Any], cases: Sequence[Any], policy: Policy) -> pd.DataFrame:
    """Score one learner's answers to a deck's cases of any kinds (in the deck's order).

    The same column code as a cohort's (:func:`score_learners`), on a table of one learner.
    """
    return score_learners({"": answers}, cases, policy).drop(columns="learner")


def score_learners(
    answers_by_learner: Mapping[str, Mapping[str, Any]],
    cases: Sequence[Any],
    policy: Policy,
    column: str = "learner",
    *,
    every_kind: bool = True,
) -> pd.DataFrame:
    """Score many learners' answers to one deck: :func:`score_deck`'s rows for each, stacked.

    Each kind scores every learner's answers to its cases at once, as one long
    table (:class:`~safetyrater.kinds.table.AnswerTable`); the rows come back
    learner by learner, each in the deck's order, with a ``column`` naming the
    learner first. A part that does not apply to a row's kind scores 0.0 and
    its label columns hold None. ``every_kind`` False gives only the columns of
    the deck's own kinds (the fast lane: at 10,000 learners the other kinds'
    empty columns would be hundreds of megabytes).
    """
    groups: dict[str, list[int]] = {}
    for position, case in enumerate(cases):
        groups.setdefault(case.kind, []).append(position)
    frames = []
    order = []
    for name, deck_positions in groups.items():
        table = AnswerTable.build(answers_by_learner, [cases[p] for p in deck_positions])
        frame = kind_of(name).score_table(table, policy)
        frame.insert(0, column, table.learner_column)
        frames.append(frame)
        # where each row goes: learner by learner, each learner's cases in the deck's order
        order.append(table.learner_index * len(cases) + np.asarray(deck_positions, dtype=np.int64)[table.case_index])
    others = [name for kind in registered() for name in kind.columns] if every_kind else []
    columns = list(dict.fromkeys([column, *SCORE_COLUMNS, *(c for frame in frames for c in frame.columns), *others]))
    if not frames:
        return pd.DataFrame({name: pd.Series(dtype=float if name.endswith("_points") else object) for name in columns})
    aligned = [_with_columns(frame, columns) for frame in frames]
    merged = pd.concat(aligned, ignore_index=True) if len(aligned) > 1 else aligned[0]
    if len(aligned) > 1:
        merged = merged.take(np.argsort(np.concatenate(order), kind="stable")).reset_index(drop=True)
    return merged


def score_case(answer: Mapping[str, Any] | None, case: Any, policy: Policy) -> dict[str, Any]:
    """Score a single answer: the row of :func:`score_deck` as a dict."""
    answers = {case.id: answer} if answer is not None else {}
    return row_dict(score_deck(answers, [case], policy).iloc[0])


def point_parts(row: Mapping[str, Any]) -> dict[str, float]:
    """The point columns that apply to a scored row's kind, with their values."""
    return kind_of(row.get("kind", DEFAULT_KIND)).point_parts(row)


def case_max_points(case: Any, policy: Policy) -> float:
    """What one case is worth under the policy."""
    return kind_of(case.kind).max_points(case, policy)


def _with_columns(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``frame`` with every column in ``columns``: a missing point column is 0.0, any other None."""
    missing = {
        name: np.zeros(len(frame)) if name.endswith("_points") else pd.Series([None] * len(frame), index=frame.index, dtype=object)
        for name in columns
        if name not in frame.columns
    }
    return pd.concat([frame, pd.DataFrame(missing, index=frame.index)], axis=1)[columns] if missing else frame[columns]
