"""Packed columnar candle windows: validation of incoming frames, pack/unpack, merge.

One window is stored as little-endian columns ``timestamp int64[n] | open | high | low | close |
volume float64[n]``, ascending and unique by timestamp (see :mod:`app.storage.candles`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from app.core.errors import DataError

COLUMNS: tuple[str, ...] = ("timestamp", "open", "high", "low", "close", "volume")
VALUE_COLUMNS: tuple[str, ...] = COLUMNS[1:]

Int64Array = NDArray[np.int64]
FloatArray = NDArray[np.float64]

_TS = np.dtype("<i8")
_VALUES = np.dtype("<f8")


def frame_to_arrays(frame: pd.DataFrame) -> tuple[Int64Array, FloatArray]:
    """Validated (timestamps, values[5, n]) of a candle frame, sorted by timestamp.

    Raises:
        DataError: a column is missing, a value is not a finite number, timestamps are not
            integers or one appears twice.
    """
    missing = [name for name in COLUMNS if name not in frame.columns]
    if missing:
        raise DataError(
            f"candles are missing the column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}"
        )
    raw_ts = frame["timestamp"].to_numpy()
    if raw_ts.dtype.kind not in "iu":
        raise DataError(f"candle timestamps must be integer milliseconds, got dtype {raw_ts.dtype}")
    ts = raw_ts.astype(np.int64, copy=False)
    try:
        values = np.ascontiguousarray(frame[list(VALUE_COLUMNS)].to_numpy(dtype=np.float64).T)
    except (TypeError, ValueError) as exc:
        raise DataError(f"candle values must be numbers: {exc}") from exc
    if not np.isfinite(values).all():
        bad = int(ts[np.flatnonzero(~np.isfinite(values).all(axis=0))[0]])
        raise DataError(f"candle at timestamp {bad} has a NaN or infinite value")
    if ts.size > 1 and not (np.diff(ts) > 0).all():
        order = np.argsort(ts, kind="stable")
        ts, values = ts[order], values[:, order]
        duplicated = np.flatnonzero(np.diff(ts) == 0)
        if duplicated.size:
            raise DataError(f"candles contain the timestamp {int(ts[duplicated[0]])} twice")
    return ts, values


def missing_bars(deltas: Int64Array, tf_ms: int) -> Int64Array:
    """Bars missing between neighbours ``deltas`` ms apart (rounded: calendar months vary)."""
    return np.asarray((deltas + tf_ms // 2) // tf_ms - 1, dtype=np.int64)


def pack(ts: Int64Array, values: FloatArray) -> bytes:
    """The blob of one window: timestamps then the five value columns, little-endian."""
    return ts.astype(_TS, copy=False).tobytes() + values.astype(_VALUES, copy=False).tobytes()


def unpack(data: bytes, count: int) -> tuple[Int64Array, FloatArray]:
    """Read-only views (timestamps, values[5, count]) on a window's blob (no copy)."""
    ts = np.frombuffer(data, dtype=_TS, count=count)
    values = np.frombuffer(data, dtype=_VALUES, count=count * 5, offset=count * 8)
    return ts, values.reshape(5, count)


def merge(
    old_ts: Int64Array, old_values: FloatArray, new_ts: Int64Array, new_values: FloatArray
) -> tuple[tuple[Int64Array, FloatArray] | None, int]:
    """Merged window and the number of added candles; None when nothing changes."""
    present = np.isin(new_ts, old_ts, assume_unique=True)
    added = int(new_ts.size - present.sum())
    if added == 0:
        positions = np.searchsorted(old_ts, new_ts)
        if np.array_equal(old_values[:, positions], new_values):
            return None, 0
    keep = ~np.isin(old_ts, new_ts, assume_unique=True)
    ts = np.concatenate((old_ts[keep], new_ts))
    values = np.concatenate((old_values[:, keep], new_values), axis=1)
    order = np.argsort(ts, kind="stable")
    return (ts[order], np.ascontiguousarray(values[:, order])), added


def concatenate(blobs: Iterable[Any]) -> tuple[Int64Array, FloatArray]:
    """Copy every blob's columns into one (timestamps, values[5, n]) pair."""
    parts = [(data, int(count)) for data, count in blobs]
    total = sum(count for _, count in parts)
    ts = np.empty(total, dtype=np.int64)
    values = np.empty((5, total), dtype=np.float64)
    position = 0
    for data, count in parts:
        chunk_ts, chunk_values = unpack(data, count)
        ts[position : position + count] = chunk_ts
        values[:, position : position + count] = chunk_values
        position += count
    return ts, values
