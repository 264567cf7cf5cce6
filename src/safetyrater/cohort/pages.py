"""The building blocks of the report's HTML pages: the page, its navigation, figures and tables.

Every text that did not come from the kit (learner ids, notes, file names,
messages, case ids) goes through :func:`~safetyrater.widgets.html.escape`, so it
shows as text. Tables are plain HTML; the report's one small script
(``assets/report.js``, copied beside the pages, nothing from a CDN) sorts a
``table.sortable`` by any column heading and filters it from the controls named
for it (``data-filter-for``). Each numeric cell carries its exact value in
``data-sort``, so sorting is by number while the cell shows a rounded figure.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..widgets.html import escape

ASSETS = Path(__file__).resolve().parent / "assets"
ASSET_FILES = ("report.css", "report.js")
ASSETS_DIR = "assets"


def copy_assets(out: Path) -> None:
    """Put the pages' stylesheet and script beside them."""
    (out / ASSETS_DIR).mkdir(parents=True, exist_ok=True)
    for name in ASSET_FILES:
        shutil.copyfile(ASSETS / name, out / ASSETS_DIR / name)


def is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: Any, digits: int = 2) -> str:
    """A number as the report shows it ('' when missing)."""
    return "" if is_missing(value) else f"{float(value):.{digits}f}"


def percent(value: Any) -> str:
    return "" if is_missing(value) else f"{float(value):.0%}"


def points(value: Any) -> str:
    return "" if is_missing(value) else f"{float(value):g}" if float(value) == round(float(value), 2) else f"{float(value):.2f}"


def link(href: str, text: str) -> str:
    """A link to another page of the report (``href`` is the kit's own, ``text`` is escaped)."""
    return f'<a href="{escape(href)}">{escape(text)}</a>'


@dataclass(frozen=True)
class Column:
    """One column of a table: where its value comes from and how a cell shows it."""

    key: str
    label: str
    #: the cell's HTML from the row's value (default: the escaped text)
    show: Callable[[Any], str] | None = None
    #: a number: right-aligned, sorted by its exact value
    numeric: bool = False
    #: the cell's HTML from the whole row (overrides ``show``), for cells that combine values
    render: Callable[[Mapping[Any, Any]], str] | None = None

    def cell(self, row: Mapping[Any, Any]) -> str:
        value = row.get(self.key)
        if self.render is not None:
            body = self.render(row)
        elif self.show is not None:
            body = self.show(value)
        else:
            body = "" if is_missing(value) else escape(str(value))
        if self.numeric:
            exact = "" if value is None or is_missing(value) else repr(float(value))
            return f'<td class="num" data-sort="{exact}">{body}</td>'
        return f"<td>{body}</td>"


def table(
    rows: Iterable[Mapping[Any, Any]],
    columns: Sequence[Column],
    *,
    table_id: str | None = None,
    noun: str = "rows",
    search: str | None = None,
    choices: dict[str, Sequence[str]] | None = None,
    caption: str | None = None,
) -> str:
    """A table; with ``table_id`` it sorts by its headings and filters by the search box (and a select per
    column named in ``choices``)."""
    rows = list(rows)
    head = "".join(f'<th scope="col">{escape(c.label)}</th>' for c in columns)
    # column by column: each column's cells made in one loop, then joined row by row
    body = "\n".join("<tr>" + "".join(cells) + "</tr>" for cells in zip(*(_cells(c, rows) for c in columns), strict=True))
    caption_html = f"<caption class='note'>{escape(caption)}</caption>" if caption else ""
    if table_id is None:
        return f"<table>{caption_html}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    tools = []
    if search is not None:
        tools.append(
            f'<label>Filter <input type="search" data-filter-for="{table_id}" placeholder="{escape(search)}"></label>'
        )
    for key, options in (choices or {}).items():
        index = next(i for i, c in enumerate(columns) if c.key == key)
        label = columns[index].label
        items = "".join(f'<option value="{escape(o)}">{escape(o)}</option>' for o in options)
        tools.append(
            f'<label>{escape(label)} <select data-filter-for="{table_id}" data-column="{index}">'
            f'<option value="">any</option>{items}</select></label>'
        )
    count = f"{len(rows)} {escape(noun)}."
    tools.append(f'<span class="note" data-count-for="{table_id}" data-noun="{escape(noun)}" aria-live="polite">{count}</span>')
    return (
        f'<div class="table-tools">{"".join(tools)}</div>'
        f'<div class="table-wrap"><table class="sortable" id="{table_id}">{caption_html}<thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _cells(column: Column, rows: list[Mapping[Any, Any]]) -> list[str]:
    """``column``'s cell in each row, each value's cell made once: a report's 1,000 learner pages
    repeat the same exercises, cases, ratings, points and notes some 800,000 times.

    Only for a column whose cell is a function of its value alone (no ``render``); values are
    told apart by type too (1, 1.0 and True show differently), and one that is not hashable is
    shown afresh.
    """
    if column.render is not None:
        return [column.cell(row) for row in rows]
    made: dict[tuple[type, Any], str] = {}
    cells = []
    key = column.key
    for row in rows:
        value = row.get(key)
        try:
            found = made.get((type(value), value))
            if found is None:
                found = made[(type(value), value)] = column.cell(row)
        except TypeError:  # not hashable
            found = column.cell(row)
        cells.append(found)
    return cells


def figures(items: Iterable[tuple[str, str]]) -> str:
    """The big numbers at the top of a page: (value, what it is)."""
    cells = "".join(
        f'<div class="figure"><div class="value">{escape(value)}</div><div class="label">{escape(label)}</div></div>'
        for value, label in items
    )
    return f'<div class="figures">{cells}</div>'


def plot(svg: str, caption: str) -> str:
    """An inline SVG plot with its caption (the caption is also the plot's accessible name)."""
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(caption)}" ', 1)
    return f'<figure class="plot">{svg}<figcaption>{escape(caption)}</figcaption></figure>'


#: the report's pages in navigation order: (file, title)
NAVIGATION = [
    ("report.html", "Summary"),
    ("learners.html", "Learners"),
    ("cases.html", "Cases"),
    ("split.html", "Most split cases"),
    ("agreement.html", "Agreement"),
    ("problems.html", "Problems"),
]


def page(title: str, body: str, *, current: str | None = None, depth: int = 0, heading: str | None = None) -> str:
    """A whole page: the navigation bar, the heading and ``body`` (HTML the kit built)."""
    up = "../" * depth
    nav = "".join(
        f'<a href="{up}{file}"' + (' aria-current="page"' if file == current else "") + f">{escape(name)}</a>"
        for file, name in NAVIGATION
    )
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)}</title><link rel='stylesheet' href='{up}{ASSETS_DIR}/report.css'></head><body>"
        f"<nav class='top' aria-label='Report pages'>{nav}</nav><main>"
        f"<h1>{escape(heading or title)}</h1>\n{body}\n</main>"
        f"<script src='{up}{ASSETS_DIR}/report.js' defer></script></body></html>\n"
    )
