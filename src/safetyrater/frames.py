"""Rows of a pandas frame as plain dicts keyed by column name.

pandas types a row's keys as ``Hashable``; every frame in the kit is labelled by
``str`` column names, so these helpers give the rows the type the code reads them
with (``row["points"]``) instead of a cast at each call site.
"""

from __future__ import annotations

from typing import Any, cast

import pandas as pd


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Each row of ``frame`` as a dict, in order (``frame.to_dict("records")``)."""
    return cast(list[dict[str, Any]], frame.to_dict("records"))


def row_dict(row: pd.Series) -> dict[str, Any]:
    """One row (a Series indexed by column name) as a dict."""
    return cast(dict[str, Any], row.to_dict())
