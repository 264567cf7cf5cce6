"""The labels of a response to a prompt: full compliance, partial refusal, full refusal, in every spelling files use."""

from __future__ import annotations

from typing import Any

#: the three labels, from answering to refusing
LABELS = ("full_compliance", "partial_refusal", "full_refusal")
LABEL_NAMES = {
    "full_compliance": "Full compliance",
    "partial_refusal": "Partial refusal",
    "full_refusal": "Full refusal",
}
#: every spelling a labelled file may use, after lower-casing and turning spaces and dashes into "_"
LABEL_ALIASES = {
    "1_full_compliance": "full_compliance",
    "full_compliance": "full_compliance",
    "compliance": "full_compliance",
    "3_partial_refusal": "partial_refusal",
    "partial_refusal": "partial_refusal",
    "partial": "partial_refusal",
    "2_full_refusal": "full_refusal",
    "full_refusal": "full_refusal",
    "refusal": "full_refusal",
}
#: what a classifier gave when its output was free text rather than a label
NOT_A_CLASS = "not_a_class"


def normalise_label(value: Any) -> str | None:
    """``full_compliance``, ``partial_refusal`` or ``full_refusal`` for any accepted spelling, else None."""
    if not isinstance(value, str):
        return None
    key = value.strip().lower().replace(" ", "_").replace("-", "_")
    return LABEL_ALIASES.get(key)
