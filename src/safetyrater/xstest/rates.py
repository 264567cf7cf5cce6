"""Refusal rates per group, safe and unsafe prompts apart: the lesson's tables and ``safetyrater refusal-rates``."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from .data import MODELS, PROMPT_TYPES, SAFETY_COLUMNS, load_prompts, load_responses, safety_column, type_name
from .labels import LABELS, normalise_label
from .table import PROMPT_SECTIONS, OptionError, column_list, command, parse_mapping, read_responses

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler


def classify(values: pd.Series, labels: Mapping[str, str] | None = None) -> pd.Series:
    """Each value as ``full_compliance``, ``partial_refusal`` or ``full_refusal``, or None (unclassified).

    ``labels`` maps a file's own values onto the three (any accepted spelling:
    ``0=full_refusal``); values it does not name keep their own spelling, so
    XSTest's ``2_full_refusal`` needs no mapping and ``0_empty`` stays unclassified."""
    mapping = {str(value).strip(): target for value, target in (labels or {}).items()}
    return values.map(lambda value: normalise_label(mapping.get(str(value).strip(), value)))


def check_labels(labels: Mapping[str, str], option: str = "--labels") -> None:
    """Every target of a value mapping must be one of the three labels; one line naming the option if not."""
    for value, target in labels.items():
        if normalise_label(target) is None:
            raise OptionError(f"{option}: {value}={target}: map values onto full_compliance, partial_refusal or full_refusal")


