"""Order tracker: one owner of orders and fills; stale snapshots ignored; fills booked once."""

from __future__ import annotations

from decimal import Decimal

from app.core.enums import OrderStatus, OrderType, Side
from app.core.events import FillReceived, OrderUpdated
from app.core.time import now_ms
from app.engine.executor import OrderRequest
from app.engine.order_path import OrderPath
from app.storage.database import Database
from app.storage.repositories import FillRepository, OrderRepository
from tests.emulator.emulator import ExchangeEmulator
from tests.engine import order_fixtures as fx
from tests.engine.order_fixtures import SYMBOL, VENUE, EventLog, PathFactory

database = fx.database
emulator = fx.emulator
exchange_emulator = fx.exchange_emulator
exchange_emulator_factory = fx.exchange_emulator_factory
make_path = fx.make_path
path = fx.path

D = Decimal


def limit(side: Side, price: str, amount: str = "0.01") -> OrderRequest:
    return OrderRequest(
        SYMBOL, side, OrderType.LIMIT, D(amount), D(price), strategy_id="s1", correlation_id="c1"
    )


async def test_a_resting_order_filled_by_the_market_is_picked_up_by_polling(
    path: OrderPath, emulator: ExchangeEmulator, database: Database
) -> None:
    events = EventLog(path.bus)
    order = await path.executor.submit(limit(Side.BUY, "29990"))
    assert order.status is OrderStatus.OPEN
    assert await path.tracker.poll_once() == 0
    emulator.set_price(SYMBOL, "29980")
    emulator.inject("GET /api/v3/order", "http_503", times=2)  # reads are retried
    assert await path.tracker.poll_once() == 1
    done = path.tracker.get(order.client_order_id)
    assert done is not None
    assert done.status is OrderStatus.FILLED
    assert (done.strategy_id, done.correlation_id) == ("s1", "c1")
    (fill,) = FillRepository(database).list(VENUE)
    assert (fill.client_order_id, fill.price, fill.is_maker) == (
        order.client_order_id,
        D(29990),
        True,
    )
    (received,) = events.of(FillReceived)
    assert received.correlation_id == "c1"
    assert OrderRepository(database).get(order.client_order_id) == done


async def test_stale_snapshots_never_move_an_order_back(
    path: OrderPath, emulator: ExchangeEmulator, database: Database
) -> None:
    order = await path.executor.submit(limit(Side.BUY, "29990"))
    stale = await path.tracker.exchange.fetch_order(SYMBOL, order.client_order_id)
    emulator.set_price(SYMBOL, "29980")
    await path.tracker.poll_once()
    events = EventLog(path.bus)
    kept = path.tracker.apply(stale)
    assert kept.status is OrderStatus.FILLED
    assert events.of(OrderUpdated) == []
    assert OrderRepository(database).get(order.client_order_id).status is OrderStatus.FILLED


async def test_fills_reported_again_are_booked_once(
    path: OrderPath, emulator: ExchangeEmulator
) -> None:
    await path.executor.submit(OrderRequest(SYMBOL, Side.BUY, OrderType.MARKET, D("0.02")))
    trades = await path.tracker.exchange.fetch_my_trades(SYMBOL)
    assert path.tracker.apply_fills(trades) == []
    assert path.tracker.apply_fills([*trades, *trades]) == []
    portfolio = path.tracker.portfolio
    assert portfolio is not None
    assert portfolio.position(SYMBOL).quantity == D("0.02")


async def test_restart_replays_stored_fills_and_maps_trades_to_client_ids(
    path: OrderPath, make_path: PathFactory, emulator: ExchangeEmulator
) -> None:
    buy = await path.executor.submit(OrderRequest(SYMBOL, Side.BUY, OrderType.MARKET, D("0.03")))
    await path.executor.submit(OrderRequest(SYMBOL, Side.SELL, OrderType.MARKET, D("0.01")))
    restarted = make_path()
    restarted.tracker.load()
    portfolio = restarted.tracker.portfolio
    assert portfolio is not None
    assert portfolio.position(SYMBOL).quantity == D("0.02")
    assert portfolio.fees_paid == D("1.2")
    again = await restarted.tracker.exchange.fetch_my_trades(SYMBOL)
    assert restarted.tracker.apply_fills(again) == []  # a fresh client: mapped, known, skipped
    first = restarted.tracker.fills()[0]
    assert first.client_order_id == buy.client_order_id


async def test_fills_of_an_order_finished_before_a_crash_are_recovered_on_start(
    make_path: PathFactory, emulator: ExchangeEmulator, database: Database
) -> None:
    crashed = make_path()
    crashed.tracker.load()
    placed = await crashed.tracker.exchange.create_order(
        "cb-crash-1", SYMBOL, Side.BUY, OrderType.MARKET, D("0.01")
    )
    crashed.tracker.apply(placed)  # the FILLED snapshot was stored, then the process died
    assert FillRepository(database).list(VENUE) == []
    restarted = make_path()
    report = await restarted.start()
    assert report.fills_added == 1
    (fill,) = FillRepository(database).list(VENUE)
    assert fill.client_order_id == "cb-crash-1"
    assert restarted.tracker.portfolio is not None
    assert restarted.tracker.portfolio.position(SYMBOL).quantity == D("0.01")


async def test_polling_costs_one_request_per_symbol_plus_one_per_order_that_left_the_book(
    path: OrderPath, emulator: ExchangeEmulator
) -> None:
    orders = [await path.executor.submit(limit(Side.BUY, p)) for p in ("29990", "29980", "29970")]
    emulator.reset_counters()
    assert await path.tracker.poll_once() == 0
    assert emulator.calls("GET /api/v3/openOrders") == 1
    assert emulator.calls("GET /api/v3/order") == 0
    emulator.set_price(SYMBOL, "29985")  # fills the first only
    assert await path.tracker.poll_once() == 1
    assert emulator.calls("GET /api/v3/order") == 1
    statuses = [path.tracker.get(o.client_order_id).status for o in orders]
    assert statuses == [OrderStatus.FILLED, OrderStatus.OPEN, OrderStatus.OPEN]


async def test_trades_after_a_long_downtime_are_read_window_by_window(
    make_path: PathFactory, emulator: ExchangeEmulator
) -> None:
    frozen_now = now_ms()  # the tracker and the test agree on "now", whatever the machine's load
    path = make_path(clock=lambda: frozen_now)
    await path.start()
    emulator.reset_counters()
    three_days_ago = frozen_now - 3 * 86_400_000
    assert await path.tracker.sync_fills(SYMBOL, three_days_ago) == []
    assert emulator.calls("GET /api/v3/myTrades") == 3  # three one-day windows reach "now"
