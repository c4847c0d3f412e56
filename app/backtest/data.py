"""Candle input of a backtest: validation and conversion to contiguous float64/int64 arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from app.core.errors import BacktestError

REQUIRED_COLUMNS: tuple[str, ...] = ("timestamp", "open", "high", "low", "close", "volume")
YEAR_MS = 365 * 86_400_000

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class CandleArrays:
    """The columns of a candle frame as numpy arrays (one row per bar, oldest first)."""

    timestamp: IntArray
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray

    def __len__(self) -> int:
        return int(self.timestamp.shape[0])


def candle_arrays(candles: pd.DataFrame) -> CandleArrays:
    """Validate a candle frame and return its columns as arrays.

    Args:
        candles: columns timestamp (int ms UTC, candle open time), open, high, low, close, volume.

    Returns:
        The arrays, sharing memory with the frame where the dtypes already match.

    Raises:
        BacktestError: a column is missing, there are fewer than 2 rows, a price is missing or
            not positive, or timestamps are not strictly increasing.
    """
    missing = [name for name in REQUIRED_COLUMNS if name not in candles.columns]
    if missing:
        raise BacktestError(
            f"candles: missing column(s) {', '.join(missing)}; "
            f"expected {', '.join(REQUIRED_COLUMNS)}"
        )
    if len(candles) < 2:
        raise BacktestError(f"candles: a backtest needs at least 2 bars, got {len(candles)}")
    try:
        timestamp = np.ascontiguousarray(candles["timestamp"].to_numpy(), dtype=np.int64)
        prices = [
            np.ascontiguousarray(candles[name].to_numpy(), dtype=np.float64)
            for name in ("open", "high", "low", "close")
        ]
    except (TypeError, ValueError) as exc:
        raise BacktestError(f"candles: non-numeric values ({exc})") from exc
    for name, values in zip(("open", "high", "low", "close"), prices, strict=True):
        bad = ~(values > 0)
        if bad.any():
            row = int(np.argmax(bad))
            raise BacktestError(
                f"candles: {name} must be a positive number, got {values[row]!r} at row {row}"
            )
    steps = np.diff(timestamp)
    if (steps <= 0).any():
        row = int(np.argmax(steps <= 0)) + 1
        raise BacktestError(
            f"candles: timestamps must be strictly increasing; row {row} "
            f"({int(timestamp[row])}) is not after the row before it"
        )
    return CandleArrays(timestamp, prices[0], prices[1], prices[2], prices[3])


def infer_timeframe_ms(timestamp: IntArray) -> int:
    """The bar length in ms: the median step between consecutive timestamps."""
    return int(np.median(np.diff(timestamp)))


def periods_per_year(timeframe_ms: int) -> float:
    """Bars per year for a market that trades 24/7 (365 days)."""
    return YEAR_MS / timeframe_ms
