"""The one grading core: pure functions over pandas frames.

Lesson cards ("Check"), nbgrader's test cells, ``safetyrater grade`` and the
cohort tools all score answers here, with the policy in ``graders/policy.toml``.
:func:`score_deck` takes a deck of any mix of kinds, sends each case to its
kind's scoring (:meth:`safetyrater.kinds.base.Kind.score`) and returns one frame
with the same columns for every row (a part that does not apply to a kind
scores 0.0 and its label columns hold None). Bad answers never raise: an unknown
label or a missing case scores 0 for that item with a message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ..bank.policy import Policy
from ..frames import row_dict
from ..kinds import DEFAULT_KIND, SCORE_COLUMNS, kind_of, registered

__all__ = ["SCORE_COLUMNS", "case_max_points", "point_parts", "score_case", "score_deck", "score_learners"]


def score_deck(answers: Mapping[str, Any], cases: Sequence[Any], policy: Policy) -> pd.DataFrame:
    """Score one learner's answers to a deck's cases of any kinds (in the deck's order)."""
    groups: dict[str, list[Any]] = {}
    for case in cases:
        groups.setdefault(case.kind, []).append(case)
    frames = [kind_of(name).score(answers, group, policy) for name, group in groups.items()]
    every_kind = [column for kind in registered() for column in kind.columns]
    columns = list(dict.fromkeys([*SCORE_COLUMNS, *(col for frame in frames for col in frame.columns), *every_kind]))
    aligned = [_with_columns(frame, columns) for frame in frames]
    merged = pd.concat(aligned, ignore_index=True) if aligned else pd.DataFrame(columns=columns)
    order = {case.id: i for i, case in enumerate(cases)}
    return merged.sort_values("case_id", key=lambda ids: ids.map(order), kind="stable").reset_index(drop=True)


def score_learners(
    answers_by_learner: Mapping[str, Mapping[str, Any]], cases: Sequence[Any], policy: Policy, column: str = "learner"
) -> pd.DataFrame:
    """Score many learners' answers to one deck: :func:`score_deck`'s rows for each, stacked.

    The rows are those :func:`score_deck` gives each learner, with a ``column``
    naming the learner first. A deck of one kind that can score many learners
    in one pass (rating decks) is scored so, which is what keeps grading a
    cohort of thousands fast; any other deck goes through :func:`score_deck`
    learner by learner.
    """
    kinds = {case.kind for case in cases} or {DEFAULT_KIND}
    if len(kinds) == 1:
        batch = kind_of(kinds.pop()).score_learners(answers_by_learner, cases, policy, column)
        if batch is not None:
            return batch
    learners = list(answers_by_learner)
    frames = [score_deck(answers_by_learner[learner], cases, policy) for learner in learners]
    if not frames:
        return pd.DataFrame(columns=[column, *SCORE_COLUMNS])
    stacked = pd.concat(frames, ignore_index=True)
    stacked.insert(0, column, [learner for learner, frame in zip(learners, frames, strict=True) for _ in range(len(frame))])
    return stacked


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
    frame = frame.copy()
    for column in columns:
        if column not in frame.columns:
            frame[column] = 0.0 if column.endswith("_points") else pd.Series([None] * len(frame), index=frame.index, dtype=object)
    return frame[columns]
