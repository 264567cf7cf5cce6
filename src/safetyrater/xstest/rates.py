"""Refusal rates per group, safe and unsafe prompts apart: the lesson's tables and ``safetyrater refusal-rates``."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import DataError
from .data import MODELS, PROMPT_TYPES, SAFETY_COLUMNS, load_prompts, load_responses, read_labelled_responses, safety_column, type_name
from .labels import LABELS, normalise_label

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler


def refusal_rates(frame: pd.DataFrame | None = None, by: str = "model", label_column: str = "final_label") -> pd.DataFrame:
    """How often each group's responses fully or partially refused, safe and unsafe prompts apart.

    One row per (``prompts``, group): ``responses``, the count of each label,
    ``unclassified`` (a missing label, such as GPT-4's free text; left out of
    the rates) and ``full_refusal_rate``, ``partial_refusal_rate`` and
    ``refusal_rate`` (full or partial) over the classified responses. On safe
    prompts a refusal is an over-refusal. Groups keep the order they first
    appear in. ``frame`` defaults to XSTest's responses.
    """
    if frame is None:
        frame = load_responses()
    for column in (by, label_column):
        if column not in frame.columns:
            raise ValueError(f"no column {column!r} (columns: {', '.join(map(str, frame.columns))})")
    safety = safety_column(frame.columns, label_column)
    if safety is None:
        raise ValueError(f"no column saying whether each prompt is safe or unsafe: expected {' or '.join(SAFETY_COLUMNS)}")
    labels = frame[label_column].map(normalise_label)
    unknown = frame[label_column].notna() & labels.isna()
    if unknown.any():
        raise ValueError(f"{label_column}: unknown label {frame.loc[unknown, label_column].iloc[0]!r} (row {unknown.idxmax()})")
    prompts = frame[safety].str.strip().str.lower()
    if not prompts.isin(["safe", "unsafe"]).all():
        bad = frame.loc[~prompts.isin(["safe", "unsafe"]), safety].iloc[0]
        raise ValueError(f"{safety}: expected safe or unsafe, found {bad!r}")
    work = pd.DataFrame({"prompts": prompts, "group": frame[by], "label": labels.fillna("unclassified")})
    counts = (
        work.groupby(["prompts", "group"], sort=False)["label"]
        .value_counts()
        .unstack(fill_value=0)
        .reindex(columns=[*LABELS, "unclassified"], fill_value=0)
    )
    order = ["safe", "unsafe"]
    counts = counts.sort_index(level="prompts", key=lambda level: level.map(order.index), sort_remaining=False)
    classified = counts[list(LABELS)].sum(axis=1)
    rates = counts.assign(
        responses=classified + counts["unclassified"],
        full_refusal_rate=counts["full_refusal"] / classified,
        partial_refusal_rate=counts["partial_refusal"] / classified,
        refusal_rate=(counts["full_refusal"] + counts["partial_refusal"]) / classified,
    )
    rates = rates.reset_index().rename(columns={"group": by})
    rates.columns.name = None
    return rates[["prompts", by, "responses", *LABELS, "unclassified", "full_refusal_rate", "partial_refusal_rate", "refusal_rate"]]


def _study_totals(by: str) -> pd.Series:
    """How many responses XSTest's study collected per (prompts, group): every model answered every prompt."""
    prompts = load_prompts()
    grid = pd.merge(
        pd.DataFrame({"model": list(load_responses()["model"].unique())}),
        prompts.assign(id="v2-" + prompts["id"].astype(str)).rename(columns={"label": "prompt_label"}),
        how="cross",
    )
    return grid.groupby(["prompt_label", by], sort=False).size()


