"""Replay feed: stored candles played as a live market at N x speed (or as fast as possible).

Each candle becomes four price ticks inside its interval — open, then the extreme the candle
most likely visited first (low for a rising candle, high for a falling one), then the other
extreme, then the close — each published as :class:`TickerUpdated` and :class:`CandleUpdated`,
followed by :class:`CandleClosed` at the bar's end: the same events live data produces.
Several symbols are merged by time. The feed is also a market-data source (markets, candles
up to the replay time, tickers), so :class:`~app.exchange.paper.PaperExchange` can trade on it.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal

import numpy as np

from app.core.errors import BadSymbol, ExchangeUnavailable
from app.core.events import CandleClosed, CandleUpdated, Event, TickerUpdated
from app.core.models import Candle, Market
from app.core.money import to_decimal
from app.exchange.replay_data import ReplaySeries, markets_for
from app.exchange.retry import Sleep

logger = logging.getLogger(__name__)

Listener = Callable[[Event], None]
TICKS_PER_CANDLE = 4


def candle_events(series: ReplaySeries, index: int, exchange_id: str) -> list[Event]:
    """The events of candle ``index`` of ``series``: four ticks, then the close.

    Args:
        series: the candles.
        index: row number.
        exchange_id: venue named in the events.
    """
    ts = int(series.timestamps[index])
    o, h, low, c, v = (float(x) for x in series.ohlcv[index])
    path = (o, low, h, c) if c >= o else (o, h, low, c)
    step = series.timeframe_ms // TICKS_PER_CANDLE
    events: list[Event] = []
    high_so_far = low_so_far = o
    for k, price in enumerate(path):
        high_so_far = max(high_so_far, price)
        low_so_far = min(low_so_far, price)
        when = ts + k * step
        forming = Candle(ts, o, high_so_far, low_so_far, price, v * (k + 1) / TICKS_PER_CANDLE)
        events.append(
            TickerUpdated(
                timestamp=when, exchange=exchange_id, symbol=series.symbol, last=to_decimal(price)
            )
        )
        events.append(
            CandleUpdated(
                timestamp=when,
                exchange=exchange_id,
                symbol=series.symbol,
                timeframe=series.timeframe,
                candle=forming,
            )
        )
    events.append(
        CandleClosed(
            timestamp=ts + series.timeframe_ms,
            exchange=exchange_id,
            symbol=series.symbol,
            timeframe=series.timeframe,
            candle=Candle(ts, o, h, low, c, v),
        )
    )
    return events


def _series_events(series: ReplaySeries, start: int, exchange_id: str) -> Iterator[Event]:
    for index in range(start, len(series)):
        yield from candle_events(series, index, exchange_id)


class ReplayClock:
    """The replay's current time (ms UTC), advanced by the feed."""

    def __init__(self, start_ms: int) -> None:
        self._ms = start_ms

    def now_ms(self) -> int:
        """Current replay time."""
        return self._ms

    def advance_to(self, ms: int) -> None:
        """Move forward to ``ms`` (never backwards)."""
        self._ms = max(self._ms, ms)


