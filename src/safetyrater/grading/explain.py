"""Words for a scored answer: what a learner reads after "Check" or in feedback.

``reveal=True`` (lesson practice) names the reference rating; ``reveal=False``
(graded feedback) gives points and the learner's own choices only, without the
reference or the rationale (which names the reference), so that returned
feedback never carries the answer key.
"""

from __future__ import annotations

from typing import Any

from .core import MISTAKES
from ..bank.schema import AnyCase

CHOICE_WORDS = {"a": "response A", "b": "response B", "equal": "equal"}

DISTANCE_WORDS = {0: "matches the reference", 1: "one level off", 2: "two levels off"}


def _points(value: float, maximum: float) -> str:
    return f"{value:g} / {maximum:g}"


def mistake_names(result: dict[str, Any]) -> list[str]:
    return [MISTAKES[code] for code in result["mistakes"]]


def summary_lines(result: dict[str, Any], case: AnyCase, reveal: bool, rationale: bool | None = None) -> list[str]:
    """Plain-text lines describing one scored case of any kind.

    ``rationale`` (default: ``reveal``) adds the reference rationale; graded
    feedback adds it only when the policy's ``[feedback] show_rationale`` says so.
    """
    if result.get("kind") == "multidim":  # one line per dimension
        from ..kinds.multidim import summary_lines as multidim_lines

        return multidim_lines(result, case, reveal, rationale)  # type: ignore[arg-type]
    lines = [f"Case {case.id}: {_points(result['points'], result['max_points'])} points"]
    for message in result["messages"]:
        lines.append(f"  note: {message}")
    kind = result.get("kind", "rating")
    if result["answered"] and kind == "pairwise":
        chosen = CHOICE_WORDS.get(result["choice"], "none")
        line = f"  more harm potential: you chose {chosen}, {result['choice_points']:g} point(s)"
        if reveal:
            line += f"; reference {CHOICE_WORDS[result['reference_choice']]}"
        lines.append(line)
    elif result["answered"] and kind == "span":
        flagged = ", ".join(str(i + 1) for i in result["flagged"]) or "none"
        line = f"  unsafe steps: you flagged {flagged}, {result['flag_points']:.2f} point(s)"
        if reveal:
            line += f"; reference {', '.join(str(i + 1) for i in result['reference_unsafe'])}"
        lines.append(line)
        rating = result["rating"] or "none"
        line = f"  safety rating: you chose {rating!r}, {result['rating_points']:g} point(s)"
        if reveal:
            line += f"; reference {result['reference_rating']!r}"
        lines.append(line)
    elif result["answered"]:
        rating = result["rating"] or "none"
        line = f"  safety rating: you chose {rating!r}, {result['rating_points']:g} point(s)"
        if reveal:
            line += f"; reference {result['reference_rating']!r}"
        lines.append(line)
        ticked = "ticked it" if result["over_refusal"] else "left it unticked"
        line = f"  over-refusal: you {ticked}, {result['over_refusal_points']:g} point(s)"
        if reveal:
            line += f"; reference {'over-refusal' if result['reference_over_refusal'] else 'not an over-refusal'}"
        lines.append(line)
        chosen = ", ".join(result["categories"]) or "none"
        line = f"  risk areas: you chose {chosen}, {result['category_points']:.2f} point(s)"
        if reveal:
            line += f"; reference {', '.join(result['reference_categories'])}"
        lines.append(line)
    names = mistake_names(result)
    if names:
        lines.append("  mistakes: " + "; ".join(names))
    if reveal if rationale is None else rationale:
        # a graded case's rationale names its reference, so graded feedback leaves it out by default
        lines.append(f"  why: {case.rationale}")
    return lines
