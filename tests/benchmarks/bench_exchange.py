"""Exchange layer: offline replay throughput and the ccxt adapter's per-call overhead.

1. A year of BTC/USDT 1h candles (5,482 bars, 49k events) replayed as fast as possible through
   the offline paper exchange with ten resting orders matched on every tick; the anchor is the
   bare replay feed (no exchange attached), so the ratio is what order matching costs.
2. ``fetch_ticker`` against the local emulator through ``CcxtExchange`` (mapping, retry
   wrapper, Decimal conversion) versus the raw ``ccxt.async_support`` client in the same run.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from decimal import Decimal

import ccxt.async_support as ccxt_async

from app.core.enums import OrderType, Side
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
