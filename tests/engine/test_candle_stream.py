"""Websocket candles in the engine: real ccxt.pro against the emulator, REST as safety net."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import pytest

from app.core.events import CandleClosed, CandleUpdated, ConnectionStateChanged, Event
from app.engine.market_data import LiveMarketData
from app.exchange.ccxt_adapter import CcxtExchange
from tests.emulator import fixtures as emulator_fixtures
from tests.emulator.emulator import ExchangeEmulator

exchange_emulator = emulator_fixtures.exchange_emulator
exchange_emulator_factory = emulator_fixtures.exchange_emulator_factory

SYMBOL = "BTC/USDT"
TIMEFRAME = "1h"
HOUR = 3_600_000
KLINES = "GET /api/v3/klines"


@dataclass
class Feed:
    """LiveMarketData over the ccxt adapter, its events and the closes the sink received."""

    market: LiveMarketData
    emulator: ExchangeEmulator
    events: list[Event] = field(default_factory=list)
    sunk: list[CandleClosed] = field(default_factory=list)

    def closed(self) -> list[int]:
        return [event.candle.timestamp for event in self.sunk]

    def states(self) -> list[ConnectionStateChanged]:
        return [e for e in self.events if isinstance(e, ConnectionStateChanged)]

    async def close_bar(self, price: str) -> None:
        """Close the forming bar on the emulator, then trade at ``price`` in the next one."""
        await asyncio.to_thread(self.emulator.close_candle, SYMBOL, TIMEFRAME)
        await asyncio.to_thread(self.emulator.set_price, SYMBOL, price)


async def until(condition: Callable[[], bool], within: float = 5.0) -> None:
    """Wait until ``condition()`` holds (fails the test after ``within`` seconds)."""
    async with asyncio.timeout(within):
        while True:
            if condition():
                return
            await asyncio.sleep(0.01)


MakeFeed = Callable[..., Feed]


@pytest.fixture()
async def make_feed(exchange_emulator: ExchangeEmulator) -> AsyncIterator[MakeFeed]:
    """Build a Feed over a fresh ccxt adapter (options go to LiveMarketData)."""
    exchanges: list[CcxtExchange] = []

    def make(**options: object) -> Feed:
        exchange = CcxtExchange("binance", exchange_emulator.ccxt_config(timeout=1200))
        exchanges.append(exchange)
        sunk: list[CandleClosed] = []

        async def sink(event: CandleClosed) -> None:
            sunk.append(event)

        events: list[Event] = []
        settings: dict[str, object] = {
            "candle_poll": 0.05,
            "stream_silence": 30.0,
            "stream_retry": (0.3, 0.6),
            "update_gap": 0.0,
        }
        settings.update(options)
        market = LiveMarketData(exchange, events.append, sink, **settings)  # type: ignore[arg-type]
        return Feed(market, exchange_emulator, events, sunk)

    yield make
    for exchange in exchanges:
        await exchange.close()


@pytest.fixture()
def feed(make_feed: MakeFeed) -> Feed:
    return make_feed()


@pytest.fixture()
async def running(feed: Feed) -> AsyncIterator[Feed]:
    """The candle worker running, with its websocket session live."""
    task = asyncio.create_task(feed.market.run_candles(SYMBOL, TIMEFRAME))
    await until(lambda: feed.market.streaming(SYMBOL, TIMEFRAME))
    yield feed
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def _rest_bars(emulator: ExchangeEmulator, since: int, count: int) -> list[tuple[int, float]]:
    """(open time, close) of closed bars as the venue's REST endpoint serves them."""
    import ccxt

    client = ccxt.binance(emulator.ccxt_config(timeout=1200))
    rows = client.fetch_ohlcv(SYMBOL, TIMEFRAME, since, count)
    return [(int(row[0]), float(row[4])) for row in rows]


async def test_closes_arrive_over_the_websocket_without_polling_klines(running: Feed) -> None:
    first = running.market.last_closed(SYMBOL, TIMEFRAME)
    assert first is not None
    running.emulator.reset_counters()
    for k, price in enumerate(("31000.00", "31100.50", "30950.25")):
        await running.close_bar(price)
        await until(lambda k=k: len(running.sunk) == k + 1)
    assert running.closed() == [first + HOUR, first + 2 * HOUR, first + 3 * HOUR]
    assert running.emulator.calls(KLINES) == 0
    served = await asyncio.to_thread(_rest_bars, running.emulator, first + HOUR, 3)
    assert [(e.candle.timestamp, e.candle.close) for e in running.sunk] == served
    assert [e.candle.close for e in running.sunk][1:] == [31000.0, 31100.5]

    def forming() -> list[tuple[int, float]]:
        updates = [e.candle for e in running.events if isinstance(e, CandleUpdated)]
        return [(c.timestamp, c.close) for c in updates]

    await until(lambda: forming()[-1] == (first + 4 * HOUR, 30950.25))
    closes = [e for e in running.events if isinstance(e, CandleClosed)]
    assert [e.candle for e in closes] == [e.candle for e in running.sunk]


