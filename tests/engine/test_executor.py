"""Order executor against the exchange emulator: persisted first, sent once, every outcome kept."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from app.core.enums import OrderStatus, OrderType, Side
from app.core.errors import RiskRejected
from app.core.events import FillReceived, OrderUpdated
from app.engine.exchange_breaker import CircuitState, ExchangeCircuitBreaker
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
POST_ORDER = "POST /api/v3/order"
GET_ORDER = "GET /api/v3/order"


def market(side: Side, amount: str, correlation_id: str | None = None) -> OrderRequest:
    return OrderRequest(SYMBOL, side, OrderType.MARKET, D(amount), correlation_id=correlation_id)


async def test_order_and_audit_record_are_stored_before_the_request_leaves(
    path: OrderPath, emulator: ExchangeEmulator, database: Database
) -> None:
    emulator.inject(POST_ORDER, "latency", ms=400)
    task = asyncio.create_task(path.executor.submit(market(Side.BUY, "0.01", "corr-1")))
    for _ in range(200):
        if emulator.calls(POST_ORDER):
            break
        await asyncio.sleep(0.005)
    (stored,) = OrderRepository(database).list_all(VENUE)
    assert stored.status is OrderStatus.PENDING_SUBMIT
    assert stored.correlation_id == "corr-1"
    (record,) = AuditLog(database).query(kind="order_submitting")
    assert record.correlation_id == "corr-1"
    assert record.payload["client_order_id"] == stored.client_order_id
    done = await task
    assert done.client_order_id == stored.client_order_id
    assert done.status is OrderStatus.FILLED


async def test_market_order_is_filled_and_booked_exactly_once(
    path: OrderPath, emulator: ExchangeEmulator, database: Database
) -> None:
    events = EventLog(path.bus)
    order = await path.executor.submit(market(Side.BUY, "0.01"))
    assert order.status is OrderStatus.FILLED
    assert order.filled == D("0.01")
    (fill,) = FillRepository(database).list(VENUE)
    assert fill.client_order_id == order.client_order_id
    assert fill.price == D(30000)
    assert fill.fee == D("0.3")
    # the same trades reported again change nothing
    assert await path.tracker.sync_fills(SYMBOL, 0) == []
    assert await path.tracker.poll_once() == 0
    assert len(events.of(FillReceived)) == 1
    assert path.tracker.portfolio is not None
    position = path.tracker.portfolio.position(SYMBOL)
    assert position.quantity == D("0.01")
    assert path.tracker.portfolio.cash == D(-300) - D("0.3")
    assert emulator.calls(POST_ORDER) == 1
    statuses = [e.order.status for e in events.of(OrderUpdated)]
    assert statuses == [OrderStatus.PENDING_SUBMIT, OrderStatus.FILLED]


async def test_timeout_after_acceptance_is_resolved_by_client_id_not_resent(
    path: OrderPath, emulator: ExchangeEmulator, database: Database
) -> None:
    emulator.inject(POST_ORDER, "timeout_after_accept", delay_ms=3000)
    order = await path.executor.submit(market(Side.BUY, "0.01"))
    assert order.status is OrderStatus.FILLED
    assert emulator.calls(POST_ORDER) == 1
    assert list(emulator.snapshot().orders) == [order.client_order_id]
    assert len(FillRepository(database).list(VENUE)) == 1


async def test_unknown_outcome_is_kept_unknown_then_reconciled_without_resending(
    path: OrderPath, emulator: ExchangeEmulator, database: Database
) -> None:
    emulator.inject(POST_ORDER, "timeout_after_accept", mode="drop")
    emulator.inject(GET_ORDER, "http_503", times=3)
    order = await path.executor.submit(market(Side.SELL, "0.02"))
    assert order.status is OrderStatus.UNKNOWN
    assert OrderRepository(database).get(order.client_order_id).status is OrderStatus.UNKNOWN
    report = await path.reconciler.reconcile()
    assert report.fixed == (order.client_order_id,)
    assert report.fills_added == 1
    resolved = path.tracker.get(order.client_order_id)
    assert resolved is not None
    assert resolved.status is OrderStatus.FILLED
    assert resolved.correlation_id == order.correlation_id
    assert emulator.calls(POST_ORDER) == 1
    assert [f.amount for f in FillRepository(database).list(VENUE)] == [D("0.02")]


async def test_request_lost_before_acceptance_is_rejected_as_never_placed(
    path: OrderPath, emulator: ExchangeEmulator
) -> None:
    emulator.inject(POST_ORDER, "timeout_before_accept", mode="drop")
    order = await path.executor.submit(market(Side.BUY, "0.01"))
    assert order.status is OrderStatus.REJECTED
    assert "never placed" in (order.reason or "")
    assert emulator.snapshot().orders == {}


async def test_not_received_only_after_the_exchange_positively_says_unknown_order(
    path: OrderPath, emulator: ExchangeEmulator
) -> None:
    emulator.inject(POST_ORDER, "timeout_before_accept", mode="drop")
    emulator.inject(GET_ORDER, "http_503", times=3 + 3)  # adapter lookups, then one reconcile
    order = await path.executor.submit(market(Side.BUY, "0.01"))
    assert order.status is OrderStatus.UNKNOWN
    first = await path.reconciler.reconcile()
    assert order.client_order_id in first.unresolved
    assert path.tracker.get(order.client_order_id).status is OrderStatus.UNKNOWN
    second = await path.reconciler.reconcile()
    assert second.rejected == (order.client_order_id,)
    rejected = path.tracker.get(order.client_order_id)
    assert rejected.status is OrderStatus.REJECTED
    assert rejected.reason == NOT_RECEIVED
    assert emulator.calls(POST_ORDER) == 1


async def test_refused_order_is_rejected_with_the_exchange_reason(
    path: OrderPath, emulator: ExchangeEmulator
) -> None:
    order = await path.executor.submit(market(Side.BUY, "5"))
    assert order.status is OrderStatus.REJECTED
    assert "balance" in (order.reason or "").lower()
    assert path.breaker.state is CircuitState.CLOSED


async def test_open_breaker_refuses_without_storing_or_sending(
    make_path: PathFactory, emulator: ExchangeEmulator, database: Database
) -> None:
    breaker = ExchangeCircuitBreaker("binance", min_samples=2, error_rate=0.5, cooldown=60)
    order_path = make_path(breaker=breaker)
    await order_path.start()
    emulator.inject(POST_ORDER, "http_429", times=2, retry_after=0)
    for _ in range(2):
        throttled = await order_path.executor.submit(market(Side.BUY, "0.01"))
        assert throttled.status is OrderStatus.REJECTED
    assert breaker.state is CircuitState.OPEN
    with pytest.raises(RiskRejected, match="circuit breaker"):
        await order_path.executor.submit(market(Side.BUY, "0.01"))
    assert emulator.calls(POST_ORDER) == 2
    assert len(OrderRepository(database).list_all(VENUE)) == 2


async def test_cancel_and_cancel_all_include_orders_placed_outside_the_app(
    path: OrderPath, make_path: PathFactory, emulator: ExchangeEmulator
) -> None:
    limit = OrderRequest(SYMBOL, Side.BUY, OrderType.LIMIT, D("0.01"), D(25000))
    first = await path.executor.submit(limit)
    second = await path.executor.submit(limit)
    assert first.status is OrderStatus.OPEN
    cancelled = await path.executor.cancel(first.client_order_id)
    assert cancelled.status is OrderStatus.CANCELED
    outside = make_path().tracker.exchange
    await outside.create_order("manual-1", SYMBOL, Side.SELL, OrderType.LIMIT, D("0.01"), D(40000))
    results = await path.executor.cancel_all()
    assert {o.client_order_id: o.status for o in results} == {
        second.client_order_id: OrderStatus.CANCELED,
        "manual-1": OrderStatus.CANCELED,
    }
    assert emulator.snapshot().balances["USDT"][1] == 0


async def test_a_submission_interrupted_in_flight_is_unknown_until_reconciled(
    path: OrderPath, emulator: ExchangeEmulator, database: Database
) -> None:
    emulator.inject(POST_ORDER, "timeout_after_accept", delay_ms=400)
    task = asyncio.create_task(path.executor.submit(market(Side.BUY, "0.01")))
    for _ in range(200):
        if emulator.calls(POST_ORDER):
            break
        await asyncio.sleep(0.005)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    (interrupted,) = OrderRepository(database).list_all(VENUE)
    assert interrupted.status is OrderStatus.UNKNOWN
    assert "interrupted" in (interrupted.reason or "")
    report = await path.reconciler.reconcile()
    assert report.fixed == (interrupted.client_order_id,)
    assert OrderRepository(database).get(interrupted.client_order_id).status is OrderStatus.FILLED
    assert emulator.calls(POST_ORDER) == 1


async def test_cancel_all_waits_for_a_submission_in_flight_and_cancels_it(
    path: OrderPath, emulator: ExchangeEmulator
) -> None:
    emulator.inject(POST_ORDER, "latency", ms=300)
    limit = OrderRequest(SYMBOL, Side.SELL, OrderType.LIMIT, D("0.01"), D(35000))
    submitting = asyncio.create_task(path.executor.submit(limit))
    for _ in range(200):
        if emulator.calls(POST_ORDER):
            break
        await asyncio.sleep(0.005)
    (cancelled,) = await path.executor.cancel_all()
    placed = await submitting
    assert placed.status is OrderStatus.OPEN  # the reply arrived before the cancel went out
    assert cancelled.client_order_id == placed.client_order_id
    assert cancelled.status is OrderStatus.CANCELED
    assert emulator.order(placed.client_order_id).status == "CANCELED"
