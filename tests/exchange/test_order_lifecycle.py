"""One order-lifecycle suite run against both ports: CcxtExchange on the emulator and PaperExchange.

Both accounts start with 10000 USDT, 0.5 BTC and 5 ETH, BTC/USDT at 30000 and a 0.1 % fee in
the quote currency. ``venue.move(price)`` moves the market; the paper exchange fills market
orders at that next price (plus slippage), the emulator at the price when the order arrives.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.core.enums import OrderStatus, OrderType, Side, TimeInForce
from app.core.errors import BadSymbol, DuplicateOrder, InvalidOrder, OrderNotFound
from app.core.money import quantize_quote
from tests.exchange.conftest import Venue

D = Decimal
SYMBOL = "BTC/USDT"
FEE = D("0.001")


async def test_market_buy_fills_with_fee_and_moves_balances(venue: Venue) -> None:
    ex = venue.exchange
    before = await ex.fetch_balance()
    order = await ex.create_order("buy-1", SYMBOL, Side.BUY, OrderType.MARKET, D("0.01"))
    assert order.client_order_id == "buy-1"
    venue.move("30000")
    done = await ex.fetch_order(SYMBOL, "buy-1")
    assert done.status is OrderStatus.FILLED
    assert done.filled == D("0.01")
    (fill,) = await ex.fetch_my_trades(SYMBOL)
    assert fill.client_order_id == "buy-1"
    assert fill.amount == D("0.01")
    assert D(29900) < fill.price < D(30100)
    assert fill.fee == quantize_quote(fill.price * fill.amount * FEE)
    assert fill.fee_currency == "USDT"
    after = await ex.fetch_balance()
    assert after["BTC"].total == before["BTC"].total + D("0.01")
    spent = before["USDT"].total - after["USDT"].total
    assert spent == fill.price * fill.amount + fill.fee


async def test_market_sell_credits_quote_minus_fee(venue: Venue) -> None:
    ex = venue.exchange
    await ex.create_order("sell-1", SYMBOL, Side.SELL, OrderType.MARKET, D("0.1"))
    venue.move("30000")
    (fill,) = await ex.fetch_my_trades(SYMBOL)
    after = await ex.fetch_balance()
    assert after["BTC"].total == D("0.4")
    assert after["USDT"].total == D(10000) + fill.price * D("0.1") - fill.fee


async def test_limit_rests_then_fills_at_its_price_when_crossed(venue: Venue) -> None:
    ex = venue.exchange
    placed = await ex.create_order("lim-1", SYMBOL, Side.BUY, OrderType.LIMIT, D("0.01"), D(29000))
    assert placed.status is OrderStatus.OPEN
    assert placed.price == D(29000)
    venue.move("29500")
    assert [o.client_order_id for o in await ex.fetch_open_orders(SYMBOL)] == ["lim-1"]
    assert (await ex.fetch_balance())["USDT"].used > 0
    venue.move("28900")
    done = await ex.fetch_order(SYMBOL, "lim-1")
    assert done.status is OrderStatus.FILLED
    assert done.average_price == D(29000)
    (fill,) = await ex.fetch_my_trades(SYMBOL)
    assert fill.is_maker
    assert fill.fee == D("0.29000000")
    assert await ex.fetch_open_orders(SYMBOL) == []
    balances = await ex.fetch_balance()
    assert balances["USDT"].used == 0
    assert balances["USDT"].total == D(10000) - D(290) - D("0.29")


async def test_cancel_releases_the_reservation(venue: Venue) -> None:
    ex = venue.exchange
    await ex.create_order("lim-2", SYMBOL, Side.BUY, OrderType.LIMIT, D("0.01"), D(25000))
    cancelled = await ex.cancel_order(SYMBOL, "lim-2")
    assert cancelled.status is OrderStatus.CANCELED
    assert cancelled.client_order_id == "lim-2"
    assert await ex.fetch_open_orders() == []
    balances = await ex.fetch_balance()
    assert balances["USDT"].free == D(10000)
    assert balances["USDT"].used == 0
    venue.move("24000")  # a cancelled order never fills
    assert (await ex.fetch_order(SYMBOL, "lim-2")).status is OrderStatus.CANCELED


async def test_fetch_by_client_id_and_unknown_ids(venue: Venue) -> None:
    ex = venue.exchange
    await ex.create_order("mine", SYMBOL, Side.SELL, OrderType.LIMIT, D("0.01"), D(31000))
    found = await ex.fetch_order(SYMBOL, "mine")
    assert (found.side, found.type, found.amount, found.price) == (
        Side.SELL,
        OrderType.LIMIT,
        D("0.01"),
        D(31000),
    )
    assert found.exchange_order_id
    with pytest.raises(OrderNotFound):
        await ex.fetch_order(SYMBOL, "never-placed")
    with pytest.raises(OrderNotFound):
        await ex.cancel_order(SYMBOL, "never-placed")


async def test_precision_and_min_notional_are_refused_before_sending(venue: Venue) -> None:
    ex = venue.exchange
    with pytest.raises(InvalidOrder, match="step size"):
        await ex.create_order("p1", SYMBOL, Side.BUY, OrderType.LIMIT, D("0.000015"), D(30000))
    with pytest.raises(InvalidOrder, match="tick size"):
        await ex.create_order("p2", SYMBOL, Side.BUY, OrderType.LIMIT, D("0.01"), D("30000.005"))
    with pytest.raises(InvalidOrder, match="minimum"):
        await ex.create_order("p3", SYMBOL, Side.BUY, OrderType.LIMIT, D("0.0001"), D(30000))
    with pytest.raises(BadSymbol):
        await ex.create_order("p4", "DOGE/EUR", Side.BUY, OrderType.MARKET, D(1))
    assert venue.order_posts() == 0
    assert await ex.fetch_open_orders() == []


async def test_duplicate_client_order_id_is_refused(venue: Venue) -> None:
    ex = venue.exchange
    await ex.create_order("dup", SYMBOL, Side.BUY, OrderType.LIMIT, D("0.01"), D(20000))
    with pytest.raises(DuplicateOrder):
        await ex.create_order("dup", SYMBOL, Side.BUY, OrderType.LIMIT, D("0.02"), D(20000))
    (only,) = await ex.fetch_open_orders(SYMBOL)
    assert only.amount == D("0.01")


async def test_stop_market_sell_waits_for_the_fall_then_fills(venue: Venue) -> None:
    ex = venue.exchange
    placed = await ex.create_order(
        "stop-1", SYMBOL, Side.SELL, OrderType.STOP_MARKET, D("0.01"), stop_price=D(29000)
    )
    assert placed.status is OrderStatus.OPEN
    assert placed.stop_price == D(29000)
    assert (await ex.fetch_balance())["BTC"].used == D("0.01")
    venue.move("29500")
    assert (await ex.fetch_order(SYMBOL, "stop-1")).status is OrderStatus.OPEN
    venue.move("28900")
    done = await ex.fetch_order(SYMBOL, "stop-1")
    assert done.status is OrderStatus.FILLED
    (fill,) = await ex.fetch_my_trades(SYMBOL)
    assert D(28800) < fill.price <= D(28900)
    assert (await ex.fetch_balance())["BTC"].total == D("0.49")


async def test_ioc_limit_that_cannot_trade_expires_and_frees_funds(venue: Venue) -> None:
    ex = venue.exchange
    await ex.create_order(
        "ioc-1",
        SYMBOL,
        Side.BUY,
        OrderType.LIMIT,
        D("0.01"),
        D(29000),
        time_in_force=TimeInForce.IOC,
    )
    venue.move("30000")
    done = await ex.fetch_order(SYMBOL, "ioc-1")
    assert done.status is OrderStatus.EXPIRED
    assert done.filled == 0
    assert (await ex.fetch_balance())["USDT"].used == 0
    assert await ex.fetch_open_orders() == []
