"""Decimal helpers: exact construction and tick/step quantisation."""

from __future__ import annotations

import decimal
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.money import (
    is_multiple_of,
    round_amount,
    round_price,
    round_price_passive,
    to_decimal,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0.1", "0.1"), (0.1, "0.1"), (1, "1"), ("  42.50 ", "42.50"), (Decimal("3"), "3")],
)
def test_to_decimal_is_exact(raw: object, expected: str) -> None:
    assert to_decimal(raw) == Decimal(expected)  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", ["abc", "NaN", "Infinity", True, None, ""])
def test_to_decimal_refuses_non_numbers_naming_the_field(raw: object) -> None:
    with pytest.raises(ValueError, match="price"):
        to_decimal(raw, field="price")  # type: ignore[arg-type]


def test_amounts_round_down_to_step() -> None:
    assert round_amount(Decimal("0.123456"), Decimal("0.001")) == Decimal("0.123")
    assert round_amount(Decimal("0.1239999"), Decimal("0.001")) == Decimal("0.123")
    assert str(round_amount(Decimal("5"), Decimal("0.010"))) == "5.000"


def test_prices_round_to_nearest_tick() -> None:
    assert round_price(Decimal("100.126"), Decimal("0.01")) == Decimal("100.13")
    assert round_price(Decimal("100.125"), Decimal("0.01")) == Decimal("100.12")  # half-even
    assert round_price(Decimal("101.3"), Decimal("0.5")) == Decimal("101.5")


def test_passive_rounding_never_crosses() -> None:
    assert round_price_passive(Decimal("100.129"), Decimal("0.01"), is_buy=True) == Decimal(
        "100.12"
    )
    assert round_price_passive(Decimal("100.121"), Decimal("0.01"), is_buy=False) == Decimal(
        "100.13"
    )


def test_mixing_float_and_decimal_is_trapped() -> None:
    with pytest.raises(decimal.FloatOperation):
        _ = Decimal("1.0") < 1.5  # type: ignore[operator]


@given(
    units=st.integers(min_value=0, max_value=10**12),
    step_exp=st.integers(min_value=-8, max_value=2),
)
def test_rounded_amount_is_on_grid_and_never_larger(units: int, step_exp: int) -> None:
    step = Decimal(1).scaleb(step_exp)
    amount = Decimal(units).scaleb(-10)
    rounded = round_amount(amount, step)
    assert rounded <= amount
    assert amount - rounded < step
    assert is_multiple_of(rounded, step)
