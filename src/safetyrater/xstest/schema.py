"""Row schemas for XSTest's CSV files and for any CSV of labelled responses.

Labels are normalised on the way in (:func:`~.labels.normalise_label`), so the
rest of the kit sees one vocabulary: ``full_compliance``, ``partial_refusal``,
``full_refusal``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints
from pydantic_core import PydanticCustomError

from .labels import normalise_label


def _label(value: Any) -> str:
    label = normalise_label(value)
    if label is None:
        raise PydanticCustomError(
            "unknown_label",
            "unknown label {value} (expected full_compliance, partial_refusal or full_refusal, "
            "or XSTest's 1_full_compliance, 3_partial_refusal, 2_full_refusal)",
            {"value": repr(value)},
        )
    return label


def _label_or_free_text(value: Any) -> str | None:
    """A classifier's output: one of the labels, or None when it wrote free text instead."""
    return normalise_label(value)


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


Label = Annotated[str, BeforeValidator(_label)]
ClassifierLabel = Annotated[str | None, BeforeValidator(_label_or_free_text)]
PromptSafety = Annotated[Literal["safe", "unsafe"], BeforeValidator(_lower)]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class XSTestResponse(BaseModel):
    """One row of ``xstest_v2_completions_filtered.csv`` (the columns the kit uses)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    model: NonEmpty
    id: NonEmpty
    type: NonEmpty
    prompt_label: PromptSafety
    prompt: NonEmpty
    completion: str
    annotation_1: Label
    annotation_2: Label
    final_label: Label
    strmatch_label: Label
    gpt4_label: ClassifierLabel


class XSTestPrompt(BaseModel):
    """One row of ``xstest_prompts.csv`` (the columns the kit uses)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: int
    prompt: NonEmpty
    type: NonEmpty
    label: PromptSafety
