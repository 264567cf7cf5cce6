"""The taxonomy as a table a lesson shows: each risk area, what is harmful, fine, and its traps."""

from __future__ import annotations

from pathlib import Path

from IPython.display import HTML

from ..bank.casebank import TAXONOMY_FILE, load_taxonomy
from ..errors import DataError
from ..paths import datasets_dir
from .html import escape


def taxonomy_html(root: Path | None = None, ids: list[str] | None = None) -> str:
    """An HTML table of the risk areas (all, or those in ``ids``) from datasets/taxonomy.toml."""
    path = datasets_dir(root) / TAXONOMY_FILE
    taxonomy, problems = load_taxonomy(path)
    if problems:
        raise DataError(problems)
    rows = []
    for cid, category in taxonomy.items():
        if ids is not None and cid not in ids:
            continue
        cells = [category.name, category.definition, category.harmful, category.fine, category.over_refusal_traps]
        rows.append(
            "<tr>"
            + "".join(f"<td style='text-align:left;vertical-align:top'>{escape(text)}</td>" for text in cells)
            + "</tr>"
        )
    head = "".join(
        f"<th style='text-align:left'>{name}</th>"
        for name in ("Risk area", "What it covers", "Harmful", "Fine", "Over-refusal traps")
    )
    return f"<table class='sr-taxonomy'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def show_taxonomy(ids: list[str] | None = None) -> HTML:
    """Display the taxonomy table in a notebook."""
    return HTML(taxonomy_html(ids=ids))
