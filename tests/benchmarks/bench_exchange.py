"""Exchange layer: offline replay throughput and the ccxt adapter's per-call overhead.

1. A year of BTC/USDT 1h candles (5,482 bars, 49k events) replayed as fast as possible through
   the offline paper exchange with ten resting orders matched on every tick; the anchor is the
   bare replay feed (no exchange attached), so the ratio is what order matching costs.
2. ``fetch_ticker`` against the local emulator through ``CcxtExchange`` (mapping, retry
   wrapper, Decimal conversion) versus the raw ``ccxt.async_support`` client in the same run.
3. Candle close latency: from the emulator closing a 1h bar to ``CandleClosed`` reaching the
   candle sink, websocket klines versus REST polling every second (the shortest default
   poll), both feeds watching the same bars in the same run.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from decimal import Decimal

import ccxt.async_support as ccxt_async

from app.core.enums import OrderType, Side
from app.core.events import CandleClosed
from app.engine.market_data import LiveMarketData
from app.exchange.ccxt_adapter import CcxtExchange
from app.exchange.factory import open_offline_exchange
from app.exchange.paper_ledger import InMemoryLedger
from app.exchange.replay import ReplayFeed
from app.exchange.replay_data import ReplaySeries, load_csv_series
from tests.benchmarks.runner import Report, median_time
from tests.conftest import shared_data_dir
from tests.emulator.emulator import ExchangeEmulator

TICKER_CALLS = 200
GOAL_REPLAY_S = 1.0
GOAL_OVERHEAD_MS = 1.0
CLOSES = 12
CLOSE_GAP_S = 1.37  # not a multiple of the poll interval, so closes land at every poll phase
GOAL_WS_CLOSE_MS = 100.0


async def _replay_with_orders(series: ReplaySeries) -> None:
    feed = ReplayFeed([series])
    paper = await open_offline_exchange(
        feed, InMemoryLedger(), initial_balances={"USDT": Decimal(1_000_000)}
    )
    for index in range(10):
        price = Decimal(1000 + index)
        await paper.create_order(
            f"rest-{index}", "BTC/USDT", Side.BUY, OrderType.LIMIT, Decimal("0.01"), price
        )
    await feed.run()


async def _replay_bare(series: ReplaySeries) -> None:
    await ReplayFeed([series]).run()


async def _ticker_latencies(emulator: ExchangeEmulator) -> tuple[float, float]:
    config = emulator.ccxt_config()
    adapter = CcxtExchange("binance", config)
    raw = ccxt_async.binance(config)
    try:
        await adapter.load_markets()
        await raw.load_markets()
        adapter_samples: list[float] = []
        raw_samples: list[float] = []
        for _ in range(TICKER_CALLS):  # interleaved so load affects both alike
            started = time.perf_counter()
            await raw.fetch_ticker("BTC/USDT")
            raw_samples.append(time.perf_counter() - started)
            started = time.perf_counter()
            await adapter.fetch_ticker("BTC/USDT")
            adapter_samples.append(time.perf_counter() - started)
    finally:
        await adapter.close()
        await raw.close()
    return statistics.median(adapter_samples) * 1000, statistics.median(raw_samples) * 1000


async def _close_latencies(emulator: ExchangeEmulator) -> tuple[list[float], list[float]]:
    """Seconds from each bar close on the emulator to the sink: (websocket, REST polling)."""
    config = emulator.ccxt_config()
    arrived: dict[str, list[float]] = {"ws": [], "rest": []}
    feeds = []
    for name, websocket in (("ws", True), ("rest", False)):
        exchange = CcxtExchange("binance", config, use_websocket=websocket)

        async def sink(event: CandleClosed, name: str = name) -> None:
            arrived[name].append(time.perf_counter())

        market = LiveMarketData(exchange, lambda event: None, sink, candle_poll=1.0)
        feeds.append((exchange, market))
    tasks = [asyncio.create_task(m.run_candles("BTC/USDT", "1h")) for _, m in feeds]
    closed_at: list[float] = []
    try:
        for _ in range(1000):
            if feeds[0][1].streaming("BTC/USDT", "1h"):
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(CLOSE_GAP_S)
        for _ in range(CLOSES):
            closed_at.append(time.perf_counter())
            await asyncio.to_thread(emulator.close_candle, "BTC/USDT", "1h")
            await asyncio.sleep(CLOSE_GAP_S)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for exchange, _ in feeds:
            await exchange.close()
    return (
        [end - start for start, end in zip(closed_at, arrived["ws"], strict=True)],
        [end - start for start, end in zip(closed_at, arrived["rest"], strict=True)],
    )


def _close_latency(report: Report) -> None:
    with ExchangeEmulator(data_dir=shared_data_dir()) as emulator:
        ws, rest = asyncio.run(_close_latencies(emulator))
    ws_ms = statistics.median(ws) * 1000
    rest_ms = statistics.median(rest) * 1000
    report.figure(
        "bar close -> CandleClosed, websocket klines, p50",
        ws_ms,
        "ms",
        goal=GOAL_WS_CLOSE_MS,
        anchor=rest_ms,
        note=(
            f"{CLOSES} closes on the emulator, real ccxt.pro; max {max(ws) * 1000:.1f} ms; "
            f"anchor: REST polling every 1 s in the same run (max {max(rest) * 1000:.0f} ms)"
        ),
    )


def run(report: Report) -> None:
    """Record the exchange figures."""
    series = load_csv_series(shared_data_dir() / "btc_usdt_1h.csv")
    events = len(series) * 9
    with_orders = median_time(lambda: asyncio.run(_replay_with_orders(series)), repeats=3)
    bare = median_time(lambda: asyncio.run(_replay_bare(series)), repeats=3)
    report.figure(
        "offline replay, 1 year of 1h bars, 10 resting orders",
        with_orders,
        "s",
        goal=GOAL_REPLAY_S,
        anchor=bare,
        note=f"{events:,} events, {events / with_orders:,.0f} events/s; anchor: feed alone",
    )
    with ExchangeEmulator(data_dir=None) as emulator:
        emulator.set_price("BTC/USDT", "30000")
        adapter_ms, raw_ms = asyncio.run(_ticker_latencies(emulator))
    report.figure(
        "fetch_ticker via CcxtExchange (emulator), median",
        adapter_ms,
        "ms",
        goal=raw_ms + GOAL_OVERHEAD_MS,
        anchor=raw_ms,
        note=f"anchor: raw ccxt.async_support client; {TICKER_CALLS} calls each",
    )
    _close_latency(report)
