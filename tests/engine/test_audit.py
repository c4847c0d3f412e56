"""Audit writer: bus events become append-only records with correlation ids, never secrets."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import pytest

from app.core.enums import BreakerState, OrderStatus, OrderType, RiskVerdict, Side, SignalAction
from app.core.events import (
    Alert,
    BreakerStateChanged,
    FillReceived,
    OrderUpdated,
    RiskDecision,
    SignalGenerated,
    TickerUpdated,
)
from app.core.models import Fill, Order, Signal
from app.engine.audit import AuditWriter
from app.engine.bus import EventBus
from app.observability.redaction import forget_secret, register_secret
from app.storage.database import Database
from app.storage.repositories import AuditLog
from tests.engine.order_fixtures import make_database

D = Decimal
CID = "corr-42"


@pytest.fixture()
def database(tmp_path: Path) -> Database:
    return make_database(tmp_path / "audit.db")


@pytest.fixture()
def log(database: Database) -> AuditLog:
    return AuditLog(database)


@pytest.fixture()
def bus() -> EventBus:
    return EventBus()


@pytest.fixture()
def writer(database: Database, bus: EventBus) -> AuditWriter:
    audit = AuditWriter(database, batch_size=50, clock=lambda: 1_000)
    audit.attach(bus)
    return audit


def decision_chain() -> list[object]:
    signal = Signal(
        "s1", "BTC/USDT", SignalAction.ENTER_LONG, 10, D("30000.10"), correlation_id=CID
    )
    order = Order(
        "cb-1",
        "BTC/USDT",
        Side.BUY,
        OrderType.MARKET,
        D("0.010"),
        status=OrderStatus.FILLED,
        filled=D("0.010"),
        correlation_id=CID,
    )
    fill = Fill("t1", "cb-1", "BTC/USDT", Side.BUY, D("30000.10"), D("0.010"), D("0.3"), "USDT", 12)
    return [
        SignalGenerated(timestamp=10, signal=signal),
        RiskDecision(
            timestamp=11,
            rule="max_position",
            verdict=RiskVerdict.RESIZE,
            reason="capped",
            symbol="BTC/USDT",
            correlation_id=CID,
            original_amount=D("0.02"),
            amount=D("0.010"),
        ),
        OrderUpdated(timestamp=12, order=order),
        FillReceived(timestamp=12, fill=fill, correlation_id=CID),
    ]


def test_a_decision_chain_is_recorded_under_one_correlation_id(
    writer: AuditWriter, bus: EventBus, log: AuditLog
) -> None:
    for event in decision_chain():
        bus.publish(event)  # type: ignore[arg-type]
    bus.publish(TickerUpdated(timestamp=13, exchange="binance", symbol="BTC/USDT", last=D(1)))
    assert log.query() == []  # buffered until flushed
    assert writer.flush() == 4
    records = log.query(correlation_id=CID)
    assert [r.kind for r in records] == ["signal", "risk_decision", "order_update", "fill"]
    assert records[0].payload["price"] == "30000.10"
    assert records[1].payload["amount"] == "0.010"
    assert records[2].payload["status"] == "filled"
    assert "filled 0.010" in records[2].message
    assert records[3].payload["trade_id"] == "t1"


def test_breakers_and_alerts_are_recorded(
    writer: AuditWriter, bus: EventBus, log: AuditLog
) -> None:
    bus.publish(
        BreakerStateChanged(
            timestamp=5,
            breaker="exchange:binance",
            old_state=BreakerState.ACTIVE,
            new_state=BreakerState.HALTED,
            reason="open: 60% failed",
            scope="exchange",
        )
    )
    bus.publish(Alert(timestamp=6, level="error", title="Mismatch", message="USDT off by 5"))
    writer.flush()
    breaker, alert = log.query()
    assert (breaker.kind, breaker.component) == ("breaker", "exchange")
    assert "active -> halted" in breaker.message
    assert alert.kind == "alert"
    assert alert.message == "error: Mismatch: USDT off by 5"


def test_secrets_never_reach_the_log(writer: AuditWriter, log: AuditLog) -> None:
    secret = "s3cr3t-api-key-value-123456"
    register_secret(secret)
    try:
        writer.record(
            "order_reply",
            f"binance said: invalid key {secret}",
            payload={"apiKey": "abc", "detail": f"url?signature=1&key={secret}"},
        )
        writer.flush()
    finally:
        forget_secret(secret)
    (record,) = log.query()
    assert secret not in record.message
    assert secret not in str(record.payload)
    assert record.payload["apiKey"] != "abc"


def test_write_now_is_durable_and_keeps_order(writer: AuditWriter, log: AuditLog) -> None:
    writer.record("first", "buffered")
    writer.write_now("order_submitting", "now", correlation_id=CID)
    assert [r.kind for r in log.query()] == ["first", "order_submitting"]
    assert writer.pending == 0


def test_a_full_batch_is_written_without_waiting(database: Database, log: AuditLog) -> None:
    audit = AuditWriter(database, batch_size=3)
    audit.record("a", "1")
    audit.record("b", "2")
    assert log.query() == []
    audit.record("c", "3")
    assert [r.kind for r in log.query()] == ["a", "b", "c"]


async def test_worker_flushes_periodically_and_on_shutdown(
    writer: AuditWriter, bus: EventBus, log: AuditLog
) -> None:
    task = asyncio.create_task(writer.run(interval=0.01))
    writer.record("periodic", "tick")
    for _ in range(100):
        if log.query():
            break
        await asyncio.sleep(0.01)
    assert [r.kind for r in log.query()] == ["periodic"]
    writer.record("last", "before shutdown")
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert [r.kind for r in log.query()] == ["periodic", "last"]


def test_close_flushes_and_detaches(writer: AuditWriter, bus: EventBus, log: AuditLog) -> None:
    bus.publish(Alert(timestamp=1, level="warning", title="t", message="m"))
    writer.close()
    bus.publish(Alert(timestamp=2, level="warning", title="t", message="after close"))
    writer.flush()
    assert [r.ts for r in log.query()] == [1]
