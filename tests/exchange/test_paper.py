"""Paper exchange rules beyond the shared lifecycle: slippage, stops, reservations, restart."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from app.core.enums import OrderStatus, OrderType, Side, TimeInForce
from app.core.errors import InsufficientFunds, InvalidOrder
from app.exchange.paper import PaperExchange
from app.exchange.paper_ledger import InMemoryLedger, PaperLedger
from app.exchange.paper_storage import StoragePaperLedger
from app.storage.database import Database
from tests.exchange.conftest import ManualClock, SettablePrices

D = Decimal


def make(prices: SettablePrices, clock: ManualClock, ledger: PaperLedger) -> PaperExchange:
    return PaperExchange(
        prices,
        ledger,
        clock,
        initial_balances={"USDT": D(10000), "BTC": D(1)},
        slippage=D("0.001"),
    )


async def tick(paper: PaperExchange, prices: SettablePrices, price: str) -> None:
    prices.prices["BTC/USDT"] = D(price)
    await paper.fetch_ticker("BTC/USDT")


async def test_market_buy_fills_at_next_price_plus_slippage_and_fee(
    prices: SettablePrices, clock: ManualClock
) -> None:
    paper = make(prices, clock, InMemoryLedger())
    order = await paper.create_order("c1", "BTC/USDT", Side.BUY, OrderType.MARKET, D("0.1"))
    assert order.status is OrderStatus.OPEN  # waits for the next price
    await tick(paper, prices, "31000")
    filled = await paper.fetch_order("BTC/USDT", "c1")
    assert filled.status is OrderStatus.FILLED
    assert filled.average_price == D("31031.00")  # 31000 x 1.001, adverse for a buy
    assert filled.fee == D("3.10310000")  # 0.1 % of 3103.10 in USDT
    balances = await paper.fetch_balance()
    assert balances["BTC"].free == D("1.1")
    assert balances["USDT"].free == D(10000) - D("3103.10") - D("3.1031")
    assert balances["USDT"].used == 0


async def test_market_sell_slips_down(prices: SettablePrices, clock: ManualClock) -> None:
    paper = make(prices, clock, InMemoryLedger())
    await paper.create_order("s1", "BTC/USDT", Side.SELL, OrderType.MARKET, D("0.5"))
    assert (await paper.fetch_balance())["BTC"].used == D("0.5")
    await tick(paper, prices, "30000")
    (fill,) = await paper.fetch_my_trades("BTC/USDT")
    assert fill.price == D("29970.00")
    assert fill.fee == D("14.98500000")
    balances = await paper.fetch_balance()
    assert balances["BTC"].total == D("0.5")
    assert balances["USDT"].free == D(10000) + D("14985") - D("14.985")


async def test_stop_market_triggers_only_when_price_reaches_stop(
    prices: SettablePrices, clock: ManualClock
) -> None:
    paper = make(prices, clock, InMemoryLedger())
    await paper.create_order(
        "stop", "BTC/USDT", Side.SELL, OrderType.STOP_MARKET, D("0.2"), stop_price=D(29000)
    )
    await tick(paper, prices, "29500")
    assert (await paper.fetch_order("BTC/USDT", "stop")).status is OrderStatus.OPEN
    await tick(paper, prices, "28900")
    done = await paper.fetch_order("BTC/USDT", "stop")
    assert done.status is OrderStatus.FILLED
    assert done.average_price == D("28871.10")


async def test_stop_limit_becomes_a_resting_limit_after_trigger(
    prices: SettablePrices, clock: ManualClock
) -> None:
    paper = make(prices, clock, InMemoryLedger())
    await paper.create_order(
        "sl",
        "BTC/USDT",
        Side.BUY,
        OrderType.STOP_LIMIT,
        D("0.1"),
        price=D(31100),
        stop_price=D(31000),
    )
    await tick(paper, prices, "30500")
    assert (await paper.fetch_order("BTC/USDT", "sl")).status is OrderStatus.OPEN
    await tick(paper, prices, "31200")  # triggers, but 31200 is above the limit
    triggered = await paper.fetch_order("BTC/USDT", "sl")
    assert triggered.status is OrderStatus.OPEN
    assert triggered.type is OrderType.LIMIT
    await tick(paper, prices, "31050")
    filled = await paper.fetch_order("BTC/USDT", "sl")
    assert filled.status is OrderStatus.FILLED
    assert filled.average_price == D(31100)


async def test_marketable_limit_fills_at_the_better_price_as_taker(
    prices: SettablePrices, clock: ManualClock
) -> None:
    paper = make(prices, clock, InMemoryLedger())
    await paper.create_order("l1", "BTC/USDT", Side.BUY, OrderType.LIMIT, D("0.1"), D(30500))
    await tick(paper, prices, "30100")
    (fill,) = await paper.fetch_my_trades("BTC/USDT")
    assert fill.price == D(30100)
    assert not fill.is_maker


async def test_insufficient_funds_refused_before_anything_is_reserved(
    prices: SettablePrices, clock: ManualClock
) -> None:
    paper = make(prices, clock, InMemoryLedger())
    with pytest.raises(InsufficientFunds, match="USDT"):
        await paper.create_order("big", "BTC/USDT", Side.BUY, OrderType.LIMIT, D(1), D(30000))
    with pytest.raises(InsufficientFunds, match="BTC"):
        await paper.create_order("big2", "BTC/USDT", Side.SELL, OrderType.MARKET, D(2))
    balances = await paper.fetch_balance()
    assert balances["USDT"].free == D(10000) and balances["USDT"].used == 0
    assert await paper.fetch_open_orders() == []


@pytest.fixture(params=["memory", "sqlite"])
def reopen(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], PaperLedger]]:
    """Opens "the same account" again, as a restarted process would."""
    if request.param == "memory":
        ledger = InMemoryLedger()
        yield lambda: ledger
        return
    databases: list[Database] = []

    def open_sqlite() -> PaperLedger:
        database = Database(f"sqlite:///{tmp_path / 'paper.db'}")
        database.migrate()
        databases.append(database)
        return StoragePaperLedger(database, "binance:paper")

    yield open_sqlite
    for database in databases:
        database.dispose()


async def test_history_and_reservations_survive_a_restart(
    prices: SettablePrices, clock: ManualClock, reopen: Callable[[], PaperLedger]
) -> None:
    paper = make(prices, clock, reopen())
    await paper.create_order("m1", "BTC/USDT", Side.BUY, OrderType.MARKET, D("0.1"))
    await tick(paper, prices, "30000")
    await paper.create_order("rest", "BTC/USDT", Side.BUY, OrderType.LIMIT, D("0.1"), D(20000))
    await paper.create_order("pend", "BTC/USDT", Side.SELL, OrderType.MARKET, D("0.3"))
    before = await paper.fetch_balance()
    (first_fill,) = await paper.fetch_my_trades("BTC/USDT")

    clock.ms += 60_000
    again = make(prices, clock, reopen())  # a new process on the same account
    assert [o.client_order_id for o in await again.fetch_open_orders()] == ["rest"]
    pending = await again.fetch_order("BTC/USDT", "pend")
    assert pending.status is OrderStatus.EXPIRED  # market order never priced: nothing traded
    balances = await again.fetch_balance()
    assert balances["USDT"] == before["USDT"]
    assert balances["BTC"].free == D("1.1") and balances["BTC"].used == 0
    assert await again.fetch_my_trades("BTC/USDT") == [first_fill]
    filled = await again.fetch_order("BTC/USDT", "m1")
    assert filled.fee == first_fill.fee and filled.average_price == first_fill.price
    cancelled = await again.cancel_order("BTC/USDT", "rest")
    assert cancelled.status is OrderStatus.CANCELED
    assert (await again.fetch_balance())["USDT"].used == 0

    third = make(prices, clock, reopen())
    assert await third.fetch_open_orders() == []
    assert (await third.fetch_order("BTC/USDT", "rest")).status is OrderStatus.CANCELED
    assert (await third.fetch_balance())["USDT"] == (await again.fetch_balance())["USDT"]


async def test_post_only_that_would_take_is_refused(
    prices: SettablePrices, clock: ManualClock
) -> None:
    paper = make(prices, clock, InMemoryLedger())
    with pytest.raises(InvalidOrder, match="post-only"):
        await paper.create_order(
            "po",
            "BTC/USDT",
            Side.BUY,
            OrderType.LIMIT,
            D("0.1"),
            D(30100),
            time_in_force=TimeInForce.POST_ONLY,
        )
    maker = await paper.create_order(
        "po2",
        "BTC/USDT",
        Side.BUY,
        OrderType.LIMIT,
        D("0.1"),
        D(29900),
        time_in_force=TimeInForce.POST_ONLY,
    )
    assert maker.status is OrderStatus.OPEN
