"""History download: page through an exchange's candles into the candle store, resumably.

Each page is stored as soon as it arrives, so an interrupted download keeps what it fetched
and the next run continues after the newest stored candle. Only closed candles are stored (the
forming one would be stored with partial values and never corrected). Rate limits are honoured
by the exchange adapter (ccxt's throttle plus the read retry with Retry-After).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import pandas as pd

from app.core.models import Candle
from app.core.time import format_ms, now_ms, timeframe_to_ms

logger = logging.getLogger(__name__)

DEFAULT_PAGE_LIMIT = 1000


class CandleSource(Protocol):
    """What the download needs from an exchange (``ExchangePort.fetch_ohlcv``)."""

    async def fetch_ohlcv(
        self, symbol: str, timeframe: str, since: int | None = None, limit: int | None = None
    ) -> Sequence[Candle]:
        """Candles from ``since``, oldest first."""
        ...


class CandleSink(Protocol):
    """What the download needs from the candle store (``app.storage.candles.CandleStore``)."""

    def upsert(self, exchange: str, symbol: str, timeframe: str, frame: pd.DataFrame) -> int:
        """Store candles; returns how many were new."""
        ...

    def last_timestamp(self, exchange: str, symbol: str, timeframe: str) -> int | None:
        """Open time of the newest stored candle, or None."""
        ...


@dataclass(frozen=True, slots=True)
class DownloadProgress:
    """Where a running download is (all times ms UTC)."""

    start: int
    end: int
    cursor: int
    fetched: int
    stored: int
    requests: int

    @property
    def fraction(self) -> float:
        """Share of the time range covered, 0..1."""
        span = self.end - self.start
        return 1.0 if span <= 0 else min(max((self.cursor - self.start) / span, 0.0), 1.0)


@dataclass(frozen=True, slots=True)
class DownloadResult:
    """Outcome of one download run."""

    start: int
    end: int
    fetched: int
    stored: int
    requests: int
    resumed: bool
    last_timestamp: int | None

    def describe(self, label: str) -> str:
        """One line for the user, e.g. for the CLI."""
        newest = (
            "nothing stored yet"
            if self.last_timestamp is None
            else (f"newest candle {format_ms(self.last_timestamp)} UTC")
        )
        return (
            f"{label}: {self.stored} new candles stored ({self.fetched} fetched in "
            f"{self.requests} requests); {newest}"
        )


def _frame(candles: Sequence[Candle]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "timestamp": [c.timestamp for c in candles],
            "open": [c.open for c in candles],
            "high": [c.high for c in candles],
            "low": [c.low for c in candles],
            "close": [c.close for c in candles],
            "volume": [c.volume for c in candles],
        }
    )


async def download_candles(
    source: CandleSource,
    sink: CandleSink,
    *,
    exchange: str,
    symbol: str,
    timeframe: str,
    since: int,
    until: int | None = None,
    page_limit: int = DEFAULT_PAGE_LIMIT,
    progress: Callable[[DownloadProgress], None] | None = None,
    clock: Callable[[], int] = now_ms,
) -> DownloadResult:
    """Download closed candles in [since, until) into ``sink``, resuming after stored ones.

    When the store already holds candles of this series at or after ``since``, the download
    starts after the newest one (earlier holes are not refilled; export and re-import to
    rebuild a series from scratch).

    Args:
        source: the exchange (retries reads itself).
        sink: the candle store.
        exchange: exchange id the candles are stored under.
        symbol: unified symbol.
        timeframe: ccxt timeframe.
        since: first candle open time wanted (ms UTC).
        until: end of the range, exclusive (default: now).
        page_limit: candles asked for per request.
        progress: called after every page, and once more at the end (fraction 1).
        clock: current time in ms UTC (decides which candle is still forming).

    Returns:
        What was fetched and stored.

    Raises:
        ValueError: the timeframe is invalid or the range is empty.
        ExchangeError: the exchange failed after the adapter's retries (pages stored so far
            are kept).
    """
    step = timeframe_to_ms(timeframe)
    now = clock()
    end = min(until, now) if until is not None else now
    closed_before = now - step  # a candle opening after this is still forming
    last = sink.last_timestamp(exchange, symbol, timeframe)
    resumed = last is not None and last >= since
    start = last + step if resumed and last is not None else since
    fetched = stored = requests = 0
    cursor = start
    newest = last
    label = f"{exchange} {symbol} {timeframe}"
    if resumed:
        logger.info("%s: resuming after %s", label, format_ms(start - step))
    while cursor < end:
        page = await source.fetch_ohlcv(symbol, timeframe, since=cursor, limit=page_limit)
        requests += 1
        if not page:
            break
        keep = [
            c
            for c in page
            if cursor <= c.timestamp < end
            and c.timestamp <= closed_before
            and (newest is None or c.timestamp > newest)
        ]
        fetched += len(page)
        if keep:
            stored += sink.upsert(exchange, symbol, timeframe, _frame(keep))
            newest = keep[-1].timestamp
        next_cursor = page[-1].timestamp + step
        if next_cursor <= cursor:
            logger.warning("%s: the exchange did not advance past %s", label, format_ms(cursor))
            break
        cursor = next_cursor
        if progress is not None:
            progress(DownloadProgress(start, end, min(cursor, end), fetched, stored, requests))
    if progress is not None:
        progress(DownloadProgress(start, end, end, fetched, stored, requests))
    logger.info("%s: %d new candles stored in %d requests", label, stored, requests)
    return DownloadResult(start, end, fetched, stored, requests, resumed, newest)
