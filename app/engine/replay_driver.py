"""Offline market data: the replay feed's events played into the engine in lock step.

:class:`ReplayDriver` takes the events of a :class:`~app.exchange.replay.ReplayFeed` one at a
time, advances the replay clock, paces them to ``speed`` x real time, hands every tick to the
tick hooks (the paper exchange matches orders there), publishes every event on the bus and, at
each candle close, awaits the candle sink (the strategy runner) before playing on. So a market
order sent at the close of bar t always meets the first tick of bar t+1 (its open), whatever the
speed — the backtest's fill rule.

The driver is also the paper exchange's price source (:class:`~app.exchange.paper.
MarketDataSource`): markets and candles come from the feed, tickers from the played events.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from decimal import Decimal

from app.core.errors import ExchangeUnavailable
from app.core.events import CandleClosed, Event, TickerUpdated
from app.core.models import Candle, Market
from app.exchange.replay import ReplayFeed

logger = logging.getLogger(__name__)

CandleSink = Callable[[CandleClosed], Awaitable[None]]
TickHook = Callable[[TickerUpdated], Awaitable[None]]
Sleep = Callable[[float], Awaitable[None]]

YIELD_EVERY = 64
"""At full speed, hand control to other engine tasks (commands) after this many events."""


class ReplayDriver:
    """Plays a replay feed into the engine (see the module docstring).

    Args:
        feed: the stored candles to play.
        speed: multiple of real time; None plays as fast as possible.
        sleep: awaitable sleep (injected by tests).
    """

    def __init__(
        self, feed: ReplayFeed, *, speed: float | None = None, sleep: Sleep = asyncio.sleep
    ) -> None:
        if speed is not None and speed <= 0:
            raise ValueError(f"ReplayDriver.speed: must be positive or None, got {speed}")
        self.feed = feed
        self._speed = speed
        self._sleep = sleep
        self._events: Iterator[Event] | None = None
        self._previous: int | None = None
        self._played = 0
        self._hooks: list[TickHook] = []
        self._last: dict[str, Decimal] = {}
        self._waiters: dict[str, list[asyncio.Future[Decimal]]] = {}
        self.finished = False

    @property
    def exchange_id(self) -> str:
        """Venue id of the replayed prices."""
        return self.feed.exchange_id

    @property
    def played(self) -> int:
        """Events played so far."""
        return self._played

    def add_tick_hook(self, hook: TickHook) -> None:
        """Await ``hook(event)`` for every replayed tick, before it is published."""
        self._hooks.append(hook)

    async def run(self, publish: Callable[[Event], None], on_close: CandleSink) -> None:
        """Play the remaining events; a restart (after a crash) continues where it stopped.

        Args:
            publish: receives every event (the bus).
            on_close: awaited at every candle close before the next event is played.
        """
        if self._events is None:
            self._events = self.feed.events()
        for event in self._events:
            previous = self._previous
            if previous is not None and event.timestamp > previous and self._speed is not None:
                await self._sleep((event.timestamp - previous) / 1000 / self._speed)
            elif self._played % YIELD_EVERY == 0:
                await self._sleep(0)
            self._previous = event.timestamp
            self.feed.clock.advance_to(event.timestamp)
            self._played += 1
            if isinstance(event, TickerUpdated):
                await self._on_tick(event)
            publish(event)
            if isinstance(event, CandleClosed):
                await on_close(event)
        self._finish()
        logger.info("replay finished after %d events", self._played)

    async def _on_tick(self, event: TickerUpdated) -> None:
        self._last[event.symbol] = event.last
        for hook in self._hooks:
            await hook(event)
        for waiter in self._waiters.pop(event.symbol, []):
            if not waiter.done():
                waiter.set_result(event.last)

    def _finish(self) -> None:
        self.finished = True
        self._wake_all()

    def _wake_all(self) -> None:
        for waiters in self._waiters.values():
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_exception(self._ended())
        self._waiters.clear()

    def _ended(self) -> ExchangeUnavailable:
        return ExchangeUnavailable(
            f"{self.exchange_id}: the replay data has ended; restart the app to replay it "
            "again or download more candles"
        )

    # ------------------------------------------------------------------ price source
    async def load_markets(self, reload: bool = False) -> Mapping[str, Market]:
        """Markets of the replayed symbols."""
        return await self.feed.load_markets(reload)

    async def fetch_ohlcv(
        self, symbol: str, timeframe: str, since: int | None = None, limit: int | None = None
    ) -> Sequence[Candle]:
        """Candles closed by the replay time, oldest first."""
        return await self.feed.fetch_ohlcv(symbol, timeframe, since, limit)

    async def fetch_ticker(self, symbol: str) -> Decimal:
        """Last played price (the feed's starting price before the first tick)."""
        last = self._last.get(symbol)
        return last if last is not None else await self.feed.fetch_ticker(symbol)

    async def watch_ticker(self, symbol: str) -> Decimal:
        """The next played price of ``symbol``.

        Raises:
            BadSymbol: the symbol is not replayed.
            ExchangeUnavailable: the replay has ended.
        """
        await self.feed.fetch_ticker(symbol)  # raises BadSymbol for unknown symbols
        if self.finished:
            raise self._ended()
        waiter: asyncio.Future[Decimal] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(symbol, []).append(waiter)
        return await waiter

    async def close(self) -> None:
        """Wake every ``watch_ticker`` caller (the engine stops the playing task itself).

        A later :meth:`run` continues the playback where it stopped.
        """
        self._wake_all()
