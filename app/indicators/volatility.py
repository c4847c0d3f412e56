"""Volatility: standard deviation, Bollinger bands, true range and ATR (TA-Lib conventions)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pandas as pd

from app.indicators._series import (
    FloatArray,
    as_series,
    check_period,
    on_present_rows,
    rolling_mean,
    same_length,
    seeded_ema,
)
from app.indicators.memo import memoized


@memoized
def stddev(close: npt.ArrayLike, period: int = 20) -> FloatArray:
    """Population standard deviation of the last ``period`` values (TA-Lib ``STDDEV``, nbdev 1).

    Args:
        close: the series.
        period: window length (>= 1).

    Returns:
        Float64 array of ``len(close)``; the first ``period - 1`` values are NaN.

    Raises:
        ValueError: ``period`` is not a whole number >= 1.
        DataError: ``close`` is not a 1-D numeric series.
    """
    values = as_series(close, "close")
    n = check_period(period)
    return on_present_rows(lambda x: (_rolling_std(x, n),), values)[0]


# pandas' rolling variance updates a running state and drifts by ~1e-15 x price² over a long
# series: harmless for normal windows but it turns a flat window's zero into a visible number.
# Windows whose variance is below this fraction of the squared mean are recomputed exactly.
_EXACT_BELOW = 1e-9
_CHUNK_ROWS = 1 << 15


def _rolling_std(values: FloatArray, period: int) -> FloatArray:
    rolling = pd.Series(values).rolling(period)
    mean = rolling.mean().to_numpy(dtype=np.float64)
    variance = rolling.var(ddof=0).to_numpy(dtype=np.float64, copy=True)
    with np.errstate(invalid="ignore"):
        near_flat = np.flatnonzero(variance < _EXACT_BELOW * mean * mean)
    if near_flat.size:
        windows = np.lib.stride_tricks.sliding_window_view(values, period)
        for start in range(0, near_flat.size, _CHUNK_ROWS):
            rows = near_flat[start : start + _CHUNK_ROWS]
            block = windows[rows - period + 1]
            deviation = block - block[:, :1]
            deviation -= deviation.mean(axis=1, keepdims=True)
            variance[rows] = np.einsum("ij,ij->i", deviation, deviation) / period
    return np.asarray(np.sqrt(np.maximum(variance, 0.0)), dtype=np.float64)


@memoized
def bollinger(
    close: npt.ArrayLike, period: int = 20, k: float = 2.0
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Bollinger bands (TA-Lib ``BBANDS`` with an SMA middle and equal up/down widths).

    middle = SMA(period); upper/lower = middle ± k x population standard deviation.

    Args:
        close: the price series.
        period: window length (>= 1).
        k: band width in standard deviations (finite, >= 0).

    Returns:
        ``(upper, middle, lower)``, each of ``len(close)``, NaN for the first ``period - 1`` bars.

    Raises:
        ValueError: ``period`` is not a whole number >= 1 or ``k`` is negative or not finite.
        DataError: ``close`` is not a 1-D numeric series.
    """
    values = as_series(close, "close")
    n = check_period(period)
    if isinstance(k, bool) or not isinstance(k, int | float) or not math.isfinite(k) or k < 0:
        raise ValueError(f"k: must be a finite number >= 0, got {k!r}")
    width = float(k)

    def compute(x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        middle = rolling_mean(x, n)
        spread = _rolling_std(x, n) * width
        return middle + spread, middle, middle - spread

    upper, middle, lower = on_present_rows(compute, values)
    return upper, middle, lower


@memoized
def true_range(high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike) -> FloatArray:
    """True range (TA-Lib ``TRANGE``): max(high - low, |high - prev close|, |low - prev close|).

    Args:
        high: bar highs.
        low: bar lows.
        close: bar closes.

    Returns:
        Float64 array of ``len(close)``; the first value is NaN (no previous close).

    Raises:
        DataError: an input is not a 1-D numeric series or the lengths differ.
    """
    h, lo, c = as_series(high, "high"), as_series(low, "low"), as_series(close, "close")
    same_length(high=h, low=lo, close=c)
    return on_present_rows(lambda hi, lw, cl: (_true_range(hi, lw, cl),), h, lo, c)[0]


def _true_range(high: FloatArray, low: FloatArray, close: FloatArray) -> FloatArray:
    out = np.full(len(close), np.nan)
    if len(close) > 1:
        previous = close[:-1]
        out[1:] = np.maximum(
            high[1:] - low[1:],
            np.maximum(np.abs(high[1:] - previous), np.abs(low[1:] - previous)),
        )
    return out


@memoized
def atr(
    high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike, period: int = 14
) -> FloatArray:
    """Average true range with Wilder's smoothing (TA-Lib ``ATR``).

    The first value (bar ``period``) is the mean of the first ``period`` true ranges; after
    that ``atr = (previous x (period - 1) + true range) / period``.

    Args:
        high: bar highs.
        low: bar lows.
        close: bar closes.
        period: smoothing length (>= 1).

    Returns:
        Float64 array of ``len(close)``; the first ``period`` values are NaN.

    Raises:
        ValueError: ``period`` is not a whole number >= 1.
        DataError: an input is not a 1-D numeric series or the lengths differ.
    """
    h, lo, c = as_series(high, "high"), as_series(low, "low"), as_series(close, "close")
    same_length(high=h, low=lo, close=c)
    n = check_period(period)

    def compute(*cols: FloatArray) -> tuple[FloatArray]:
        return (seeded_ema(_true_range(*cols), n, 1.0 / n, 1),)

    return on_present_rows(compute, h, lo, c)[0]
