"""The dimensions of a multi-dimension rating and their anchored levels, as a lesson shows them."""

from __future__ import annotations

from pathlib import Path

from ..bank.dimensions import Dimensions, load_dimensions
from .html import escape


class DimensionTable:
    """The dimensions and their anchored levels, as a notebook shows them."""

    def __init__(self, dimensions: Dimensions):
        self.dimensions = dimensions

    def _repr_html_(self) -> str:
        parts = []
        for dimension in self.dimensions:
            when = "" if dimension.applies_to == "response" else " <i>(only when two responses are shown)</i>"
            graded = "" if dimension.graded else " <i>(not graded)</i>"
            rows = "".join(
                f"<tr><td style='text-align:left;white-space:nowrap'><b>{escape(level.label)}</b></td>"
                f"<td style='text-align:left'>{escape(level.description)}</td></tr>"
                for level in dimension.levels
            )
            parts.append(
                f"<div style='margin:8px 0 2px 0'><b>{escape(dimension.name)}</b>{when}{graded}: "
                f"{escape(dimension.question)}</div><table style='border-collapse:collapse'>{rows}</table>"
            )
        return "<div class='sr-dimensions'>" + "".join(parts) + "</div>"

    def __repr__(self) -> str:
        return "\n".join(f"{d.name}: " + " > ".join(level.label for level in d.levels) for d in self.dimensions)


def show_dimensions(path: Path | str | None = None) -> DimensionTable:
    """The course's dimensions and scales, for a lesson to display."""
    return DimensionTable(load_dimensions(path))

