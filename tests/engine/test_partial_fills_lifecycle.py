"""Partial fills through the order path: a limit order filled in pieces, stored and booked once.

Real ccxt against the emulator (``set_fill_limit`` caps each matching event), a real SQLite
file, the tracker's polling and reconciliation both looking at the same fills.
"""

from __future__ import annotations

from decimal import Decimal

from app.core.enums import OrderStatus, OrderType, Side
from app.core.events import FillReceived, OrderUpdated
from app.core.models import Order
from app.engine.executor import OrderRequest
from app.engine.order_path import OrderPath
from app.storage.database import Database
from app.storage.repositories import FillRepository, OrderRepository
from tests.emulator.emulator import ExchangeEmulator
from tests.engine import order_fixtures as fx
from tests.engine.order_fixtures import SYMBOL, VENUE, EventLog

database = fx.database
emulator = fx.emulator
exchange_emulator = fx.exchange_emulator
exchange_emulator_factory = fx.exchange_emulator_factory
make_path = fx.make_path
path = fx.path

D = Decimal
START_USDT = D(10000)
START_BTC = D("0.5")


def limit(side: Side, amount: str, price: str) -> OrderRequest:
    return OrderRequest(SYMBOL, side, OrderType.LIMIT, D(amount), D(price), strategy_id="s1")


def statuses(events: EventLog, client_order_id: str) -> list[OrderStatus]:
    """The order's published statuses, repeats collapsed."""
    seen: list[OrderStatus] = []
    for event in events.of(OrderUpdated):
        if event.order.client_order_id == client_order_id and (
            not seen or seen[-1] is not event.order.status
        ):
            seen.append(event.order.status)
    return seen


def assert_matches_venue(order: Order, emulator: ExchangeEmulator, database: Database) -> None:
    """Filled amount, average price and fee of ``order`` (memory and store) equal the venue's."""
    venue_order = emulator.order(order.client_order_id)
    trades = [t for t in emulator.snapshot().trades if t.client_order_id == order.client_order_id]
    assert order.filled == venue_order.executed_qty
    assert order.average_price == venue_order.cumulative_quote / venue_order.executed_qty
    assert order.fee == sum((t.commission for t in trades), D(0))
    assert OrderRepository(database).get(order.client_order_id) == order
    stored = [
        f
        for f in FillRepository(database).list(VENUE)
        if f.client_order_id == order.client_order_id
    ]
    assert [(f.trade_id, f.amount, f.price, f.fee) for f in stored] == [
        (str(t.trade_id), t.qty, t.price, t.commission) for t in trades
    ]


