"""``safetyrater label-rates``: the count and share of every value of any categorical label, per group.

Where ``refusal-rates`` needs its three refusal labels, this counts whatever a
file holds: a 0/1 ``harmful`` flag, a six-class ``action`` category, a
platform's own verdicts. Safe and unsafe prompts are kept apart when the file
(or an option) says which is which; an empty cell is counted as ``missing``
and left out of the shares.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pandas as pd

from .table import PROMPT_SECTIONS, OptionError, column_list, command, parse_mapping, read_responses

MISSING = "missing"


def _value_order(values: Sequence[str]) -> list[str]:
    """Numbers in numeric order (0, 1, …, 10), then other values alphabetically."""
    def key(value: str) -> tuple[int, float, str]:
        try:
            return (0, float(value), value)
        except ValueError:
            return (1, 0.0, value)

    return sorted(set(values), key=key)


def label_rates(frame: pd.DataFrame, label_column: str, by: Sequence[str] = ()) -> pd.DataFrame:
    """One row per (``prompts``, group, value): ``count`` and ``share`` of the group's labelled responses.

    ``frame`` has the ``by`` columns, ``label_column`` and, optionally, ``prompts``
    (``safe`` / ``unsafe`` / ``all``; :func:`~.table.read_responses` adds it).
    Each group also has ``responses`` (all its rows) and ``missing`` (rows
    with an empty label). Groups keep the order they first appear in."""
    by = list(by)
    work = pd.DataFrame({name: frame[name].to_numpy() for name in by})
    work["prompts"] = frame["prompts"].to_numpy() if "prompts" in frame.columns else "all"
    values = frame[label_column].astype(str).str.strip().to_numpy()
    work["value"] = values
    keys = ["prompts", *by]
    totals = work.groupby(keys, sort=False).size().rename("responses")
    missing = work[work["value"] == ""].groupby(keys, sort=False).size().rename(MISSING)
    labelled = work[work["value"] != ""]
    counts = labelled.groupby([*keys, "value"], sort=False).size().rename("count").reset_index()
    order = _value_order(list(counts["value"]))
    counts = counts.merge(totals.reset_index(), on=keys).merge(missing.reset_index(), on=keys, how="left")
    counts[MISSING] = counts[MISSING].fillna(0).astype(int)
    counts["share"] = counts["count"] / (counts["responses"] - counts[MISSING])
    group_order = {key: index for index, key in enumerate(totals.index)}
    counts["_group"] = [group_order[tuple(row)] if len(keys) > 1 else group_order[row[0]] for row in counts[keys].itertuples(index=False)]
    counts["_section"] = counts["prompts"].map(PROMPT_SECTIONS.index)
    counts["_value"] = counts["value"].map(order.index)
    counts = counts.sort_values(["_section", "_group", "_value"]).drop(columns=["_section", "_group", "_value"])
    return counts[[*keys, "responses", MISSING, "value", "count", "share"]].reset_index(drop=True)


def _groups(rates: pd.DataFrame, by: list[str]) -> list[tuple[str, dict[str, Any], pd.DataFrame]]:
    """The rates of each (section, group), in order."""
    found = []
    for keys, part in rates.groupby(["prompts", *by], sort=False):
        keys = keys if isinstance(keys, tuple) else (keys,)
        found.append((str(keys[0]), dict(zip(by, keys[1:], strict=True)), part))
    return found


def rates_text(rates: pd.DataFrame, by: list[str]) -> str:
    """A table per prompt section: one row per group, one column per value (``count (share)``)."""
    headings = {
        "safe": "Safe prompts",
        "unsafe": "Unsafe prompts",
        "all": "All prompts" + (" (the file does not say which were safe)" if set(rates["prompts"]) == {"all"} else ""),
    }
    order = _value_order(list(rates["value"]))
    sections = []
    for section in PROMPT_SECTIONS:
        rows = []
        for prompts, group, part in _groups(rates, by):
            if prompts != section:
                continue
            triples = zip(part["value"], part["count"], part["share"], strict=True)
            cells = {value: f"{int(count)} ({share:.1%})" for value, count, share in triples}
            row = {**group, "responses": int(part["responses"].iloc[0])}
            row.update({value: cells.get(value, "0 (0.0%)") for value in order})
            if rates[MISSING].any():
                row[MISSING] = int(part[MISSING].iloc[0])
            rows.append(row)
        if rows:
            table = pd.DataFrame(rows).to_string(index=False)
            sections.append(f"{headings[section]}: {sum(r['responses'] for r in rows)} responses\n{table}")
    return "\n\n".join(sections) or "no responses"


def rates_json(rates: pd.DataFrame, by: list[str], **about: Any) -> str:
    """``about`` fields, ``values`` in order, then per section a list of groups with ``counts`` and ``shares``."""
    result: dict[str, Any] = dict(about, by=by, values=_value_order(list(rates["value"])))
    for prompts, group, part in _groups(rates, by):
        result.setdefault(prompts, []).append({
            **group,
            "responses": int(part["responses"].iloc[0]),
            MISSING: int(part[MISSING].iloc[0]),
            "counts": {str(v): int(c) for v, c in zip(part["value"], part["count"], strict=True)},
            "shares": {str(v): round(float(s), 4) for v, s in zip(part["value"], part["share"], strict=True)},
        })
    return json.dumps(result, indent=2)


@command
def main(
    file: str,
    label_column: str | None = None,
    *,
    label_columns: str | None = None,
    by: str | None = None,
    prompt_label: str | None = None,
    prompt_label_column: str | None = None,
    prompt_labels: str | None = None,
    as_json: bool = False,
) -> int:
    """Print the count and share of each label value per group; 1 with one error line for a bad file, 2 for a bad option."""
    wide = column_list(label_columns)
    if bool(wide) == bool(label_column):
        raise OptionError("give --label-column COLUMN (one label column) or --label-columns A,B,C (one column per model)")
    responses = read_responses(
        file,
        label_columns=wide or [str(label_column)],
        by=column_list(by),
        wide=bool(wide),
        prompt_label=prompt_label,
        prompt_label_column=prompt_label_column,
        prompt_labels=parse_mapping(prompt_labels, "--prompt-labels"),
    )
    column = "label" if wide else str(label_column)
    rates = label_rates(responses.frame, column, responses.by)
    if as_json:
        print(rates_json(rates, responses.by, file=str(file), label_column=wide or label_column, prompt_column=responses.prompt_source))
    else:
        what = f"label columns {', '.join(wide)}" if wide else f"{label_column}"
        grouped = f", by {', '.join(responses.by)}" if responses.by else ""
        print(f"Values of {what} in {file}{grouped}\n")
        print(rates_text(rates, responses.by))
    return 0
