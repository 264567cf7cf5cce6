"""Do scores read as a learner expects: one decimal at most, and never "-0.0"?"""

from __future__ import annotations

import pytest

from safetyrater.numbers import one_decimal, signed_one_decimal


@pytest.mark.parametrize(
    ("value", "shown"),
    [(8 / 3, "2.7"), (3.0, "3"), (0.5, "0.5"), (-0.0, "0"), (-0.04, "0"), (12.25, "12.2"), (-1.26, "-1.3"), (120, "120")],
)
def test_a_score_has_at_most_one_decimal_and_no_negative_zero(value, shown):
    assert one_decimal(value) == shown


@pytest.mark.parametrize(("value", "shown"), [(1.46, "+1.5"), (-2.0, "-2"), (-0.0, "0"), (0.04, "0"), (-0.04, "0")])
def test_a_change_has_its_sign_except_when_it_is_nothing(value, shown):
    assert signed_one_decimal(value) == shown
