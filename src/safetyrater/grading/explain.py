"""Words for a scored answer: what a learner reads after "Check", in graded feedback, or from ``safetyrater grade``.

``reveal=True`` (lesson practice) names the reference rating; ``reveal=False``
(graded feedback) gives points and the learner's own choices only, without the
reference or the rationale (which names the reference), so that returned
feedback never carries the answer key. Each kind words its own answers
(:meth:`safetyrater.kinds.base.Kind.explain`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..kinds import kind_of, mistake_words


def mistake_names(codes: Sequence[str]) -> list[str]:
    """The named mistakes of ``codes`` (a scored row's ``mistakes``), as a learner reads them."""
    words = mistake_words()
    return [words[code] for code in codes]


def summary_lines(result: Mapping[str, Any], case: Any, reveal: bool, rationale: bool | None = None) -> list[str]:
    """Plain-text lines describing one scored case of any kind.

    ``rationale`` (default: ``reveal``) adds the reference rationale; graded
    feedback adds it only when the policy's ``[feedback] show_rationale`` says so.
    """
    return kind_of(case.kind).explain(result, case, reveal=reveal, rationale=reveal if rationale is None else rationale)
