"""Engine latency and event-bus throughput.

1. Candle close -> order request handed to the exchange adapter: the real offline engine
   (replay driver, risk manager, executor persisting to SQLite, paper exchange) runs sma_cross
   (fast 2, slow 3: a cross every few bars) on btc_usdt_1h.csv at full speed. The time runs
   from the moment the CandleClosed event is published to the moment ``create_order`` of the
   exchange is entered (a recording wrapper on the paper exchange), for every close that
   produced an order. p50 and p99; goal p99 < 5 ms. The anchor is the strategy's own
   ``generate_signals`` on the same 1,000-bar window, the floor of the path. A second pair of
   figures stops the clock where the executor is entered (signals, sizing and risk done), so
   the rest is the executor persisting the order and its audit record before sending.
2. Events through the bus per second: TickerUpdated / CandleUpdated / OrderUpdated published to
   three subscribers (candle book, read model, the UI's CoalescingQueue), as the engine wires
   them. Goal >= 20,000/s. The anchor calls the same three handlers directly (no bus).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pandas as pd

from app.core.enums import OrderType, Side
from app.core.events import CandleClosed, CandleUpdated, Event, OrderUpdated, TickerUpdated
from app.core.models import Candle, Order
from app.engine.bus import CoalescingQueue, EventBus
from app.engine.candle_book import CandleBook
from app.engine.executor import OrderRequest
from app.engine.read_model import ReadModel
from app.engine.specs import StrategySpec
from app.strategies import default_registry
from tests.benchmarks.runner import Report
from tests.conftest import shared_data_dir
from tests.engine.engine_harness import offline_engine, offline_settings, wait_for_replay

GOAL_P99_MS = 5.0
GOAL_EVENTS_PER_S = 20_000.0
BUS_EVENTS = 200_000


def _percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))
    return ordered[index]


def _close_to_order(report: Report) -> None:
    import os

    previous_home = os.environ.get("CRYPTOBOT_HOME")
    os.environ["CRYPTOBOT_HOME"] = tempfile.mkdtemp(prefix="bench-engine-")
    data = shared_data_dir()
    facade = offline_engine(offline_settings(), data, window=1000)
    engine = facade._engine  # the benchmark instruments the engine's internals
    paper = engine.parts.paper
    assert paper is not None
    closed_at: list[float] = []
    latencies: list[float] = []
    decided: list[float] = []
    create_order = paper.create_order
    executor = engine.parts.executor
    submit = executor.submit

    async def recording_submit(request: OrderRequest) -> Order:
        decided.append(time.perf_counter() - closed_at[-1])
        return await submit(request)

    executor.submit = recording_submit  # type: ignore[method-assign]

    async def recording_create_order(*args: Any, **kwargs: Any) -> Order:
        latencies.append(time.perf_counter() - closed_at[-1])
        return await create_order(*args, **kwargs)

    paper.create_order = recording_create_order  # type: ignore[method-assign]
    engine.bus.subscribe(CandleClosed, lambda _event: closed_at.append(time.perf_counter()))
    spec = StrategySpec(
        "sma_cross",
        "BTC/USDT",
        "1h",
        {"fast": 2, "slow": 3},
        {"kind": "fixed_quantity", "qty": "0.01"},
    )
    try:
        facade.start_strategy(spec).result(10)
        facade.start().result(30)
        wait_for_replay(facade, 600)
    finally:
        facade.shutdown()
        if previous_home is None:
            os.environ.pop("CRYPTOBOT_HOME", None)
        else:
            os.environ["CRYPTOBOT_HOME"] = previous_home
    ms = [value * 1000 for value in latencies]
    window = pd.read_csv(data / "btc_usdt_1h.csv").iloc[:1000]
    strategy = default_registry().create("sma_cross", {"fast": 2, "slow": 3})
    anchor = []
    for _ in range(200):
        started = time.perf_counter()
        strategy.generate_signals(window)
        anchor.append((time.perf_counter() - started) * 1000)
    anchor_ms = statistics.median(anchor)
    note = f"{len(ms)} orders over {len(closed_at)} closes; anchor = generate_signals on 1,000 bars"
    decision = [value * 1000 for value in decided]
    report.figure(
        "candle close -> executor.submit p50 (decision part)",
        statistics.median(decision),
        "ms",
        anchor=anchor_ms,
        note="signals, sizing and risk; the rest is persisting the order and its audit record",
    )
    report.figure(
        "candle close -> executor.submit p99 (decision part)",
        _percentile(decision, 99),
        "ms",
        anchor=anchor_ms,
    )
    report.figure(
        "candle close -> create_order p50", statistics.median(ms), "ms", anchor=anchor_ms, note=note
    )
    report.figure(
        "candle close -> create_order p99",
        _percentile(ms, 99),
        "ms",
        goal=GOAL_P99_MS,
        anchor=anchor_ms,
        note=note,
    )


def _events() -> list[Event]:
    events: list[Event] = []
    for i in range(BUS_EVENTS):
        symbol = ("BTC/USDT", "ETH/USDT", "SOL/USDT")[i % 3]
        kind = i % 10
        if kind < 6:
            events.append(
                TickerUpdated(timestamp=i, exchange="x", symbol=symbol, last=Decimal(100 + i % 50))
            )
        elif kind < 9:
            candle = Candle(i - i % 60, 1.0, 2.0, 0.5, 1.5, 10.0)
            events.append(
                CandleUpdated(
                    timestamp=i, exchange="x", symbol=symbol, timeframe="1m", candle=candle
                )
            )
        else:
            order = Order(
                f"cb-{i % 200}", symbol, Side.BUY, OrderType.LIMIT, Decimal(1), Decimal(100)
            )
            events.append(OrderUpdated(timestamp=i, order=order))
    return events


def _bus_throughput(report: Report) -> None:
    events = _events()

    def through_bus() -> float:
        bus = EventBus()
        queue = CoalescingQueue()
        book, view = CandleBook(), ReadModel()
        bus.subscribe(Event, queue.put)
        bus.subscribe(Event, view.on_event)
        bus.subscribe(TickerUpdated, book.on_event)
        bus.subscribe(CandleUpdated, book.on_event)
        started = time.perf_counter()
        for event in events:
            bus.publish(event)
            if len(queue) > 1000:
                queue.drain()
        return len(events) / (time.perf_counter() - started)

    def direct() -> float:
        queue = CoalescingQueue()
        book, view = CandleBook(), ReadModel()
        handlers: list[Callable[[Event], None]] = [queue.put, view.on_event, book.on_event]
        started = time.perf_counter()
        for event in events:
            for handler in handlers:
                handler(event)
            if len(queue) > 1000:
                queue.drain()
        return len(events) / (time.perf_counter() - started)

    rates = []
    anchors = []
    for _ in range(3):
        rates.append(through_bus())
        anchors.append(direct())
    report.figure(
        "events through the bus",
        statistics.median(rates),
        "events/s",
        goal=GOAL_EVENTS_PER_S,
        anchor=statistics.median(anchors),
        note=f"{BUS_EVENTS:,} events, 3 subscribers + UI queue; anchor = handlers called directly",
        lower_is_better=False,
    )


def run(report: Report) -> None:
    """Measure close-to-order latency and bus throughput."""
    _close_to_order(report)
    _bus_throughput(report)
