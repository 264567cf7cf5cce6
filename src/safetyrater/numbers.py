"""Numbers as learners read them: scores with at most one decimal, never "-0"."""

from __future__ import annotations


def one_decimal(value: float) -> str:
    """``2.6667`` -> "2.7", ``3.0`` -> "3", ``-0.04`` -> "0": a score or share as a learner reads it."""
    text = f"{round(float(value), 1) + 0.0:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def signed_one_decimal(value: float) -> str:
    """A change with its sign: "+1.5", "-2", and "0" (never "-0.0" or "+0")."""
    text = one_decimal(value)
    return text if text == "0" or text.startswith("-") else "+" + text
