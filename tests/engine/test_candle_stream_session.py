"""Candle stream sessions on a scripted venue: gaps read over REST, coalesced updates."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from app.core.events import CandleClosed, CandleUpdated, Event
from app.core.models import Candle
from app.engine.market_data import LiveMarketData

MINUTE = 60_000


def _bar(minute: int, close: float) -> Candle:
    return Candle(minute * MINUTE, close, close + 1, close - 1, close, 1.0)


class PushingVenue:
    """The network boundary: REST serves ``history``; the test pushes websocket batches."""

    exchange_id = "venue"

    def __init__(self, history: list[Candle]) -> None:
        self.history = history
        self.pushes: asyncio.Queue[list[Candle]] = asyncio.Queue()
        self.rest_reads = 0

    async def fetch_ohlcv(
        self, symbol: str, timeframe: str, since: int | None = None, limit: int | None = None
    ) -> Sequence[Candle]:
        self.rest_reads += 1
        rows = [c for c in self.history if since is None or c.timestamp >= since]
        return rows[-limit:] if limit is not None else rows

    async def watch_ohlcv(self, symbol: str, timeframe: str) -> Sequence[Candle]:
        return await self.pushes.get()


async def until(condition: Callable[[], bool], within: float = 3.0) -> None:
    async with asyncio.timeout(within):
        while True:
            if condition():
                return
            await asyncio.sleep(0.005)


def _market(venue: PushingVenue, **options: float) -> tuple[LiveMarketData, list[Event]]:
    events: list[Event] = []

    async def sink(event: CandleClosed) -> None:
        return None

    market = LiveMarketData(venue, events.append, sink, candle_poll=0.01, **options)  # type: ignore[arg-type]
    return market, events


def _closed(events: list[Event]) -> list[tuple[int, float]]:
    return [
        (e.candle.timestamp // MINUTE, e.candle.close)
        for e in events
        if isinstance(e, CandleClosed)
    ]


async def test_a_gap_in_the_stream_is_filled_over_rest_in_order_and_only_once() -> None:
    venue = PushingVenue([_bar(0, 10), _bar(1, 11), _bar(2, 12)])
    market, events = _market(venue, stream_silence=5.0, update_gap=0.0)
    venue.pushes.put_nowait([_bar(2, 12)])
    task = asyncio.create_task(market.run_candles("X/USDT", "1m"))
    try:
        await until(lambda: market.streaming("X/USDT", "1m"))
        assert market.last_closed("X/USDT", "1m") == MINUTE  # history is not replayed
        venue.pushes.put_nowait([_bar(2, 12.5), _bar(3, 13)])
        await until(lambda: len(_closed(events)) == 1)
        reads = venue.rest_reads
        venue.history += [_bar(2, 12.5), _bar(3, 13.25), _bar(4, 14), _bar(5, 15), _bar(6, 16)]
        venue.pushes.put_nowait([_bar(6, 16)])  # bars 3 to 5 never pushed
        await until(lambda: len(_closed(events)) == 4)
        assert venue.rest_reads == reads + 1
        venue.pushes.put_nowait([_bar(3, 99), _bar(5, 99), _bar(6, 16.5)])  # late repeats
        venue.pushes.put_nowait([_bar(7, 17)])
        await until(lambda: len(_closed(events)) == 5)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert _closed(events) == [(2, 12.5), (3, 13.25), (4, 14), (5, 15), (6, 16.5)]


async def test_forming_updates_are_coalesced_and_the_newest_is_not_lost() -> None:
    venue = PushingVenue([_bar(0, 10), _bar(1, 11)])
    market, events = _market(venue, stream_silence=5.0, update_gap=0.25)
    venue.pushes.put_nowait([_bar(1, 11)])
    task = asyncio.create_task(market.run_candles("X/USDT", "1m"))
    try:
        await until(lambda: market.streaming("X/USDT", "1m"))
        await asyncio.sleep(0.3)
        before = len([e for e in events if isinstance(e, CandleUpdated)])
        started = asyncio.get_running_loop().time()
        for k in range(40):
            venue.pushes.put_nowait([_bar(1, 11 + k / 100)])
            await asyncio.sleep(0.005)
        burst = len([e for e in events if isinstance(e, CandleUpdated)]) - before
        elapsed = asyncio.get_running_loop().time() - started
        await asyncio.sleep(0.4)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    updates = [e.candle.close for e in events if isinstance(e, CandleUpdated)]
    assert burst <= int(elapsed / 0.25) + 1 < 40  # at most one update per 0.25 s
    assert updates[-1] == 11.39  # the last push still reaches the chart once quiet


class SinceIgnoringVenue(PushingVenue):
    """A venue whose candle endpoint ignores ``since`` and always answers its whole history."""

    async def fetch_ohlcv(
        self, symbol: str, timeframe: str, since: int | None = None, limit: int | None = None
    ) -> Sequence[Candle]:
        return await super().fetch_ohlcv(symbol, timeframe, None, limit)


async def test_bars_already_closed_are_never_published_again_whatever_rest_answers() -> None:
    venue = SinceIgnoringVenue([_bar(0, 10), _bar(1, 11), _bar(2, 12)])
    market, events = _market(venue)
    await market.poll_candles("X/USDT", "1m")
    venue.history.append(_bar(3, 13))
    await market.poll_candles("X/USDT", "1m")
    await market.rest_sync("X/USDT", "1m", before=4 * MINUTE)
    assert not await market.close_candle("X/USDT", "1m", _bar(2, 99))
    venue.history.append(_bar(4, 14))
    await market.poll_candles("X/USDT", "1m")
    assert _closed(events) == [(2, 12), (3, 13)]
