"""Live market data: tickers and candles from an exchange, with closed-candle detection.

:class:`LiveMarketData` runs two kinds of loops, each as a supervised worker:

- tickers: ``watch_ticker`` per symbol (the ccxt adapter uses websockets where the venue has
  them and falls back to REST polling), published as :class:`TickerUpdated`;
- candles: ``fetch_ohlcv`` polled per (symbol, timeframe). The newest row is the forming candle
  (published as :class:`CandleUpdated`); a candle is closed once a newer one has started, and
  each close is published as :class:`CandleClosed` and handed to the candle sink (the strategy
  runner), oldest first and exactly once.

A failing read publishes :class:`ConnectionStateChanged` (down) and raises, so the supervisor
logs it and restarts the loop with backoff (a reconnect); the first good read after that
publishes the connection as up again. Offline replay is :mod:`app.engine.replay_driver`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from app.core.errors import ExchangeError
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

logger = logging.getLogger(__name__)

CandleSink = Callable[[CandleClosed], Awaitable[None]]
Sleep = Callable[[float], Awaitable[None]]


class LiveMarketData:
    """Ticker and candle loops over one exchange (see the module docstring).

    Args:
        exchange: the venue (ccxt adapter, or the paper exchange on live prices).
        publish: receives the events (the bus's publish).
        on_close: awaited for every closed candle, in order.
        candle_poll: seconds between candle polls (default: a tenth of the timeframe,
            between 1 and 30 s).
        clock: ms UTC source for event timestamps.
        sleep: awaitable sleep (injected by tests).
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
    ) -> None:
        self.exchange = exchange
        self._publish = publish
        self._on_close = on_close
        self._candle_poll = candle_poll
        self._clock = clock
        self._sleep = sleep
        self._last_closed: dict[tuple[str, str], int] = {}
        self._connected: bool | None = None

    @property
    def connected(self) -> bool | None:
        """Last known connection state (None before the first read)."""
        return self._connected

    def last_closed(self, symbol: str, timeframe: str) -> int | None:
        """Open time of the newest candle seen closed for the series, or None."""
        return self._last_closed.get((symbol, timeframe))

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
        """Worker: poll candles of one series and publish forming and closed candles.

        Raises:
            ExchangeError: the venue failed; the supervisor restarts the loop with backoff.
        """
        interval = self._candle_poll
        if interval is None:
            interval = min(30.0, max(1.0, timeframe_to_ms(timeframe) / 10_000))
        while True:
            await self.poll_candles(symbol, timeframe)
            await self._sleep(interval)

    async def poll_candles(self, symbol: str, timeframe: str) -> list[Candle]:
        """One poll: publish the forming candle and every candle that closed since the last.

        The first poll only marks where the history ends (nothing is replayed as a close).

        Returns:
            The candles that closed with this poll, oldest first.

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
            return []
        closed, forming = closed_and_forming(candles)
        exchange_id = self.exchange.exchange_id
        now = self._clock()
        fresh = [c for c in closed if last is None or c.timestamp > last]
        if last is None:
            if fresh:
                self._last_closed[key] = fresh[-1].timestamp
            fresh = []
        for candle in fresh:
            self._last_closed[key] = candle.timestamp
            event = CandleClosed(
                timestamp=candle.timestamp + timeframe_to_ms(timeframe),
                exchange=exchange_id,
                symbol=symbol,
                timeframe=timeframe,
                candle=candle,
            )
            self._publish(event)
            await self._on_close(event)
        self._publish(
            CandleUpdated(
                timestamp=now, exchange=exchange_id, symbol=symbol, timeframe=timeframe,
                candle=forming,
            )
        )  # fmt: skip
        return fresh

    def _set_connected(self, connected: bool, detail: str) -> None:
        if connected is self._connected:
            return
        self._connected = connected
        log = logger.info if connected else logger.warning
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


def closed_and_forming(candles: Sequence[Candle]) -> tuple[list[Candle], Candle]:
    """Split candles (oldest first) into the closed ones and the forming (newest) one.

    A candle is closed once a newer candle has started.

    Raises:
        ValueError: ``candles`` is empty.
    """
    if not candles:
        raise ValueError("closed_and_forming: no candles")
    ordered = sorted(candles, key=lambda c: c.timestamp)
    return ordered[:-1], ordered[-1]
