"""A crash while an order is partially filled: the venue fills more while the app is down.

The first order path is abandoned mid-order (as a killed process leaves it); a fresh one over
the same SQLite file starts, reconciles and must recover the missing fills exactly once, in
order, with position and cash equal to the emulator's ledger.
"""

from __future__ import annotations

import time
from dataclasses import replace
from decimal import Decimal

from app.config.paths import resolve_paths
from app.core.enums import OrderStatus, OrderType, Side, TradingMode
from app.core.events import FillReceived
from app.engine.builder import build_engine
from app.engine.executor import OrderRequest
from app.engine.facade import EngineFacade
from app.engine.order_path import OrderPath
from app.storage.database import Database
from app.storage.repositories import FillRepository, OrderRepository
from tests.emulator.emulator import ExchangeEmulator
from tests.engine import order_fixtures as fx
from tests.engine.engine_harness import offline_settings
from tests.engine.order_fixtures import SYMBOL, VENUE, EventLog, PathFactory, make_exchange

database = fx.database
emulator = fx.emulator
exchange_emulator = fx.exchange_emulator
exchange_emulator_factory = fx.exchange_emulator_factory
make_path = fx.make_path

D = Decimal
START_USDT = D(10000)
PRICE = D("29990.37")


async def crashed_mid_order(make_path: PathFactory, emulator: ExchangeEmulator) -> str:
    """Place a limit buy of 0.01, see two 0.003 pieces, then "crash" (the path is dropped)."""
    first = make_path()
    await first.start()
    emulator.set_fill_limit(SYMBOL, "0.003")
    request = OrderRequest(SYMBOL, Side.BUY, OrderType.LIMIT, D("0.01"), PRICE, strategy_id="s1")
    order = await first.executor.submit(request)
    for price in ("29990", "29989"):
        emulator.set_price(SYMBOL, price)
        await first.tracker.poll_once()
    seen = first.tracker.get(order.client_order_id)
    assert seen is not None
    assert (seen.status, seen.filled) == (OrderStatus.PARTIALLY_FILLED, D("0.006"))
    first.audit.flush()
    return order.client_order_id


def assert_books_equal_venue(
    path: OrderPath, emulator: ExchangeEmulator, database: Database
) -> None:
    trades = emulator.snapshot().trades
    stored = FillRepository(database).list(VENUE)
    assert [(f.trade_id, f.amount, f.price, f.fee) for f in stored] == [
        (str(t.trade_id), t.qty, t.price, t.commission) for t in trades
    ]
    portfolio = path.tracker.portfolio
    assert portfolio is not None
    bought = sum((t.qty for t in trades), D(0))
    position = portfolio.position(SYMBOL)
    assert (position.quantity, position.average_entry) == (bought, PRICE)
    assert sum(emulator.balance("BTC")) == D("0.5") + bought
    assert portfolio.cash == sum(emulator.balance("USDT")) - START_USDT
    assert portfolio.fees_paid == sum((t.commission for t in trades), D(0))


async def test_fills_made_while_the_app_was_down_are_recovered_once_in_order(
    make_path: PathFactory, emulator: ExchangeEmulator, database: Database
) -> None:
    coid = await crashed_mid_order(make_path, emulator)
    emulator.set_price(SYMBOL, "29988")  # third piece while down
    emulator.set_fill_limit(SYMBOL, None)
    emulator.set_price(SYMBOL, "29987")  # the last 0.001 while down

    restarted = make_path()
    events = EventLog(restarted.bus)
    report = await restarted.start()
    assert report.fills_added == 2
    assert report.alerts == ()
    assert [e.fill.trade_id for e in events.of(FillReceived)] == ["3", "4"]
    assert [f.trade_id for f in restarted.tracker.fills()] == ["1", "2", "3", "4"]
    order = OrderRepository(database).get(coid)
    assert order is not None
    venue = emulator.order(coid)
    assert (order.status, order.filled) == (OrderStatus.FILLED, venue.executed_qty)
    assert order.average_price == venue.cumulative_quote / venue.executed_qty
    assert order.fee == sum((t.commission for t in emulator.snapshot().trades), D(0))
    assert order.strategy_id == "s1"  # our own fields survive the restart
    assert_books_equal_venue(restarted, emulator, database)

    again = await restarted.reconciler.reconcile()
    await restarted.tracker.poll_once()
    assert (again.fills_added, again.alerts) == (0, ())
    assert len(FillRepository(database).list(VENUE)) == 4
    assert_books_equal_venue(restarted, emulator, database)


async def test_an_order_still_resting_after_the_restart_keeps_filling_and_is_tracked(
    make_path: PathFactory, emulator: ExchangeEmulator, database: Database
) -> None:
    coid = await crashed_mid_order(make_path, emulator)
    emulator.set_price(SYMBOL, "29988")  # third piece while down, 0.001 still resting

    restarted = make_path()
    report = await restarted.start()
    assert (report.fills_added, report.alerts) == (1, ())
    resting = restarted.tracker.get(coid)
    assert resting is not None
    assert (resting.status, resting.filled) == (OrderStatus.PARTIALLY_FILLED, D("0.009"))
    assert [o.client_order_id for o in restarted.tracker.active()] == [coid]
    assert_books_equal_venue(restarted, emulator, database)

    emulator.set_price(SYMBOL, "29980")
    assert await restarted.tracker.poll_once() == 1
    done = restarted.tracker.get(coid)
    assert done is not None
    assert (done.status, done.filled) == (OrderStatus.FILLED, D("0.01"))
    assert restarted.tracker.active() == []
    final = await restarted.reconciler.reconcile()
    assert (final.fills_added, final.alerts) == (0, ())
    assert_books_equal_venue(restarted, emulator, database)


def test_an_engine_stopped_mid_order_books_the_fills_made_while_stopped_on_start(
    emulator: ExchangeEmulator,
) -> None:
    base = offline_settings()
    settings = replace(
        base, general=replace(base.general, mode=TradingMode.TESTNET, symbols=(SYMBOL,))
    )
    facade: EngineFacade = build_engine(settings, resolve_paths(), exchange=make_exchange(emulator))
    facade._engine.parts.poll_interval = 0.05
    try:
        facade.start().result(30)
        emulator.set_fill_limit(SYMBOL, "0.003")
        placed = facade.place_order(SYMBOL, Side.BUY, OrderType.LIMIT, D("0.01"), PRICE)
        coid = placed.result(30).client_order_id
        emulator.set_price(SYMBOL, "29990")
        deadline = time.monotonic() + 15
        while len(facade.fills()) < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        facade.stop().result(30)
        for price in ("29989", "29988"):  # two more pieces while stopped
            emulator.set_price(SYMBOL, price)
        facade.start().result(30)
        (order,) = [o for o in facade.orders() if o.client_order_id == coid]
        assert (order.status, order.filled) == (OrderStatus.PARTIALLY_FILLED, D("0.009"))
        trades = emulator.snapshot().trades
        assert [f.trade_id for f in facade.fills()] == [str(t.trade_id) for t in trades]
        assert order.fee == sum((t.commission for t in trades), D(0))
        (position,) = [p for p in facade.positions() if p.symbol == SYMBOL]
        assert (position.quantity, position.average_entry) == (D("0.009"), PRICE)
    finally:
        facade.shutdown()
