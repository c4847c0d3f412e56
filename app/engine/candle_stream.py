"""Websocket candles of one series, with REST as the safety net.

A :class:`CandleStreamSession` reads ``watch_ohlcv`` pushes of one (symbol, timeframe) and turns
them into closes and forming-candle updates:

- a candle is closed once a candle with a later open time is pushed (ccxt drops the venue's
  "closed" flag; checked against the project's Binance emulator);
- a close is published straight from the websocket only when the stream saw that bar itself
  and it follows the last closed bar and precedes the new one without a gap; otherwise the
  missing closed bars are read over REST and published in order first;
- every session starts, after the first push (so no bar can close unseen in between), with a
  REST catch-up of the bars that closed while the stream was not running;
- forming-candle updates are coalesced to at most one per ``min_update_gap`` seconds; the
  newest one is still published when the stream goes quiet;
- a session ends with :class:`~app.core.errors.NetworkError` when the stream stays silent for
  ``silence`` seconds.

Every close goes through the :class:`SeriesGate` (the live market data), which publishes a bar
only when it is newer than the last closed one: once and in order, whatever mix of websocket
and REST delivered it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from app.core.errors import ExchangeError, NetworkError
from app.core.models import Candle
from app.core.time import timeframe_to_ms

logger = logging.getLogger(__name__)

Watch = Callable[[str, str], Awaitable[Sequence[Candle]]]


class SeriesGate(Protocol):
    """What a session needs from the live market data (which owns the last closed bars)."""

    def last_closed(self, symbol: str, timeframe: str) -> int | None:
        """Open time of the newest candle published closed, or None."""
        ...

    async def close_candle(self, symbol: str, timeframe: str, candle: Candle) -> bool:
        """Publish ``candle`` as closed unless it is not newer than the last closed one."""
        ...

    async def rest_sync(
        self, symbol: str, timeframe: str, before: int | None = None
    ) -> tuple[list[Candle], Candle | None]:
        """Publish the closed bars REST has after the last closed one (all opening before
        ``before`` when given, else all but the newest); returns them and the forming one."""
        ...

    def publish_forming(self, symbol: str, timeframe: str, candle: Candle) -> None:
        """Publish the forming candle."""
        ...


class CandleStreamSession:
    """One websocket session of one series (see the module docstring).

    Args:
        gate: publishes closes exactly once and runs REST catch-ups.
        watch: the exchange's ``watch_ohlcv``.
        symbol: unified symbol.
        timeframe: ccxt timeframe.
        silence: seconds without a push after which the stream counts as failed.
        min_update_gap: seconds between two forming-candle updates.
    """

    def __init__(
        self,
        gate: SeriesGate,
        watch: Watch,
        symbol: str,
        timeframe: str,
        *,
        silence: float,
        min_update_gap: float = 0.25,
    ) -> None:
        self._gate = gate
        self._watch = watch
        self._symbol = symbol
        self._timeframe = timeframe
        self._tf_ms = timeframe_to_ms(timeframe)
        self._silence = silence
        self._gap = min_update_gap
        self._forming: Candle | None = None
        self._seen = False  # the forming bar's values came from this stream
        self._pending = False
        self._published_at = float("-inf")
        self.streamed_closes = 0
        """Closes this session published straight from the websocket."""

    async def run(self, on_up: Callable[[], None]) -> None:
        """Stream until the websocket fails; ``on_up`` is called once the session is live.

        Raises:
            StreamNotSupported: the exchange has no candle stream.
            ExchangeError: the stream failed, stayed silent, or a REST catch-up failed.
        """
        first = await self._next()
        _, forming = await self._gate.rest_sync(self._symbol, self._timeframe)
        self._forming, self._seen = forming, False
        on_up()
        batch = first
        while True:
            await self._apply(batch)
            batch = await self._next()

    async def _apply(self, batch: Sequence[Candle]) -> None:
        symbol, timeframe = self._symbol, self._timeframe
        moved = False
        for candle in sorted(batch, key=lambda c: c.timestamp):
            last = self._gate.last_closed(symbol, timeframe)
            forming = self._forming
            if (last is not None and candle.timestamp <= last) or (
                forming is not None and candle.timestamp < forming.timestamp
            ):
                continue
            if forming is not None and candle.timestamp > forming.timestamp:
                await self._closed(forming, last, candle.timestamp)
                moved = True
            self._forming, self._seen = candle, True
        self._pending = self._forming is not None
        self._flush(force=moved)

    async def _closed(self, bar: Candle, last: int | None, next_open: int) -> None:
        """``bar`` closed because a bar opening at ``next_open`` was pushed."""
        follows = last is None or bar.timestamp == last + self._tf_ms
        if self._seen and follows and next_open == bar.timestamp + self._tf_ms:
            if await self._gate.close_candle(self._symbol, self._timeframe, bar):
                self.streamed_closes += 1
            return
        logger.info(
            "%s %s: bars before %d not all seen on the websocket; reading them over REST",
            self._symbol,
            self._timeframe,
            next_open,
        )
        await self._gate.rest_sync(self._symbol, self._timeframe, before=next_open)

    def _flush(self, *, force: bool = False) -> None:
        now = asyncio.get_running_loop().time()
        if self._forming is None or not self._pending:
            self._pending = False
            return
        if not force and now - self._published_at < self._gap:
            return
        self._pending = False
        self._published_at = now
        self._gate.publish_forming(self._symbol, self._timeframe, self._forming)

    async def _next(self) -> Sequence[Candle]:
        """The next push; flushes a held-back update on time; raises when silent too long."""
        loop = asyncio.get_running_loop()
        task = asyncio.ensure_future(self._watch(self._symbol, self._timeframe))
        deadline = loop.time() + self._silence
        try:
            while True:
                wait = deadline - loop.time()
                if self._pending:
                    wait = min(wait, self._published_at + self._gap - loop.time())
                done, _ = await asyncio.wait({task}, timeout=max(wait, 0.0))
                if done:
                    return task.result()
                self._flush()
                if loop.time() >= deadline:
                    raise NetworkError(
                        f"{self._symbol} {self._timeframe}: no websocket candle for "
                        f"{self._silence:.0f} s"
                    )
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, ExchangeError):
                    await task  # a late failure of an abandoned wait changes nothing
