"""Reconciliation: after a crash the store is fixed from the exchange; mismatches raise alerts."""

from __future__ import annotations

from decimal import Decimal

from app.core.enums import OrderStatus, OrderType, Side
from app.core.events import Alert
from app.core.models import Order
from app.core.time import now_ms
from app.engine.executor import OrderRequest
from app.engine.order_path import OrderPath
from app.engine.reconciliation import NOT_RECEIVED
from app.storage.database import Database
from app.storage.repositories import AuditLog, FillRepository, OrderRepository
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


def pending(coid: str, side: Side = Side.BUY, amount: str = "0.01") -> Order:
    """The row the executor commits before sending (what a crash leaves behind)."""
    now = now_ms()
    return Order(
        coid,
        SYMBOL,
        side,
        OrderType.MARKET,
        D(amount),
        created_at=now,
        updated_at=now,
        correlation_id=f"corr-{coid}",
    )


async def test_order_the_exchange_never_received_is_marked_rejected_on_start(
    make_path: PathFactory, database: Database
) -> None:
    OrderRepository(database).upsert(VENUE, pending("cb-lost"))
    report = await make_path().start()
    assert report.rejected == ("cb-lost",)
    stored = OrderRepository(database).get("cb-lost")
    assert stored is not None
    assert (stored.status, stored.reason) == (OrderStatus.REJECTED, NOT_RECEIVED)
    (fix,) = AuditLog(database).query(kind="reconciliation_fix")
    assert fix.correlation_id == "corr-cb-lost"


async def test_order_accepted_before_a_crash_is_recovered_with_its_fill(
    make_path: PathFactory, emulator: ExchangeEmulator, database: Database
) -> None:
    OrderRepository(database).upsert(VENUE, pending("cb-sent", Side.SELL, "0.05"))
    sender = make_path().tracker.exchange  # the request left, then the process was killed
    await sender.create_order("cb-sent", SYMBOL, Side.SELL, OrderType.MARKET, D("0.05"))
    restarted = make_path()
    report = await restarted.start()
    assert report.fixed == ("cb-sent",)
    assert report.fills_added == 1
    stored = OrderRepository(database).get("cb-sent")
    assert stored is not None
    assert (stored.status, stored.filled) == (OrderStatus.FILLED, D("0.05"))
    assert stored.correlation_id == "corr-cb-sent"
    (fill,) = FillRepository(database).list(VENUE)
    assert fill.client_order_id == "cb-sent"
    assert restarted.tracker.portfolio is not None
    assert restarted.tracker.portfolio.position(SYMBOL).quantity == D("-0.05")
    assert emulator.calls("POST /api/v3/order") == 1


async def test_open_orders_placed_outside_the_app_are_adopted(
    path: OrderPath, make_path: PathFactory, emulator: ExchangeEmulator
) -> None:
    outside = make_path().tracker.exchange
    await outside.create_order("web-1", SYMBOL, Side.BUY, OrderType.LIMIT, D("0.01"), D(20000))
    report = await path.reconciler.reconcile()
    assert report.adopted == ("web-1",)
    adopted = path.tracker.get("web-1")
    assert adopted is not None
    assert adopted.status is OrderStatus.OPEN
    assert (await path.reconciler.reconcile()).adopted == ()


async def test_balances_follow_recorded_fills_and_unexplained_changes_raise_an_alert(
    path: OrderPath, emulator: ExchangeEmulator, database: Database
) -> None:
    events = EventLog(path.bus)
    await path.executor.submit(OrderRequest(SYMBOL, Side.BUY, OrderType.MARKET, D("0.01")))
    await path.executor.submit(OrderRequest(SYMBOL, Side.SELL, OrderType.MARKET, D("0.03")))
    explained = await path.reconciler.reconcile()
    assert explained.balances == ()
    assert explained.alerts == ()
    free_usdt = emulator.balance("USDT")[0]
    emulator.set_balance("USDT", free_usdt + D("0.5"))  # 0.005 %: reported, no alert
    small = await path.reconciler.reconcile()
    (difference,) = small.balances
    assert (difference.currency, difference.difference) == ("USDT", D("0.5"))
    assert small.alerts == ()
    emulator.set_balance("BTC", D("0.4"))  # 0.02 BTC missing: 5 % of the holding
    large = await path.reconciler.reconcile()
    assert [d.currency for d in large.balances] == ["BTC"]
    (alert,) = events.of(Alert)
    assert "BTC balance" in alert.message
    assert "0.48" in alert.message
    path.audit.flush()
    assert len(AuditLog(database).query(kind="reconciliation_alert")) == 1


async def test_an_order_final_in_the_store_but_not_on_the_exchange_raises_an_alert(
    path: OrderPath, make_path: PathFactory, database: Database
) -> None:
    events = EventLog(path.bus)
    outside = make_path().tracker.exchange
    placed = await outside.create_order(
        "cb-wrong", SYMBOL, Side.BUY, OrderType.LIMIT, D("0.01"), D(20000)
    )
    wrong = placed.with_changes(status=OrderStatus.FILLED, filled=D("0.01"), updated_at=now_ms())
    OrderRepository(database).upsert(VENUE, wrong)
    report = await path.reconciler.reconcile()
    (message,) = report.alerts
    assert "cb-wrong" in message
    assert "exchange reports 0" in message
    assert len(events.of(Alert)) == 1


async def test_an_order_recorded_as_not_received_that_lands_later_is_tracked_again(
    path: OrderPath, make_path: PathFactory, database: Database
) -> None:
    events = EventLog(path.bus)
    lost = pending("cb-late").with_changes(status=OrderStatus.REJECTED, reason=NOT_RECEIVED)
    path.tracker.apply(lost)
    outside = make_path().tracker.exchange  # the delayed request reaches the venue after all
    await outside.create_order("cb-late", SYMBOL, Side.BUY, OrderType.LIMIT, D("0.01"), D(20000))
    report = await path.reconciler.reconcile()
    assert report.fixed == ("cb-late",)
    revived = OrderRepository(database).get("cb-late")
    assert revived is not None
    assert revived.status is OrderStatus.OPEN
    assert revived.correlation_id == "corr-cb-late"
    (alert,) = events.of(Alert)
    assert "tracked again" in alert.message