async def test_each_bar_closes_once_across_a_dropped_websocket(running: Feed) -> None:
    first = running.market.last_closed(SYMBOL, TIMEFRAME)
    assert first is not None
    await running.close_bar("31000.00")
    await until(lambda: len(running.sunk) == 1)
    running.emulator.reset_counters()
    assert await asyncio.to_thread(running.emulator.drop_websockets) >= 1
    await asyncio.to_thread(running.emulator.close_candle, SYMBOL, TIMEFRAME)  # missed by ws
    await asyncio.to_thread(running.emulator.close_candle, SYMBOL, TIMEFRAME)
    await until(lambda: len(running.sunk) == 3)
    assert running.emulator.calls(KLINES) >= 1  # the missed bars came over REST
    await until(lambda: running.market.streaming(SYMBOL, TIMEFRAME))
    running.emulator.reset_counters()
    await running.close_bar("30500.00")
    await until(lambda: len(running.sunk) == 4)
    await running.close_bar("30600.00")
    await until(lambda: len(running.sunk) == 5)
    assert running.closed() == [first + HOUR * k for k in range(1, 6)]
    assert running.emulator.calls(KLINES) == 0
    served = await asyncio.to_thread(_rest_bars, running.emulator, first + HOUR, 5)
    assert [(e.candle.timestamp, e.candle.close) for e in running.sunk] == served


async def test_a_refused_websocket_falls_back_to_polling_and_recovers(
    feed: Feed, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="app.engine.market_data")
    feed.emulator.inject("WS", "drop_websocket", times=None)
    task = asyncio.create_task(feed.market.run_candles(SYMBOL, TIMEFRAME))
    try:
        await until(lambda: any("degraded" in s.detail for s in feed.states()))
        first = feed.market.last_closed(SYMBOL, TIMEFRAME)
        assert first is not None
        assert not feed.market.streaming(SYMBOL, TIMEFRAME)
        await asyncio.to_thread(feed.emulator.close_candle, SYMBOL, TIMEFRAME)
        await until(lambda: len(feed.sunk) == 1)
        assert feed.closed() == [first + HOUR]
        assert feed.emulator.calls(KLINES) >= 2
        await until(lambda: feed.emulator.calls("WS SUBSCRIBE") >= 3)  # retried with backoff
        feed.emulator.clear_faults()
        await until(lambda: feed.market.streaming(SYMBOL, TIMEFRAME))
        await until(lambda: feed.states()[-1].detail == "")
        assert feed.states()[-1].connected
        feed.emulator.reset_counters()
        await feed.close_bar("31000.00")
        await until(lambda: len(feed.sunk) == 2)
        assert feed.closed() == [first + HOUR, first + 2 * HOUR]
        assert feed.emulator.calls(KLINES) == 0
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    degraded = [s for s in feed.states() if "degraded" in s.detail]
    assert len(degraded) == 1  # reported once, not on every retry
    failures = [r for r in caplog.records if "websocket candles failed" in r.getMessage()]
    assert len(failures) >= 3
    assert [r.levelno for r in failures].count(logging.WARNING) == 1
    assert any("websocket candles restored" in r.getMessage() for r in caplog.records)
    assert "BTC/USDT 1h candles polled over REST" in degraded[0].detail


async def test_a_silent_websocket_counts_as_failed(make_feed: MakeFeed) -> None:
    feed = make_feed(stream_silence=0.3, stream_retry=(30.0, 60.0))
    task = asyncio.create_task(feed.market.run_candles(SYMBOL, TIMEFRAME))
    try:
        await until(lambda: feed.market.streaming(SYMBOL, TIMEFRAME))
        await until(lambda: any("no websocket candle" in s.detail for s in feed.states()))
        assert not feed.market.streaming(SYMBOL, TIMEFRAME)
        feed.emulator.reset_counters()
        await until(lambda: feed.emulator.calls(KLINES) >= 2)  # polling took over
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
