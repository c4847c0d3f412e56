"""ccxt unified structures -> domain values, with exact Decimals and clear refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.core.enums import OrderStatus, OrderType, Side, TimeInForce
from app.core.errors import BadExchangeReply
from app.exchange.convert import (
    balances_from_ccxt,
    candles_from_ccxt,
    fill_from_ccxt,
    last_price_from_ticker,
    order_from_ccxt,
)

ORDER = {
    "id": "123",
    "clientOrderId": "cb-1",
    "symbol": "BTC/USDT",
    "side": "buy",
    "type": "limit",
    "status": "open",
    "amount": 0.3,
    "filled": 0.1,
    "price": 29000.1,
    "average": 29000.1,
    "timeInForce": "IOC",
    "fee": {"cost": 0.0029, "currency": "USDT"},
    "timestamp": 1_700_000_000_000,
    "lastUpdateTimestamp": 1_700_000_001_000,
}


def test_order_numbers_are_the_exact_decimals_the_venue_sent() -> None:
    order = order_from_ccxt(ORDER)
    assert order.amount == Decimal("0.3")
    assert order.filled == Decimal("0.1")
    assert order.remaining == Decimal("0.2")
    assert order.price == Decimal("29000.1")
    assert order.fee == Decimal("0.0029")
    assert order.status is OrderStatus.PARTIALLY_FILLED
    assert order.time_in_force is TimeInForce.IOC
    assert (order.created_at, order.updated_at) == (1_700_000_000_000, 1_700_000_001_000)


@pytest.mark.parametrize(
    ("raw_type", "trigger", "expected"),
    [
        ("market", None, OrderType.MARKET),
        ("limit", None, OrderType.LIMIT),
        ("stop_loss", 28000.0, OrderType.STOP_MARKET),
        ("stop_loss_limit", 28000.0, OrderType.STOP_LIMIT),
    ],
)
def test_order_types(raw_type: str, trigger: float | None, expected: OrderType) -> None:
    order = order_from_ccxt({**ORDER, "type": raw_type, "triggerPrice": trigger})
    assert order.type is expected
    expected_price = None if raw_type == "market" else Decimal("29000.1")
    assert order.price == expected_price
    assert order.stop_price == (None if trigger is None else Decimal("28000.0"))


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("closed", OrderStatus.FILLED),
        ("canceled", OrderStatus.CANCELED),
        ("expired", OrderStatus.EXPIRED),
        ("rejected", OrderStatus.REJECTED),
        ("weird", OrderStatus.UNKNOWN),
    ],
)
def test_order_statuses(status: str, expected: OrderStatus) -> None:
    assert order_from_ccxt({**ORDER, "status": status}).status is expected


def test_replies_that_are_not_orders_are_refused() -> None:
    for bad in ({}, {**ORDER, "id": None}, {**ORDER, "side": "up"}, "<html>"):
        with pytest.raises(BadExchangeReply):
            order_from_ccxt(bad)  # type: ignore[arg-type]
    with pytest.raises(BadExchangeReply, match="no client order id"):
        order_from_ccxt({**ORDER, "clientOrderId": None})
    assert order_from_ccxt({**ORDER, "clientOrderId": None}, "mine").client_order_id == "mine"
    with pytest.raises(BadExchangeReply, match="amount"):
        order_from_ccxt({**ORDER, "amount": "lots"})


def test_trades_candles_tickers_and_balances() -> None:
    fill = fill_from_ccxt(
        {
            "id": "t1",
            "order": "123",
            "symbol": "BTC/USDT",
            "side": "sell",
            "price": 30000.5,
            "amount": 0.002,
            "fee": {"cost": 0.060001, "currency": "USDT"},
            "timestamp": 5,
            "takerOrMaker": "maker",
        },
        "cb-1",
    )
    assert (fill.side, fill.price, fill.amount, fill.fee) == (
        Side.SELL,
        Decimal("30000.5"),
        Decimal("0.002"),
        Decimal("0.060001"),
    )
    assert fill.is_maker and fill.exchange_order_id == "123"
    with pytest.raises(BadExchangeReply):
        fill_from_ccxt({"id": "t2"}, "")
    candles = candles_from_ccxt([[2, 1, 2, 0.5, 1.5, 10], [1, 1, 1, 1, 1, None]])
    assert [c.timestamp for c in candles] == [1, 2]
    assert candles[0].volume == 0.0
    for bad in ("oops", [[1, 2]], [["x", 1, 1, 1, 1, 1]]):
        with pytest.raises(BadExchangeReply):
            candles_from_ccxt(bad)
    assert last_price_from_ticker({"last": 101.25}, "X") == Decimal("101.25")
    assert last_price_from_ticker({"last": None, "bid": 99.0, "ask": 101.0}, "X") == 100
    with pytest.raises(BadExchangeReply, match="carries no price"):
        last_price_from_ticker({"last": None}, "X")
    balances = balances_from_ccxt(
        {"free": {"BTC": 0.4}, "used": {"BTC": 0.1}, "total": {"BTC": 0.5, "USDT": 0.0}}
    )
    assert balances["BTC"].total == Decimal("0.5")
    assert balances["USDT"].free == 0
    with pytest.raises(BadExchangeReply):
        balances_from_ccxt({"info": "no totals"})
