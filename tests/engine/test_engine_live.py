"""The engine in testnet mode over real ccxt against the local exchange emulator."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from app.config.paths import resolve_paths
from app.core.enums import OrderStatus, OrderType, Side, TradingMode
from app.core.events import CandleClosed, CandleUpdated, ConnectionStateChanged, Event
from app.engine.builder import build_engine
from app.engine.facade import EngineFacade
from app.engine.specs import StrategySpec
from app.engine.supervisor import WorkerHealth
from tests.emulator.emulator import ExchangeEmulator
from tests.engine.engine_harness import offline_settings
from tests.engine.order_fixtures import (
    emulator,
    exchange_emulator,
    exchange_emulator_factory,
    make_exchange,
)

__all__ = ["emulator", "exchange_emulator", "exchange_emulator_factory"]


def _wait(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def _engine(emulator: ExchangeEmulator) -> EngineFacade:
    base = offline_settings()
    settings = replace(
        base, general=replace(base.general, mode=TradingMode.TESTNET, symbols=("BTC/USDT",))
    )
    facade = build_engine(settings, resolve_paths(), exchange=make_exchange(emulator))
    facade._engine.parts.candle_poll = 0.1  # poll the emulator quickly
    return facade


def test_manual_order_on_the_venue_is_persisted_filled_and_booked(
    emulator: ExchangeEmulator,
) -> None:
    facade = _engine(emulator)
    try:
        facade.start().result(30)
        assert facade.mode is TradingMode.TESTNET
        order = facade.place_order("BTC/USDT", Side.BUY, OrderType.MARKET, Decimal("0.01")).result(
            30
        )
        assert order.status is OrderStatus.FILLED
        assert emulator.order(order.client_order_id).client_order_id == order.client_order_id
        _wait(lambda: len(facade.fills()) == 1)
        [position] = [p for p in facade.positions() if p.symbol == "BTC/USDT"]
        assert position.quantity == Decimal("0.01")
        assert position.average_entry == Decimal(30000)
    finally:
        facade.shutdown()


def test_closed_candles_reach_the_strategy_and_a_dropped_venue_is_reconnected(
    emulator: ExchangeEmulator,
) -> None:
    facade = _engine(emulator)
    seen: list[Event] = []
    try:
        spec = StrategySpec("sma_cross", "BTC/USDT", "5m", {"fast": 2, "slow": 3})
        facade.start_strategy(spec).result(10)
        facade.start().result(30)

        def seen_any(kind: type[CandleUpdated | CandleClosed]) -> Callable[[], bool]:
            def check() -> bool:
                seen.extend(facade.events.drain())
                return any(isinstance(e, kind) and e.timeframe == "5m" for e in seen)

            return check

        assert len(facade.candles("BTC/USDT", "1h")) > 100  # the watch-list chart history
        _wait(seen_any(CandleUpdated))  # the first poll marked where the history ends
        emulator.close_candle("BTC/USDT", "5m")
        _wait(seen_any(CandleClosed))
        emulator.inject("GET /api/v3/klines", "http_500", times=None)  # down until cleared

        def candle_workers() -> list[WorkerHealth]:
            return [h for n, h in facade.worker_health().items() if n.startswith("candles:")]

        _wait(lambda: any(h.restarts >= 1 for h in candle_workers()))
        emulator.clear_faults()

        crashed = [h for h in candle_workers() if h.restarts]
        assert crashed and all("unavailable" in (h.last_error or "") for h in crashed)
        _wait(lambda: all(h.status == "running" for h in candle_workers()))
        closes_before = sum(isinstance(e, CandleClosed) and e.timeframe == "5m" for e in seen)
        emulator.close_candle("BTC/USDT", "5m")

        def closed_again() -> bool:
            seen.extend(facade.events.drain())
            return sum(isinstance(e, CandleClosed) and e.timeframe == "5m" for e in seen) > (
                closes_before
            )

        _wait(closed_again, timeout=30)
        assert any(isinstance(e, ConnectionStateChanged) for e in seen)
        assert facade.strategies()[0].status == "running"
    finally:
        facade.shutdown()
