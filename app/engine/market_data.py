"""Live market data: tickers and candles from an exchange, with closed-candle detection.

:class:`LiveMarketData` runs two kinds of loops, each as a supervised worker:

- tickers: ``watch_ticker`` per symbol (the ccxt adapter uses websockets where the venue has
  them and falls back to REST polling), published as :class:`TickerUpdated`;
- candles per (symbol, timeframe): the exchange's ``watch_ohlcv`` stream when it has one
  (:mod:`app.engine.candle_stream`), else ``fetch_ohlcv`` polled. The forming candle is
  published as :class:`CandleUpdated`; a candle is closed once a newer one has started, and
  each close is published as :class:`CandleClosed` and handed to the candle sink (the strategy
  runner), oldest first and exactly once, whatever mix of websocket and REST delivered it.

When the candle stream fails (error, refused, silent too long) the failure is logged once, the
connection is shown as degraded, candles are polled over REST, and the stream is tried again
after a backoff. A failing REST read publishes :class:`ConnectionStateChanged` (down) and
raises, so the supervisor logs it and restarts the loop with backoff (a reconnect); the first
good read after that publishes the connection as up again. Offline replay is
:mod:`app.engine.replay_driver`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from app.core.errors import ExchangeError, StreamNotSupported
from app.core.events import (
    CandleClosed,
    CandleUpdated,
    ConnectionStateChanged,
    Event,
    TickerUpdated,
)
from app.core.models import Candle
from app.core.ports import ExchangePort
from app.core.time import now_ms, timeframe_to_ms
from app.engine.candle_stream import CandleStreamSession
from app.engine.stream_health import StreamHealth

logger = logging.getLogger(__name__)

CandleSink = Callable[[CandleClosed], Awaitable[None]]
Sleep = Callable[[float], Awaitable[None]]


class LiveMarketData:
    """Ticker and candle loops over one exchange (see the module docstring).

    Args:
        exchange: the venue (ccxt adapter, or the paper exchange on live prices).
        publish: receives the events (the bus's publish).
        on_close: awaited for every closed candle, in order.
        candle_poll: seconds between REST candle polls (default: a tenth of the timeframe,
            between 1 and 30 s).
        clock: ms UTC source for event timestamps.
        sleep: awaitable sleep (injected by tests).
        stream_silence: seconds without a pushed candle after which the stream counts as
            failed (default: two timeframes, at most 60 s).
        stream_retry: first and longest wait, in seconds, before the stream is tried again.
        update_gap: seconds between two forming-candle updates of a streamed series.
    """

    def __init__(
        self,
        exchange: ExchangePort,
        publish: Callable[[Event], None],
        on_close: CandleSink,
        *,
        candle_poll: float | None = None,
        clock: Callable[[], int] = now_ms,
        sleep: Sleep = asyncio.sleep,
        stream_silence: float | None = None,
        stream_retry: tuple[float, float] = (30.0, 600.0),
        update_gap: float = 0.25,
    ) -> None:
        self.exchange = exchange
        self._publish = publish
        self._on_close = on_close
        self._candle_poll = candle_poll
        self._clock = clock
        self._sleep = sleep
        self._silence = stream_silence
        self._retry = stream_retry
        self._update_gap = update_gap
        self._last_closed: dict[tuple[str, str], int] = {}
        self._health: dict[tuple[str, str], StreamHealth] = {}
        self._degraded: dict[tuple[str, str], str] = {}
        self._connected: bool | None = None
        self._detail = ""

    @property
    def connected(self) -> bool | None:
        """Last known connection state (None before the first read)."""
        return self._connected

    def last_closed(self, symbol: str, timeframe: str) -> int | None:
        """Open time of the newest candle seen closed for the series, or None."""
        return self._last_closed.get((symbol, timeframe))

    def streaming(self, symbol: str, timeframe: str) -> bool:
        """True while the series' candles come from the websocket."""
        health = self._health.get((symbol, timeframe))
        return health is not None and health.live

    async def run_tickers(self, symbol: str) -> None:
        """Worker: publish every new last price of ``symbol`` until cancelled.

        Raises:
            ExchangeError: the venue failed (after the adapter's retries); the supervisor
                restarts the loop with backoff.
        """
        while True:
            try:
                price = await self.exchange.watch_ticker(symbol)
            except ExchangeError as exc:
                self._set_connected(False, f"{symbol} ticker: {exc}")
                raise
            self._set_connected(True, "")
            self._publish(
                TickerUpdated(
                    timestamp=self._clock(),
                    exchange=self.exchange.exchange_id,
                    symbol=symbol,
                    last=price,
                )
            )

    async def run_candles(self, symbol: str, timeframe: str) -> None:
        """Worker: stream (or poll) candles of one series; publish forming and closed ones.

        Raises:
            ExchangeError: a REST read failed; the supervisor restarts the loop with backoff.
        """
        interval = self._candle_poll
        if interval is None:
            interval = min(30.0, max(1.0, timeframe_to_ms(timeframe) / 10_000))
        key = (symbol, timeframe)
        health = self._health.setdefault(key, StreamHealth(*self._retry))
        loop = asyncio.get_running_loop()
        while True:
            if health.due(loop.time()):
                await self._stream(symbol, timeframe, health)
                continue
            await self.poll_candles(symbol, timeframe)
            await self._sleep(interval)

    async def _stream(self, symbol: str, timeframe: str, health: StreamHealth) -> None:
        """One websocket session; returns when it failed (REST polling takes over)."""
        key = (symbol, timeframe)
        silence = self._silence
        if silence is None:
            silence = min(60.0, 2 * timeframe_to_ms(timeframe) / 1000)
        loop = asyncio.get_running_loop()
        session: CandleStreamSession | None = None

        def on_up() -> None:
            if health.up():
                logger.info("%s %s: websocket candles restored", symbol, timeframe)
            self._set_degraded(key, None)

        try:
            watch = getattr(self.exchange, "watch_ohlcv", None)  # exchanges without a stream
            if watch is None:
                raise StreamNotSupported(f"{self.exchange.exchange_id} has no candle stream")
            session = CandleStreamSession(
                self, watch, symbol, timeframe, silence=silence, min_update_gap=self._update_gap
            )
            await session.run(on_up)
        except StreamNotSupported as exc:
            health.unsupported()
            logger.info("%s %s: polling candles over REST (%s)", symbol, timeframe, exc)
        except ExchangeError as exc:
            closes = session.streamed_closes if session is not None else 0
            wait, first = health.failed(loop.time(), closes)
            log = logger.warning if first else logger.debug
            log(
                "%s %s: websocket candles failed (%s); polling REST, websocket again in %.0f s",
                symbol,
                timeframe,
                exc,
                wait,
            )
            self._set_degraded(key, str(exc))

    async def poll_candles(self, symbol: str, timeframe: str) -> list[Candle]:
        """One poll: publish every candle that closed since the last, then the forming one.

        The first poll only marks where the history ends (nothing is replayed as a close).

        Returns:
            The candles that closed with this poll, oldest first.

        Raises:
            ExchangeError: the read failed.
        """
        closed, forming = await self.rest_sync(symbol, timeframe)
        if forming is not None:
            self.publish_forming(symbol, timeframe, forming)
        return closed

    async def rest_sync(
        self, symbol: str, timeframe: str, before: int | None = None
    ) -> tuple[list[Candle], Candle | None]:
        """Read the candles after the last closed one over REST and publish the closed ones.

        Args:
            symbol: unified symbol.
            timeframe: ccxt timeframe.
            before: the open time of a bar known to have started: every bar opening earlier
                is closed. None: the newest bar read is taken as the forming one.

        Returns:
            The candles published closed (oldest first) and the forming one (None when
            ``before`` is given or nothing was read).

        Raises:
            ExchangeError: the read failed.
        """
        key = (symbol, timeframe)
        last = self._last_closed.get(key)
        limit = 3 if last is None else None
        since = None if last is None else last + 1
        try:
            candles = list(await self.exchange.fetch_ohlcv(symbol, timeframe, since, limit))
        except ExchangeError as exc:
            self._set_connected(False, f"{symbol} {timeframe} candles: {exc}")
            raise
        self._set_connected(True, "")
        if not candles:
            return [], None
        if before is None:
            closed, forming = closed_and_forming(candles)
        else:
            closed = sorted((c for c in candles if c.timestamp < before), key=_open_time)
            forming = None
        if last is None:
            if closed:
                self._last_closed[key] = closed[-1].timestamp
            return [], forming
        published = [c for c in closed if await self.close_candle(symbol, timeframe, c)]
        return published, forming

    async def close_candle(self, symbol: str, timeframe: str, candle: Candle) -> bool:
        """Publish ``candle`` as closed and hand it to the sink, unless it is not newer than
        the last closed candle of the series (so each bar closes once, in order).

        Returns:
            True when it was published.
        """
        key = (symbol, timeframe)
        last = self._last_closed.get(key)
        if last is not None and candle.timestamp <= last:
            return False
        self._last_closed[key] = candle.timestamp
        event = CandleClosed(
            timestamp=candle.timestamp + timeframe_to_ms(timeframe),
            exchange=self.exchange.exchange_id,
            symbol=symbol,
            timeframe=timeframe,
            candle=candle,
        )
        self._publish(event)
        await self._on_close(event)
        return True

    def publish_forming(self, symbol: str, timeframe: str, candle: Candle) -> None:
        """Publish the forming candle of a series."""
        self._publish(
            CandleUpdated(
                timestamp=self._clock(),
                exchange=self.exchange.exchange_id,
                symbol=symbol,
                timeframe=timeframe,
                candle=candle,
            )
        )

    def _set_degraded(self, key: tuple[str, str], reason: str | None) -> None:
        if reason is None:
            self._degraded.pop(key, None)
        else:
            self._degraded[key] = f"{key[0]} {key[1]} candles polled over REST ({reason})"
        if self._connected:
            self._set_connected(True, "")

    def _set_connected(self, connected: bool, detail: str) -> None:
        if connected and self._degraded:
            detail = "degraded: " + "; ".join(self._degraded.values())
        if connected is self._connected and (not connected or detail == self._detail):
            return
        self._connected = connected
        self._detail = detail
        log = logger.info if connected and not self._degraded else logger.warning
        state = "up" if connected else "down"
        log("%s market data %s %s", self.exchange.exchange_id, state, detail)
        self._publish(
            ConnectionStateChanged(
                timestamp=self._clock(),
                exchange=self.exchange.exchange_id,
                connected=connected,
                detail=detail,
            )
        )


def _open_time(candle: Candle) -> int:
    return candle.timestamp


def closed_and_forming(candles: Sequence[Candle]) -> tuple[list[Candle], Candle]:
    """Split candles (oldest first) into the closed ones and the forming (newest) one.

    A candle is closed once a newer candle has started.

    Raises:
        ValueError: ``candles`` is empty.
    """
    if not candles:
        raise ValueError("closed_and_forming: no candles")
    ordered = sorted(candles, key=_open_time)
    return ordered[:-1], ordered[-1]