def refusal_rates_table(by: str = "model") -> Styler:
    """XSTest's refusal rates (human final label) as a table for a lesson, in percent.

    This copy of XSTest keeps only the responses to unsafe prompts that fully
    refused, so for unsafe prompts the table shows the full-refusal rate out of
    every response the study collected and leaves the other columns blank.
    """
    if by not in ("model", "type"):
        raise ValueError(f"refusal_rates_table groups XSTest by model or type, not {by!r}")
    rates = refusal_rates(load_responses(), by=by).set_index(["prompts", by])
    totals = _study_totals(by)
    safe = rates.loc[["safe"]].droplevel("prompts")
    classified = safe[list(LABELS)].sum(axis=1)
    safe_table = pd.DataFrame(
        {
            "responses": safe["responses"],
            "full refusal %": 100 * safe["full_refusal_rate"],
            "partial refusal %": 100 * safe["partial_refusal_rate"],
            "full or partial refusal %": 100 * safe["refusal_rate"],
            "full compliance %": 100 * safe["full_compliance"] / classified,
        }
    )
    unsafe_totals = totals.loc["unsafe"]
    kept_refusals = rates.loc["unsafe"]["full_refusal"].reindex(unsafe_totals.index, fill_value=0)
    unsafe_table = pd.DataFrame(
        {"responses": unsafe_totals, "full refusal %": 100 * kept_refusals / unsafe_totals},
        columns=safe_table.columns,
    )
    table = pd.concat({"safe prompts": safe_table, "unsafe prompts": unsafe_table}, names=["prompts", by])
    descriptions = {"model": MODELS, "type": PROMPT_TYPES}.get(by)
    if descriptions:
        table.insert(0, "set-up" if by == "model" else "what the prompts ask", table.index.get_level_values(by).map(descriptions))
    if by == "type":
        # learners read names, not XSTest's ids (safe_targets)
        table = table.rename(index=type_name, level="type").rename_axis(index={"type": "prompt type"})
    caption = (
        f"How often each {'model set-up' if by == 'model' else 'prompt type' if by == 'type' else by} refused (human final label). "
        "On safe prompts every refusal is an over-refusal. "
        "For unsafe prompts this copy of XSTest keeps only the full refusals (the responses that "
        "complied fully or partly were left out), so their full-refusal rate counts every response "
        "the study collected and the other columns are blank."
    )
    return table.style.format(precision=1, na_rep="–").set_caption(caption)


def rates_text(rates: pd.DataFrame, by: str) -> str:
    """Refusal rates as aligned text for the terminal, safe and unsafe prompts apart."""
    sections = []
    headings = {
        "safe": "Safe prompts (every refusal is an over-refusal)",
        "unsafe": "Unsafe prompts (a refusal is the right outcome)",
    }
    percent = "{:.1%}".format
    for prompts, heading in headings.items():
        part = rates[rates["prompts"] == prompts]
        if part.empty:
            sections.append(f"{heading}: no responses")
            continue
        shown = part[[by, "responses", "full_refusal_rate", "partial_refusal_rate", "refusal_rate"]].rename(
            columns={
                "full_refusal_rate": "full refusal",
                "partial_refusal_rate": "partial refusal",
                "refusal_rate": "full or partial",
            }
        )
        body = shown.to_string(index=False, formatters={c: percent for c in ("full refusal", "partial refusal", "full or partial")})
        sections.append(f"{heading}: {int(part['responses'].sum())} responses\n{body}")
    unclassified = int(rates["unclassified"].sum())
    if unclassified:
        sections.append(f"{unclassified} response(s) had no label and are left out of the rates.")
    return "\n\n".join(sections)


def rates_json(rates: pd.DataFrame, by: str, **about: Any) -> str:
    """Refusal rates as JSON: ``about`` fields, then ``safe`` and ``unsafe`` lists of rows."""
    result: dict[str, Any] = dict(about, by=by)
    for prompts in ("safe", "unsafe"):
        part = rates[rates["prompts"] == prompts].drop(columns="prompts")
        result[prompts] = [
            {key: round(float(value), 4) if key.endswith("_rate") else value for key, value in row.items()}
            for row in json.loads(part.to_json(orient="records"))
        ]
    return json.dumps(result, indent=2)


def main(file: str, by: str = "model", label_column: str = "final_label", *, as_json: bool = False) -> int:
    """``safetyrater refusal-rates``: print the rates of a CSV of labelled responses; 1 with one error line if it is bad."""
    try:
        frame = read_labelled_responses(file, by=by, label_column=label_column)
    except DataError as exc:
        # one line, whatever the number of bad rows: the first problem and how many more
        more = len(exc.problems) - 1
        print(f"error: {exc.problems[0]}" + (f" (and {more} more problem(s))" if more else ""), file=sys.stderr)
        return 1
    rates = refusal_rates(frame, by=by, label_column=label_column)
    if as_json:
        about = {"file": str(file), "label_column": label_column, "prompt_column": safety_column(frame.columns, label_column)}
        print(rates_json(rates, by, **about))
    else:
        print(f"Refusal rates in {file}, by {by} (labels from {label_column})\n")
        print(rates_text(rates, by))
    return 0
