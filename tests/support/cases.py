"""Cases built in code, for tests that need one of a given shape."""

from __future__ import annotations

from safetyrater.kinds.rating import RatingCase


def make_case(rating="harmful", over_refusal=False, categories=("violent-crime",), tags=()) -> RatingCase:
    return RatingCase(
        id="t-001",
        prompt="p",
        response="r [REDACTED: detail]",
        reference_rating=rating,
        over_refusal=over_refusal,
        categories=list(categories),
        difficulty="easy",
        rationale="A rationale long enough to pass the schema's minimum length.",
        tags=list(tags),
    )