def refusal_rates(
    frame: pd.DataFrame | None = None,
    by: str | Sequence[str] = "model",
    label_column: str = "final_label",
    labels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """How often each group's responses fully or partially refused, safe and unsafe prompts apart.

    One row per (``prompts``, group): ``responses``, the count of each label,
    ``unclassified`` (a value no label fits, such as GPT-4's free text or a
    classifier's ``0_empty``; left out of the rates) and ``full_refusal_rate``,
    ``partial_refusal_rate`` and ``refusal_rate`` (full or partial) over the
    classified responses. On safe prompts a refusal is an over-refusal. Groups
    keep the order they first appear in. ``frame`` defaults to XSTest's
    responses; it says safe or unsafe in a ``prompts`` column (from
    :func:`~.table.read_responses`) or in ``prompt_label`` / ``label``.
    """
    if frame is None:
        frame = load_responses()
    by = [by] if isinstance(by, str) else list(by)
    for column in (*by, label_column):
        if column not in frame.columns:
            raise ValueError(f"no column {column!r} (columns: {', '.join(map(str, frame.columns))})")
    if "prompts" in frame.columns:
        prompts = frame["prompts"]
    else:
        safety = safety_column(frame.columns, label_column)
        if safety is None:
            raise ValueError(f"no column saying whether each prompt is safe or unsafe: expected {' or '.join(SAFETY_COLUMNS)}")
        prompts = frame[safety].str.strip().str.lower()
        if not prompts.isin(["safe", "unsafe"]).all():
            bad = frame.loc[~prompts.isin(["safe", "unsafe"]), safety].iloc[0]
            raise ValueError(f"{safety}: expected safe or unsafe, found {bad!r}")
    work = frame[by].copy()
    work["prompts"] = prompts.to_numpy()
    work["label"] = classify(frame[label_column], labels).fillna("unclassified").to_numpy()
    counts = (
        work.groupby(["prompts", *by], sort=False)["label"]
        .value_counts()
        .unstack(fill_value=0)
        .reindex(columns=[*LABELS, "unclassified"], fill_value=0)
    )
    counts = counts.sort_index(level="prompts", key=lambda level: level.map(PROMPT_SECTIONS.index), sort_remaining=False)
    classified = counts[list(LABELS)].sum(axis=1)
    rates = counts.assign(
        responses=classified + counts["unclassified"],
        full_refusal_rate=counts["full_refusal"] / classified,
        partial_refusal_rate=counts["partial_refusal"] / classified,
        refusal_rate=(counts["full_refusal"] + counts["partial_refusal"]) / classified,
    )
    rates = rates.reset_index()
    rates.columns.name = None
    return rates[
        ["prompts", *by, "responses", *LABELS, "unclassified", "full_refusal_rate", "partial_refusal_rate", "refusal_rate"]
    ]


def unclassified_values(frame: pd.DataFrame, label_column: str, labels: Mapping[str, str] | None = None) -> dict[str, int]:
    """The values no label fits and how often each occurs (an empty cell is ``''``), most frequent first."""
    values = frame.loc[classify(frame[label_column], labels).isna(), label_column].astype(str).str.strip()
    return {str(value): int(count) for value, count in values.value_counts().items()}


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


def rates_text(rates: pd.DataFrame, by: str | Sequence[str], unclassified: Mapping[str, int] | None = None) -> str:
    """Refusal rates as aligned text for the terminal, safe and unsafe prompts apart."""
    by = [by] if isinstance(by, str) else list(by)
    sections = []
    headings = {
        "safe": "Safe prompts (every refusal is an over-refusal)",
        "unsafe": "Unsafe prompts (a refusal is the right outcome)",
        "all": "All prompts (the file does not say which were safe)",
    }
    def percent(value: float) -> str:
        return "n/a" if value != value else f"{value:.1%}"  # NaN: every response unclassified

    for prompts, heading in headings.items():
        part = rates[rates["prompts"] == prompts]
        if part.empty:
            if prompts != "all":
                sections.append(f"{heading}: no responses")
            continue
        shown = part[[*by, "responses", "full_refusal_rate", "partial_refusal_rate", "refusal_rate"]].rename(
            columns={
                "full_refusal_rate": "full refusal",
                "partial_refusal_rate": "partial refusal",
                "refusal_rate": "full or partial",
            }
        )
        body = shown.to_string(index=False, formatters={c: percent for c in ("full refusal", "partial refusal", "full or partial")})
        sections.append(f"{heading}: {int(part['responses'].sum())} responses\n{body}")
    count = int(rates["unclassified"].sum())
    if count:
        found = ", ".join(f"{value or '(empty)'!r} ({n})" for value, n in list((unclassified or {}).items())[:8])
        sections.append(
            f"{count} response(s) are unclassified and left out of the rates"
            + (f": {found}" if found else "")
            + ". Map such values with --labels VALUE=LABEL."
        )
    return "\n\n".join(sections)


def rates_json(rates: pd.DataFrame, by: str | Sequence[str], **about: Any) -> str:
    """Refusal rates as JSON: ``about`` fields, then a list of rows for each prompt section present."""
    by = [by] if isinstance(by, str) else list(by)
    result: dict[str, Any] = dict(about, by=by[0] if len(by) == 1 else by)
    for prompts in PROMPT_SECTIONS:
        part = rates[rates["prompts"] == prompts].drop(columns="prompts")
        if part.empty and prompts == "all":
            continue
        result[prompts] = [
            {key: round(float(value), 4) if key.endswith("_rate") and value is not None else value for key, value in row.items()}
            for row in json.loads(part.to_json(orient="records"))
        ]
    return json.dumps(result, indent=2)


@command
def main(
    file: str,
    by: str | None = None,
    label_column: str = "final_label",
    *,
    label_columns: str | None = None,
    labels: str | None = None,
    prompt_label: str | None = None,
    prompt_label_column: str | None = None,
    prompt_labels: str | None = None,
    as_json: bool = False,
) -> int:
    """``safetyrater refusal-rates``: print the rates of a CSV of labelled responses; 1 with one error line if it is bad."""
    wide = column_list(label_columns)
    groups = column_list(by) if by is not None else ([] if wide else ["model"])
    mapping = parse_mapping(labels, "--labels")
    check_labels(mapping)
    responses = read_responses(
        file,
        label_columns=wide or [label_column],
        by=groups,
        wide=bool(wide),
        prompt_label=prompt_label,
        prompt_label_column=prompt_label_column,
        prompt_labels=parse_mapping(prompt_labels, "--prompt-labels"),
        require_prompts=True,
    )
    column = "label" if wide else label_column
    rates = refusal_rates(responses.frame, by=responses.by, label_column=column, labels=mapping)
    odd = unclassified_values(responses.frame, column, mapping)
    if as_json:
        about: dict[str, Any] = {"file": str(file), "label_column": wide if wide else label_column}
        about.update(prompt_column=responses.prompt_source, unclassified_values=odd)
        print(rates_json(rates, responses.by, **about))
    else:
        labelled = f"label columns {', '.join(wide)}" if wide else f"labels from {label_column}"
        print(f"Refusal rates in {file}, by {', '.join(responses.by)} ({labelled})\n")
        print(rates_text(rates, responses.by, odd))
    return 0
