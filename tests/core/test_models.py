"""Domain value objects: market rules, order/position arithmetic, enum semantics."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.core.enums import OrderStatus, OrderType, Side
from app.core.models import Balance, Market, Order, Position
from app.core.time import parse_date_ms, timeframe_to_ms

BTC = Market(
    symbol="BTC/USDT",
    base="BTC",
    quote="USDT",
    tick_size=Decimal("0.01"),
    step_size=Decimal("0.00001"),
    min_notional=Decimal("10"),
    min_amount=Decimal("0.00001"),
)


def test_market_validates_grid_and_notional() -> None:
    assert BTC.is_valid_price(Decimal("30000.01"))
    assert not BTC.is_valid_price(Decimal("30000.001"))
    assert BTC.is_valid_amount(Decimal("0.00123"))
    assert not BTC.is_valid_amount(Decimal("0.000123"))
    assert BTC.meets_min_notional(Decimal("0.001"), Decimal("10000"))
    assert not BTC.meets_min_notional(Decimal("0.0009"), Decimal("10000"))


def test_order_remaining_and_copy() -> None:
    order = Order("cb-1", "BTC/USDT", Side.BUY, OrderType.LIMIT, Decimal("0.5"), Decimal("100"))
    filled = order.with_changes(filled=Decimal("0.2"), status=OrderStatus.PARTIALLY_FILLED)
    assert filled.remaining == Decimal("0.3")
    assert order.remaining == Decimal("0.5")
    assert filled.notional == Decimal("50.0")
    assert filled.status.is_active and not filled.status.is_terminal


def test_position_pnl_signed() -> None:
    short = Position("BTC/USDT", quantity=Decimal("-2"), average_entry=Decimal("100"))
    assert short.unrealised_pnl(Decimal("90")) == Decimal("20")
    assert short.market_value(Decimal("90")) == Decimal("-180")


def test_balance_total() -> None:
    assert Balance("USDT", Decimal("10.5"), Decimal("2.25")).total == Decimal("12.75")


def test_side_helpers() -> None:
    assert Side.BUY.opposite is Side.SELL and Side.SELL.sign == -1


@pytest.mark.parametrize(("tf", "ms"), [("1m", 60_000), ("5m", 300_000), ("1h", 3_600_000)])
def test_timeframe_to_ms(tf: str, ms: int) -> None:
    assert timeframe_to_ms(tf) == ms


def test_bad_timeframe_and_date_messages() -> None:
    with pytest.raises(ValueError, match="timeframe"):
        timeframe_to_ms("1x")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_date_ms("yesterday")
    assert parse_date_ms("2021-01-01") == 1_609_459_200_000
