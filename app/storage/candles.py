"""The fast candle store: OHLCV series kept as chunked columnar blobs.

Layout. ``candle_series`` has one row per (exchange, symbol, timeframe). ``candle_chunks`` has
one row per (series, time window): the window of ``CHUNK_BARS`` bars that starts at
``chunk_start`` (ms UTC, a multiple of ``CHUNK_BARS x timeframe``). Its ``data`` blob holds the
window's candles as packed little-endian columns, ascending and unique by timestamp::

    timestamp int64[count] | open float64[count] | high | low | close | volume

next to ``count``, ``first_ts``, ``last_ts`` and ``gap_count`` (gaps inside the window), so
listings and range queries never unpack blobs. The key (exchange, symbol, timeframe, ts) is
unique because each timestamp maps to exactly one window and a window holds each timestamp
once. Upserts merge new candles into the windows they touch (a new timestamp is added, an
existing one takes the new values, untouched windows are not rewritten). A load reads the
overlapping blobs and copies them straight into numpy arrays: no Python object per candle. Only
portable types (BIGINT, INTEGER, BLOB/bytea) are used, so PostgreSQL works too.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, and_, bindparam, delete, func, insert, select, update

from app.core.errors import DataError
from app.core.time import timeframe_to_ms
from app.storage.candle_chunks import (
    COLUMNS,
    VALUE_COLUMNS,
    FloatArray,
    Int64Array,
    concatenate,
    frame_to_arrays,
    merge,
    missing_bars,
    pack,
    unpack,
)
from app.storage.database import Database
from app.storage.models import Base, CandleChunkRecord, CandleSeriesRecord

logger = logging.getLogger(__name__)

# Part of the stored format: a candle lives in window ts // (CHUNK_BARS x timeframe), so changing
# this needs a data migration that re-chunks every series.
CHUNK_BARS = 8192

_series = Base.metadata.tables[CandleSeriesRecord.__tablename__]
_chunks = Base.metadata.tables[CandleChunkRecord.__tablename__]


@dataclass(frozen=True, slots=True)
class Gap:
    """Missing bars between two consecutive stored candles (timestamps in ms UTC)."""

    after_ts: int
    next_ts: int
    missing_bars: int


@dataclass(frozen=True, slots=True)
class SeriesInfo:
    """What is stored for one series: candle count, first/last open time, number of gaps."""

    exchange: str
    symbol: str
    timeframe: str
    count: int
    first_ts: int
    last_ts: int
    gaps: int


class CandleStore:
    """Stores and loads OHLCV candles keyed by (exchange, symbol, timeframe, timestamp).

    Args:
        database: a migrated :class:`~app.storage.database.Database`.
    """

    def __init__(self, database: Database) -> None:
        self._db = database

    def upsert(self, exchange: str, symbol: str, timeframe: str, frame: pd.DataFrame) -> int:
        """Store candles; existing timestamps take the new values. Idempotent.

        Args:
            exchange: exchange id ("binance").
            symbol: unified symbol ("BTC/USDT").
            timeframe: ccxt timeframe ("1h").
            frame: columns timestamp (int ms UTC, candle open time), open, high, low, close,
                volume; any order, timestamps unique.

        Returns:
            The number of candles that were not stored before.

        Raises:
            DataError: missing columns, non-numeric or non-finite values, duplicate timestamps,
                or an invalid timeframe; nothing is stored.
            StorageError: the database failed; nothing is stored.
        """
        span = _timeframe_ms(timeframe) * CHUNK_BARS
        ts, values = frame_to_arrays(frame)
        if ts.size == 0:
            return 0
        tf_ms = span // CHUNK_BARS
        keys = ts // span
        cuts = np.flatnonzero(np.diff(keys)) + 1
        bounds = zip(np.concatenate(([0], cuts)), np.concatenate((cuts, [ts.size])), strict=True)
        added_total = 0
        with self._db.connect() as connection:
            series_id = _ensure_series(connection, exchange, symbol, timeframe)
            stored = _stored_chunks(connection, series_id, int(keys[0]), int(keys[-1]), span)
            inserts: list[dict[str, Any]] = []
            updates: list[dict[str, Any]] = []
            for begin, end in bounds:
                chunk_start = int(keys[begin]) * span
                new_ts, new_values = ts[begin:end], values[:, begin:end]
                old = stored.get(chunk_start)
                if old is None:
                    merged: tuple[Int64Array, FloatArray] | None = (new_ts, new_values)
                    added = int(new_ts.size)
                else:
                    merged, added = merge(*unpack(*old), new_ts, new_values)
                if merged is None:
                    continue
                row = _chunk_row(series_id, chunk_start, *merged, tf_ms)
                (inserts if old is None else updates).append(row)
                added_total += added
            if inserts:
                connection.execute(insert(_chunks), inserts)
            if updates:
                connection.execute(_update_chunk_statement(), updates)
        logger.debug(
            "stored %d new candles for %s %s %s (%d given)",
            added_total,
            exchange,
            symbol,
            timeframe,
            ts.size,
        )
        return added_total

    def load_arrays(
        self,
        exchange: str,
        symbol: str,
        timeframe: str,
        start: int | None = None,
        end: int | None = None,
    ) -> dict[str, np.ndarray]:
        """Candles with ``start <= timestamp <= end`` as numpy arrays, ascending.

        Args:
            exchange: exchange id.
            symbol: unified symbol.
            timeframe: ccxt timeframe.
            start: first open time to include (ms UTC), None for the beginning.
            end: last open time to include (ms UTC), None for the end.

        Returns:
            ``{"timestamp": int64 array, "open"/"high"/"low"/"close"/"volume": float64 arrays}``;
            empty arrays when nothing is stored.

        Raises:
            StorageError: the database failed.
        """
        low = np.iinfo(np.int64).min if start is None else start
        high = np.iinfo(np.int64).max if end is None else end
        with self._db.connect(readonly=True) as connection:
            series_id = _find_series(connection, exchange, symbol, timeframe)
            blobs: Sequence[Any] = []
            if series_id is not None and low <= high:
                query = (
                    select(_chunks.c.data, _chunks.c.count)
                    .where(
                        _chunks.c.series_id == series_id,
                        _chunks.c.last_ts >= low,
                        _chunks.c.first_ts <= high,
                    )
                    .order_by(_chunks.c.chunk_start)
                )
                blobs = connection.execute(query).all()
        ts, values = concatenate(blobs)
        if ts.size and (ts[0] < low or ts[-1] > high):
            first = np.searchsorted(ts, low, side="left")
            last = np.searchsorted(ts, high, side="right")
            ts, values = ts[first:last], values[:, first:last]
        arrays: dict[str, np.ndarray] = {"timestamp": ts}
        for index, name in enumerate(VALUE_COLUMNS):
            arrays[name] = values[index]
        return arrays

    def load(
        self,
        exchange: str,
        symbol: str,
        timeframe: str,
        start: int | None = None,
        end: int | None = None,
    ) -> pd.DataFrame:
        """Candles with ``start <= timestamp <= end`` as a DataFrame (see :meth:`load_arrays`).

        Returns:
            Columns timestamp (int64 ms UTC), open, high, low, close, volume (float64),
            ascending by timestamp, with a default RangeIndex.

        Raises:
            StorageError: the database failed.
        """
        arrays = self.load_arrays(exchange, symbol, timeframe, start, end)
        return pd.DataFrame(arrays, columns=list(COLUMNS), copy=False)

    def delete(self, exchange: str, symbol: str, timeframe: str) -> int:
        """Remove a whole series.

        Returns:
            How many candles were removed (0 when the series did not exist).

        Raises:
            StorageError: the database failed (nothing is removed).
        """
        with self._db.connect() as connection:
            series_id = _find_series(connection, exchange, symbol, timeframe, lock=True)
            if series_id is None:
                return 0
            query = select(func.sum(_chunks.c.count)).where(_chunks.c.series_id == series_id)
            removed = int(connection.execute(query).scalar() or 0)
            connection.execute(delete(_chunks).where(_chunks.c.series_id == series_id))
            connection.execute(delete(_series).where(_series.c.id == series_id))
        logger.info("deleted %d candles of %s %s %s", removed, exchange, symbol, timeframe)
        return removed

    def last_timestamp(self, exchange: str, symbol: str, timeframe: str) -> int | None:
        """Open time of the newest stored candle of a series, None when nothing is stored.

        Raises:
            StorageError: the database failed.
        """
        with self._db.connect(readonly=True) as connection:
            series_id = _find_series(connection, exchange, symbol, timeframe)
            if series_id is None:
                return None
            query = select(func.max(_chunks.c.last_ts)).where(_chunks.c.series_id == series_id)
            value = connection.execute(query).scalar()
        return None if value is None else int(value)

    def series(self) -> list[SeriesInfo]:
        """Every stored series with its candle count, range and number of gaps, sorted by name.

        Raises:
            StorageError: the database failed.
        """
        query = (
            select(
                _series.c.exchange,
                _series.c.symbol,
                _series.c.timeframe,
                _chunks.c.first_ts,
                _chunks.c.last_ts,
                _chunks.c.count,
                _chunks.c.gap_count,
            )
            .join(_chunks, _chunks.c.series_id == _series.c.id)
            .order_by(
                _series.c.exchange, _series.c.symbol, _series.c.timeframe, _chunks.c.chunk_start
            )
        )
        with self._db.connect(readonly=True) as connection:
            rows = connection.execute(query).all()
        result: list[SeriesInfo] = []
        index = 0
        while index < len(rows):
            key = tuple(rows[index][:3])
            group = []
            while index < len(rows) and tuple(rows[index][:3]) == key:
                group.append(rows[index])
                index += 1
            result.append(_summarise(key, group))
        return result

    def gaps(self, exchange: str, symbol: str, timeframe: str) -> list[Gap]:
        """Every gap of a series: consecutive stored candles more than one timeframe apart.

        Raises:
            DataError: the timeframe is invalid.
            StorageError: the database failed.
        """
        tf_ms = _timeframe_ms(timeframe)
        ts = self.load_arrays(exchange, symbol, timeframe)["timestamp"]
        missing = missing_bars(np.diff(ts), tf_ms)
        where = np.flatnonzero(missing > 0)
        return [
            Gap(after_ts=int(ts[i]), next_ts=int(ts[i + 1]), missing_bars=int(missing[i]))
            for i in where
        ]


def _timeframe_ms(timeframe: str) -> int:
    try:
        return timeframe_to_ms(timeframe)
    except ValueError as exc:
        raise DataError(str(exc)) from exc


def _find_series(
    connection: Connection, exchange: str, symbol: str, timeframe: str, *, lock: bool = False
) -> int | None:
    """Id of a series, None when it does not exist; ``lock`` holds it for an upsert."""
    condition = and_(
        _series.c.exchange == exchange,
        _series.c.symbol == symbol,
        _series.c.timeframe == timeframe,
    )
    query = select(_series.c.id).where(condition)
    if lock:
        query = query.with_for_update()
    found = connection.execute(query).scalar()
    return None if found is None else int(found)


def _ensure_series(connection: Connection, exchange: str, symbol: str, timeframe: str) -> int:
    """Id of a series (created when new), locked for the rest of the transaction."""
    found = _find_series(connection, exchange, symbol, timeframe, lock=True)
    if found is not None:
        return found
    values = {"exchange": exchange, "symbol": symbol, "timeframe": timeframe}
    inserted = connection.execute(insert(_series).values(values).returning(_series.c.id))
    return int(inserted.scalar_one())


def _stored_chunks(
    connection: Connection, series_id: int, first_key: int, last_key: int, span: int
) -> dict[int, tuple[bytes, int]]:
    """Stored windows ``first_key .. last_key`` (window numbers) by chunk_start."""
    query = select(_chunks.c.chunk_start, _chunks.c.data, _chunks.c.count).where(
        _chunks.c.series_id == series_id,
        _chunks.c.chunk_start >= first_key * span,
        _chunks.c.chunk_start <= last_key * span,
    )
    return {int(start): (data, int(count)) for start, data, count in connection.execute(query)}


def _update_chunk_statement() -> Any:
    return (
        update(_chunks)
        .where(
            _chunks.c.series_id == bindparam("b_series_id"),
            _chunks.c.chunk_start == bindparam("b_chunk_start"),
        )
        .values(
            first_ts=bindparam("first_ts"),
            last_ts=bindparam("last_ts"),
            count=bindparam("count"),
            gap_count=bindparam("gap_count"),
            data=bindparam("data"),
        )
    )


def _chunk_row(
    series_id: int, chunk_start: int, ts: Int64Array, values: FloatArray, tf_ms: int
) -> dict[str, Any]:
    gap_count = int((missing_bars(np.diff(ts), tf_ms) > 0).sum())
    return {
        "series_id": series_id,
        "chunk_start": chunk_start,
        "b_series_id": series_id,
        "b_chunk_start": chunk_start,
        "first_ts": int(ts[0]),
        "last_ts": int(ts[-1]),
        "count": int(ts.size),
        "gap_count": gap_count,
        "data": pack(ts, values),
    }


def _summarise(key: tuple[Any, ...], group: Sequence[Any]) -> SeriesInfo:
    """SeriesInfo from one series' chunk rows (ascending): gaps inside and between windows."""
    exchange, symbol, timeframe = (str(part) for part in key)
    tf_ms = _timeframe_ms(timeframe)
    firsts = np.array([row.first_ts for row in group], dtype=np.int64)
    lasts = np.array([row.last_ts for row in group], dtype=np.int64)
    between = int((missing_bars(firsts[1:] - lasts[:-1], tf_ms) > 0).sum())
    return SeriesInfo(
        exchange=exchange,
        symbol=symbol,
        timeframe=timeframe,
        count=sum(int(row.count) for row in group),
        first_ts=int(firsts[0]),
        last_ts=int(lasts[-1]),
        gaps=between + sum(int(row.gap_count) for row in group),
    )
