"""Kinds of case: each one unit (its model, learner view, scoring, words, card, exercise cells), and their registry.

* :mod:`.base`: the :class:`~.base.Kind` interface, :class:`~.base.PublicCase` and the registry;
* :mod:`.rating`: rating cases (safe / risky / harmful, over-refusal tick, risk areas);
* :mod:`.pairwise`: which of two responses has more harm potential;
* :mod:`.span`: flag the unsafe steps of a response, and rate it;
* :mod:`.multidim`: one response on every dimension of ``graders/dimensions.toml``;
* :mod:`.probe`: contrast pairs a learner writes in a probe exercise.

Importing this package registers those kinds, in that order; a new kind is one
more module here and one more line below (or :func:`~.base.register` from anywhere).
"""

from __future__ import annotations

from . import multidim, pairwise, probe, rating, span
from .base import (
    DEFAULT_KIND,
    NOT_ANSWERED,
    SCORE_COLUMNS,
    GradeCell,
    Habits,
    Kind,
    PublicCase,
    answer_fields,
    bank_kinds,
    case_model,
    kind_of,
    mistake_words,
    public_model,
    register,
    registered,
    unregister,
)

for _kind in (rating.RATING, pairwise.PAIRWISE, span.SPAN, multidim.MULTIDIM, probe.PROBE):
    register(_kind)

__all__ = [
    "DEFAULT_KIND",
    "NOT_ANSWERED",
    "SCORE_COLUMNS",
    "GradeCell",
    "Habits",
    "Kind",
    "PublicCase",
    "answer_fields",
    "bank_kinds",
    "case_model",
    "kind_of",
    "mistake_words",
    "public_model",
    "register",
    "registered",
    "unregister",
]