async def test_a_limit_buy_filled_in_four_pieces_is_stored_and_booked_once_then_sold(
    path: OrderPath, emulator: ExchangeEmulator, database: Database
) -> None:
    events = EventLog(path.bus)
    emulator.set_fill_limit(SYMBOL, "0.003")
    buy = await path.executor.submit(limit(Side.BUY, "0.01", "29990.37"))
    assert buy.status is OrderStatus.OPEN
    for price, look in (
        ("29990", "poll"),
        ("29980", "reconcile"),
        ("29985.5", "both"),
        ("29900", "both"),
    ):
        emulator.set_price(SYMBOL, price)
        if look in ("reconcile", "both"):
            first = await path.reconciler.reconcile()
            assert (first.fills_added, first.alerts) == (1, ())  # balances explained
        await path.tracker.poll_once()
        if look == "both":
            second = await path.reconciler.reconcile()
            assert (second.fills_added, second.alerts) == (0, ())
    bought = path.tracker.get(buy.client_order_id)
    assert bought is not None
    assert statuses(events, buy.client_order_id) == [
        OrderStatus.PENDING_SUBMIT,
        OrderStatus.OPEN,
        OrderStatus.PARTIALLY_FILLED,
        OrderStatus.FILLED,
    ]
    filled_seen = [
        e.order.filled
        for e in events.of(OrderUpdated)
        if e.order.client_order_id == buy.client_order_id
    ]
    assert sorted(set(filled_seen)) == [D(0), D("0.003"), D("0.006"), D("0.009"), D("0.01")]
    assert bought.status is OrderStatus.FILLED
    assert bought.average_price == D("29990.37")
    assert_matches_venue(bought, emulator, database)
    assert len(events.of(FillReceived)) == 4
    assert [f.amount for f in path.tracker.fills()] == [D("0.003")] * 3 + [D("0.001")]

    portfolio = path.tracker.portfolio
    assert portfolio is not None
    position = portfolio.position(SYMBOL)
    assert (position.quantity, position.average_entry) == (D("0.01"), D("29990.37"))
    usdt_free, usdt_locked = emulator.balance("USDT")
    assert usdt_locked == 0
    assert portfolio.cash == usdt_free - START_USDT  # notional and fees, to the last unit
    assert sum(emulator.balance("BTC")) == START_BTC + position.quantity

    sell = await path.executor.submit(limit(Side.SELL, "0.01", "30100.5"))
    assert sell.status is OrderStatus.OPEN
    for _ in range(4):
        emulator.set_price(SYMBOL, "30100.5")
        await path.tracker.poll_once()
    sold = path.tracker.get(sell.client_order_id)
    assert sold is not None and sold.status is OrderStatus.FILLED
    assert_matches_venue(sold, emulator, database)
    report = await path.reconciler.reconcile()
    assert (report.fills_added, report.alerts) == (0, ())

    position = portfolio.position(SYMBOL)
    assert position.is_flat
    assert position.realised_pnl == (D("30100.5") - D("29990.37")) * D("0.01")
    every_fee = sum((t.commission for t in emulator.snapshot().trades), D(0))
    assert portfolio.fees_paid == position.fees == every_fee
    assert portfolio.cash == sum(emulator.balance("USDT")) - START_USDT
    assert portfolio.cash == position.realised_pnl - every_fee
    assert len(FillRepository(database).list(VENUE)) == 8


async def test_a_taker_piece_then_maker_pieces_average_exactly_as_the_venue_does(
    path: OrderPath, emulator: ExchangeEmulator, database: Database
) -> None:
    emulator.set_fill_limit(SYMBOL, "0.003")
    order = await path.executor.submit(limit(Side.BUY, "0.01", "30010.01"))
    assert order.status is OrderStatus.PARTIALLY_FILLED  # 0.003 taken at 30000 on arrival
    averages = []
    for price in ("30005", "30001.37", "29999.99"):
        emulator.set_price(SYMBOL, price)
        await path.tracker.poll_once()
        current = path.tracker.get(order.client_order_id)
        assert current is not None
        averages.append(current.average_price)
        venue = emulator.order(order.client_order_id)
        assert current.average_price == venue.cumulative_quote / venue.executed_qty
    assert averages[1] == D("270.06006") / D("0.009")  # not the float 30006.673333333332
    done = path.tracker.get(order.client_order_id)
    assert done is not None and done.status is OrderStatus.FILLED
    assert_matches_venue(done, emulator, database)
    portfolio = path.tracker.portfolio
    assert portfolio is not None
    assert portfolio.position(SYMBOL).average_entry == D("30007.007")
    assert portfolio.cash == emulator.balance("USDT")[0] - START_USDT


async def test_a_cancel_after_an_unseen_piece_books_that_piece_once(
    path: OrderPath, emulator: ExchangeEmulator, database: Database
) -> None:
    emulator.set_fill_limit(SYMBOL, "0.003")
    order = await path.executor.submit(limit(Side.BUY, "0.01", "29990.37"))
    emulator.set_price(SYMBOL, "29990")  # filled 0.003 on the venue; not polled yet
    emulator.reset_counters()
    result = await path.executor.cancel(order.client_order_id)
    assert (result.status, result.filled) == (OrderStatus.CANCELED, D("0.003"))
    assert emulator.calls("DELETE /api/v3/order") == 1
    assert_matches_venue(result, emulator, database)
    await path.tracker.poll_once()
    report = await path.reconciler.reconcile()
    assert (report.fills_added, report.alerts) == (0, ())
    portfolio = path.tracker.portfolio
    assert portfolio is not None
    assert portfolio.position(SYMBOL).quantity == D("0.003")
    assert portfolio.cash == emulator.balance("USDT")[0] - START_USDT
    assert emulator.balance("USDT")[1] == 0
    assert path.tracker.active() == []
