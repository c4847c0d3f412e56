"""EngineFacade on the real offline engine: commands, snapshots, kill switch, restart."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from app.config.paths import resolve_paths
from app.config.schema import Settings
from app.config.settings import database_url
from app.core.enums import BreakerState, OrderStatus, OrderType, Side
from app.core.errors import EngineError, RiskRejected
from app.core.events import EngineStateChanged, Event
from app.engine.facade import EngineFacade
from app.engine.specs import StrategySpec
from app.storage.database import Database
from app.storage.repositories import AuditLog
from tests.engine.engine_harness import PERMISSIVE_LIMITS, offline_engine, offline_settings

SLOW = 360_000.0  # one hour bar every 10 ms


def _wait(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def _drain(facade: EngineFacade) -> list[Event]:
    return facade.events.drain()


def test_engine_starts_stopped_and_refuses_orders_until_started(data_dir: Path) -> None:
    facade = offline_engine(offline_settings(speed=SLOW), data_dir)
    try:
        assert not facade.is_running()
        with pytest.raises(EngineError, match="start it first"):
            facade.place_order("BTC/USDT", Side.BUY, OrderType.MARKET, Decimal("0.01")).result(5)
        with pytest.raises(EngineError, match="no strategy"):
            facade.stop_strategy("nope").result(5)
    finally:
        facade.shutdown()
    assert not facade.is_running()


def test_manual_order_fills_and_every_snapshot_shows_it(data_dir: Path) -> None:
    facade = offline_engine(offline_settings(speed=SLOW), data_dir)
    try:
        facade.start().result(30)
        assert facade.is_running()
        assert any(isinstance(e, EngineStateChanged) and e.running for e in _drain(facade))
        assert "BTC/USDT" in facade.markets()
        assert facade.worker_health()["market_data"].status == "running"
        order = facade.place_order("BTC/USDT", Side.BUY, OrderType.MARKET, Decimal("0.01")).result(
            10
        )
        assert order.status is OrderStatus.OPEN and order.correlation_id
        _wait(lambda: any(f.client_order_id == order.client_order_id for f in facade.fills()))
        [fill] = facade.fills()
        assert fill.amount == Decimal("0.01") and fill.side is Side.BUY
        _wait(lambda: facade.orders()[-1].status is OrderStatus.FILLED)
        [position] = [p for p in facade.positions() if p.symbol == "BTC/USDT"]
        assert position.quantity == Decimal("0.01")
        _wait(lambda: facade.balances().get("BTC") is not None)
        assert facade.balances()["BTC"].total == Decimal("0.01")
        assert facade.pnl().fees_paid == fill.fee
        _wait(lambda: len(facade.candles("BTC/USDT", "1h")) > 2)
        candles = facade.candles("BTC/USDT", "1h", limit=2)
        assert len(candles) == 2 and str(candles["timestamp"].dtype) == "int64"
    finally:
        facade.shutdown()
    assert not facade.is_running()


def test_kill_switch_refuses_orders_until_reset_and_limits_can_change(data_dir: Path) -> None:
    facade = offline_engine(offline_settings(speed=SLOW), data_dir)
    try:
        facade.start().result(30)
        facade.engage_kill_switch("testing the switch").result(10)
        assert facade.breaker_states()["kill_switch"] is BreakerState.HALTED
        with pytest.raises(RiskRejected, match="kill switch"):
            facade.place_order("BTC/USDT", Side.BUY, OrderType.MARKET, Decimal("0.01")).result(5)
        facade.reset_breaker("kill_switch").result(5)
        assert facade.breaker_states()["kill_switch"] is BreakerState.ACTIVE
        facade.update_risk_limits(replace(PERMISSIVE_LIMITS, max_order_notional=Decimal(1))).result(
            5
        )
        assert facade.risk_limits().max_order_notional == Decimal(1)
        with pytest.raises(RiskRejected):
            facade.place_order("BTC/USDT", Side.BUY, OrderType.MARKET, Decimal("0.01")).result(5)
        assert facade.orders() == []
    finally:
        facade.shutdown()


def test_a_restart_restores_orders_fills_and_positions_exactly(data_dir: Path) -> None:
    settings = offline_settings()
    facade = offline_engine(settings, data_dir)
    sizing = {"kind": "fixed_quantity", "qty": "0.01"}
    spec = StrategySpec("sma_cross", "BTC/USDT", "1h", {"fast": 2, "slow": 3}, sizing)
    try:
        facade.start_strategy(spec).result(10)
        facade.start().result(30)
        _wait(lambda: len(facade.fills()) >= 5)
    finally:
        facade.shutdown()
    before_fills = facade.fills()
    before_positions = {p.symbol: p.quantity for p in facade.positions()}
    before_orders = {o.client_order_id: o.status for o in facade.orders()}

    again = offline_engine(settings, data_dir)
    try:
        again.start().result(30)
        assert again.fills() == before_fills
        assert {p.symbol: p.quantity for p in again.positions()} == before_positions
        restored = {o.client_order_id: o.status for o in again.orders()}
        assert restored.keys() == before_orders.keys()
        assert all(status.is_terminal for status in restored.values())
        assert again.pnl().fees_paid == sum((f.fee for f in before_fills), Decimal(0))
    finally:
        again.shutdown()


def test_kill_switch_cancels_open_orders_and_closes_positions_when_configured(
    data_dir: Path,
) -> None:
    limits = replace(PERMISSIVE_LIMITS, close_positions_on_kill=True)
    facade = offline_engine(offline_settings(speed=SLOW, limits=limits), data_dir)
    try:
        facade.start().result(30)
        bought = facade.place_order("BTC/USDT", Side.BUY, OrderType.MARKET, Decimal("0.02"))
        bought.result(10)
        _wait(lambda: len(facade.fills()) == 1)
        last = facade.fills()[0].price
        resting = facade.place_order(
            "BTC/USDT",
            Side.BUY,
            OrderType.LIMIT,
            Decimal("0.01"),
            (last * Decimal("0.97")).quantize(Decimal("0.01")),
        ).result(10)
        assert resting.status is OrderStatus.OPEN
        facade.engage_kill_switch("market went wild").result(10)
        _wait(lambda: len(facade.fills()) == 2)
        by_id = {o.client_order_id: o for o in facade.orders()}
        assert by_id[resting.client_order_id].status is OrderStatus.CANCELED
        sell = facade.fills()[1]
        assert (sell.side, sell.amount) == (Side.SELL, Decimal("0.02"))
        _wait(lambda: all(p.quantity == 0 for p in facade.positions()))
        assert facade.breaker_states()["kill_switch"] is BreakerState.HALTED
    finally:
        facade.shutdown()


def test_stop_then_start_again_keeps_the_books_single_and_the_audit_trail(
    data_dir: Path,
) -> None:
    facade = offline_engine(offline_settings(speed=SLOW), data_dir)
    try:
        facade.start().result(30)
        first = facade.place_order("BTC/USDT", Side.BUY, OrderType.MARKET, Decimal("0.01"))
        first.result(10)
        _wait(lambda: len(facade.fills()) == 1)
        facade.stop().result(30)
        assert not facade.is_running()
        facade.start().result(30)
        assert facade.is_running()
        [position] = [p for p in facade.positions() if p.symbol == "BTC/USDT"]
        assert position.quantity == Decimal("0.01")
        _wait(lambda: facade.pnl().exposure > 0)
        assert facade.pnl().fees_paid == facade.fills()[0].fee
        _wait(lambda: facade.worker_health()["market_data"].status == "running")
        second = facade.place_order("BTC/USDT", Side.SELL, OrderType.MARKET, Decimal("0.01"))
        second.result(10)
        _wait(lambda: len(facade.fills()) == 2)
    finally:
        facade.shutdown()
    database = Database(database_url(Settings(), resolve_paths()))
    try:
        log = AuditLog(database)
        submitted = log.query(kind="order_submitting")
        fills = log.query(kind="fill")
    finally:
        database.dispose()
    assert len(submitted) == 2 and len(fills) == 2
