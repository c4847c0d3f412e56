"""Thread-safe cache of recent candles and last prices, read by the facade from any thread.

The engine thread writes (closed candles, the forming candle, tickers); the UI reads copies.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable
from decimal import Decimal

import pandas as pd

from app.core.events import CandleClosed, CandleUpdated, Event, TickerUpdated
from app.core.models import Candle
from app.core.money import to_decimal

COLUMNS = ("timestamp", "open", "high", "low", "close", "volume")


class CandleBook:
    """Recent closed candles per (symbol, timeframe), the forming candle and last prices.

    Args:
        capacity: closed candles kept per series (older ones are dropped).
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self._capacity = capacity
        self._lock = threading.Lock()
        self._closed: dict[tuple[str, str], deque[Candle]] = {}
        self._forming: dict[tuple[str, str], Candle] = {}
        self._last: dict[str, Decimal] = {}

    def seed(self, symbol: str, timeframe: str, candles: Iterable[Candle]) -> None:
        """Add history (oldest first); candles not newer than the newest kept are skipped."""
        with self._lock:
            series = self._series(symbol, timeframe)
            for candle in candles:
                if not series or candle.timestamp > series[-1].timestamp:
                    series.append(candle)
            if series and symbol not in self._last:
                self._last[symbol] = to_decimal(series[-1].close)

    def on_event(self, event: Event) -> None:
        """Bus handler: remember tickers, forming and closed candles."""
        if isinstance(event, TickerUpdated):
            with self._lock:
                self._last[event.symbol] = event.last
        elif isinstance(event, CandleClosed):
            key = (event.symbol, event.timeframe)
            with self._lock:
                series = self._series(event.symbol, event.timeframe)
                if not series or event.candle.timestamp > series[-1].timestamp:
                    series.append(event.candle)
                forming = self._forming.get(key)
                if forming is not None and forming.timestamp <= event.candle.timestamp:
                    del self._forming[key]
                self._last.setdefault(event.symbol, to_decimal(event.candle.close))
        elif isinstance(event, CandleUpdated):
            with self._lock:
                self._forming[(event.symbol, event.timeframe)] = event.candle

    def frame(self, symbol: str, timeframe: str, limit: int | None = None) -> pd.DataFrame:
        """Closed candles then the forming one (if any), oldest first, as a DataFrame.

        Args:
            symbol: unified symbol.
            timeframe: ccxt timeframe.
            limit: at most this many rows (the newest).

        Returns:
            Columns timestamp (int ms UTC), open, high, low, close, volume.
        """
        with self._lock:
            rows = list(self._closed.get((symbol, timeframe), ()))
            forming = self._forming.get((symbol, timeframe))
        if forming is not None and (not rows or forming.timestamp > rows[-1].timestamp):
            rows.append(forming)
        if limit is not None:
            rows = rows[-limit:] if limit > 0 else []
        frame = pd.DataFrame(
            [(c.timestamp, c.open, c.high, c.low, c.close, c.volume) for c in rows],
            columns=list(COLUMNS),
        )
        return frame.astype({"timestamp": "int64"} | dict.fromkeys(COLUMNS[1:], "float64"))

    def last_prices(self) -> dict[str, Decimal]:
        """Last known price by symbol (copy)."""
        with self._lock:
            return dict(self._last)

    def _series(self, symbol: str, timeframe: str) -> deque[Candle]:
        key = (symbol, timeframe)
        series = self._closed.get(key)
        if series is None:
            series = deque(maxlen=self._capacity)
            self._closed[key] = series
        return series