class ReplayFeed:
    """Stored candles played as a live market; a market-data source for the paper exchange.

    Args:
        series: candles per symbol (any timeframes; merged by time).
        speed: replay speed as a multiple of real time (3600 plays an hour bar per second);
            None plays as fast as possible.
        start_ms: skip candles opening before this time (the earlier ones are "history",
            available from ``fetch_ohlcv`` at once).
        exchange_id: venue named in events and ``exchange_id``.
        sleep: awaitable sleep (injected by tests).
    """

    def __init__(
        self,
        series: Sequence[ReplaySeries],
        *,
        speed: float | None = None,
        start_ms: int | None = None,
        exchange_id: str = "replay",
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if not series:
            raise ValueError("ReplayFeed: needs at least one candle series")
        if speed is not None and speed <= 0:
            raise ValueError(f"ReplayFeed.speed: must be positive or None, got {speed}")
        self._series = {(s.symbol, s.timeframe): s for s in series}
        self._speed = speed
        self._sleep = sleep
        self._id = exchange_id
        first = min(int(s.timestamps[0]) for s in series if len(s))
        self._start_ms = first if start_ms is None else start_ms
        self.clock = ReplayClock(self._start_ms)
        self._markets = markets_for(series)
        self._last: dict[str, Decimal] = {}
        self._listeners: list[Listener] = []
        self._waiters: dict[str, list[asyncio.Future[Decimal]]] = {}
        self._task: asyncio.Task[None] | None = None
        self._finished = False
        for s in series:
            before = int(np.searchsorted(s.timestamps, self._start_ms))
            index = min(before, len(s) - 1)
            price = s.ohlcv[index - 1, 3] if before > 0 else s.ohlcv[index, 0]
            self._last.setdefault(s.symbol, to_decimal(float(price)))

    @property
    def exchange_id(self) -> str:
        """Venue id named in the events."""
        return self._id

    @property
    def finished(self) -> bool:
        """True once every candle has been played."""
        return self._finished

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(event)`` for every event, in order (synchronously, on the loop)."""
        self._listeners.append(listener)

    def events(self) -> Iterator[Event]:
        """Every remaining event in time order (without pacing or publishing)."""
        streams = []
        for s in self._series.values():
            start = int(np.searchsorted(s.timestamps, self._start_ms))
            streams.append(_series_events(s, start, self._id))
        return heapq.merge(*streams, key=lambda event: event.timestamp)

    async def run(self) -> None:
        """Play every event: advance the clock, pace to ``speed``, publish, wake watchers.

        As fast as possible still hands control to the loop after every tick someone was
        waiting for, so a ``watch_ticker`` loop sees every price.
        """
        previous: int | None = None
        published = 0
        try:
            for event in self.events():
                if previous is not None and event.timestamp > previous:
                    await self._pace(event.timestamp - previous, published)
                previous = event.timestamp
                self.clock.advance_to(event.timestamp)
                if self._publish(event) and self._speed is None:
                    await self._sleep(0)
                published += 1
        finally:
            self._finished = True
            for waiters in self._waiters.values():
                for waiter in waiters:
                    if not waiter.done():
                        waiter.set_exception(self._ended())
            self._waiters.clear()
        logger.info("replay: finished after %d events", published)

    async def _pace(self, gap_ms: int, published: int) -> None:
        if self._speed is not None:
            await self._sleep(gap_ms / 1000 / self._speed)
        elif published % 256 == 0:
            await self._sleep(0)  # let the engine run between bursts

    def _publish(self, event: Event) -> bool:
        """Deliver ``event``; True when it woke a ``watch_ticker`` caller."""
        woke = False
        if isinstance(event, TickerUpdated):
            self._last[event.symbol] = event.last
            for waiter in self._waiters.pop(event.symbol, []):
                if not waiter.done():
                    waiter.set_result(event.last)
                    woke = True
        for listener in self._listeners:
            listener(event)
        return woke

    def start(self) -> asyncio.Task[None]:
        """Start playing in a background task (once); returns it."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self.run(), name="replay-feed")
        return self._task

    def _ended(self) -> ExchangeUnavailable:
        return ExchangeUnavailable(
            f"{self._id}: the replay data has ended; restart it or download more candles"
        )

    # ------------------------------------------------------------------ market data
    async def load_markets(self, reload: bool = False) -> Mapping[str, Market]:
        """Markets of the replayed symbols."""
        return self._markets

    async def fetch_ohlcv(
        self, symbol: str, timeframe: str, since: int | None = None, limit: int | None = None
    ) -> Sequence[Candle]:
        """Candles closed by the replay time, oldest first.

        Raises:
            BadSymbol: no series for this symbol and timeframe.
        """
        series = self._series.get((symbol, timeframe))
        if series is None:
            raise BadSymbol(f"{self._id}: no replay data for {symbol} {timeframe}")
        closed_before = self.clock.now_ms() - series.timeframe_ms
        end = int(np.searchsorted(series.timestamps, closed_before, side="right"))
        start = 0 if since is None else int(np.searchsorted(series.timestamps, since))
        if limit is not None and since is None:
            start = max(end - limit, 0)
        elif limit is not None:
            end = min(end, start + limit)
        return [
            Candle(int(series.timestamps[i]), *(float(x) for x in series.ohlcv[i]))
            for i in range(start, end)
        ]

    async def fetch_ticker(self, symbol: str) -> Decimal:
        """Last replayed price.

        Raises:
            BadSymbol: the symbol is not replayed.
        """
        if symbol not in self._last:
            raise BadSymbol(f"{self._id}: no replay data for {symbol}")
        return self._last[symbol]

    async def watch_ticker(self, symbol: str) -> Decimal:
        """Next replayed price of ``symbol`` (starts the playback on first use).

        Raises:
            BadSymbol: the symbol is not replayed.
            ExchangeUnavailable: the replay has ended.
        """
        if symbol not in self._last:
            raise BadSymbol(f"{self._id}: no replay data for {symbol}")
        if self._finished:
            raise self._ended()
        waiter: asyncio.Future[Decimal] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(symbol, []).append(waiter)
        self.start()
        return await waiter

    async def close(self) -> None:
        """Stop the playback."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                logger.debug("replay: playback stopped")
