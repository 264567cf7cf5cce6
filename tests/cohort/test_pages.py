"""The report's tables (safetyrater.cohort.pages)."""

from __future__ import annotations

import math

from safetyrater.cohort.pages import Column, points, table


def _cells(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [row.removeprefix("<tr>").removesuffix("</tr>") for row in body.split("\n")]


def test_does_a_table_show_each_repeated_value_as_its_own_type_shows_it():
    """A table makes a repeated value's cell once: are 1, 1.0 and True (equal in Python) still shown apart,
    and are unhashable values, NaN and missing values shown as they are, row by row?"""
    values = [1, 1.0, True, 1, [1, 2], [1, 2], math.nan, None, "<b>", 1.0]
    rows = [{"value": value, "score": value if isinstance(value, (int, float)) else None} for value in values]
    html = table(rows, [Column("value", "Value"), Column("score", "Score", points, numeric=True)])

    assert _cells(html) == [
        '<td>1</td><td class="num" data-sort="1.0">1</td>',
        '<td>1.0</td><td class="num" data-sort="1.0">1</td>',
        '<td>True</td><td class="num" data-sort="1.0">1</td>',
        '<td>1</td><td class="num" data-sort="1.0">1</td>',
        '<td>[1, 2]</td><td class="num" data-sort=""></td>',
        '<td>[1, 2]</td><td class="num" data-sort=""></td>',
        '<td></td><td class="num" data-sort=""></td>',
        '<td></td><td class="num" data-sort=""></td>',
        '<td>&lt;b&gt;</td><td class="num" data-sort=""></td>',
        '<td>1.0</td><td class="num" data-sort="1.0">1</td>',
    ]


def test_does_a_cell_made_from_the_whole_row_see_each_row():
    """A column with ``render`` reads other fields of its row: is it made afresh for every row?"""
    rows = [{"a": 1, "b": "x"}, {"a": 1, "b": "y"}]
    html = table(rows, [Column("a", "A", render=lambda row: f"{row['a']}{row['b']}")])

    assert _cells(html) == ["<td>1x</td>", "<td>1y</td>"]
