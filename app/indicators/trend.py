"""Trend strength: directional movement (+DI, -DI) and ADX (TA-Lib conventions)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from app.indicators._series import (
    FloatArray,
    as_series,
    check_period,
    on_present_rows,
    same_length,
)
from app.indicators.memo import memoized


@memoized
def dmi(
    high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike, period: int = 14
) -> tuple[FloatArray, FloatArray]:
    """Directional indicators +DI and -DI (TA-Lib ``PLUS_DI`` / ``MINUS_DI``).

    Directional movement and true range are Wilder-smoothed sums; DI = 100 x smoothed DM /
    smoothed true range (0 while the smoothed true range is 0).

    Args:
        high: bar highs.
        low: bar lows.
        close: bar closes.
        period: smoothing length (>= 2).

    Returns:
        ``(plus_di, minus_di)``, each of ``len(close)``, NaN for the first ``period`` bars.

    Raises:
        ValueError: ``period`` is not a whole number >= 2.
        DataError: an input is not a 1-D numeric series or the lengths differ.
    """
    h, lo, c = as_series(high, "high"), as_series(low, "low"), as_series(close, "close")
    same_length(high=h, low=lo, close=c)
    n = check_period(period, minimum=2)
    plus, minus = on_present_rows(
        lambda hi, lw, cl: _directional_indicators(hi, lw, cl, n), h, lo, c
    )
    return plus, minus


@memoized
def adx(
    high: npt.ArrayLike, low: npt.ArrayLike, close: npt.ArrayLike, period: int = 14
) -> FloatArray:
    """Average directional index (TA-Lib ``ADX``).

    DX = 100 x |+DI - -DI| / (+DI + -DI); the first ADX (bar ``2 x period - 1``) is the mean
    of the first ``period`` DX values, then ``adx = (previous x (period - 1) + dx) / period``.
    Bars where DX is undefined (no range at all) keep the previous ADX.

    Args:
        high: bar highs.
        low: bar lows.
        close: bar closes.
        period: smoothing length (>= 2).

    Returns:
        Float64 array of ``len(close)`` in [0, 100]; the first ``2 x period - 1`` values are NaN.

    Raises:
        ValueError: ``period`` is not a whole number >= 2.
        DataError: an input is not a 1-D numeric series or the lengths differ.
    """
    h, lo, c = as_series(high, "high"), as_series(low, "low"), as_series(close, "close")
    same_length(high=h, low=lo, close=c)
    n = check_period(period, minimum=2)
    return on_present_rows(lambda hi, lw, cl: (_adx(hi, lw, cl, n),), h, lo, c)[0]


def _continue_wilder(seed: float, rest: FloatArray, period: int, *, skip_nan: bool) -> FloatArray:
    """``[seed, y1, y2, ...]`` with ``y = y + (v - y) / period`` for each ``v`` in ``rest``.

    With ``skip_nan`` a NaN value leaves the state unchanged (and is output as the state).
    """
    series = np.concatenate(([seed], rest))
    smoothed = pd.Series(series).ewm(alpha=1.0 / period, adjust=False, ignore_na=skip_nan)
    return smoothed.mean().to_numpy(dtype=np.float64)


def _smoothed_movement(values: FloatArray, period: int) -> FloatArray:
    """Wilder's running sum S = S - S/period + v divided by ``period`` (the ratios are the same).

    ``values`` is indexed by bar (bar 0 unused). The sum starts as the total of bars
    1..period-1; the output starts at bar ``period``.
    """
    out = np.full(len(values), np.nan)
    if len(values) <= period:
        return out
    seed = float(values[1:period].sum()) / period
    out[period - 1 :] = _continue_wilder(seed, values[period:], period, skip_nan=False)
    out[period - 1] = np.nan
    return out


def _directional_indicators(
    high: FloatArray, low: FloatArray, close: FloatArray, period: int
) -> tuple[FloatArray, FloatArray]:
    plus_dm = np.zeros(len(close))
    minus_dm = np.zeros(len(close))
    true_range = np.zeros(len(close))
    if len(close) > 1:
        up = high[1:] - high[:-1]
        down = low[:-1] - low[1:]
        plus_dm[1:] = np.where((up > 0) & (up > down), up, 0.0)
        minus_dm[1:] = np.where((down > 0) & (down > up), down, 0.0)
        previous = close[:-1]
        true_range[1:] = np.maximum(
            high[1:] - low[1:],
            np.maximum(np.abs(high[1:] - previous), np.abs(low[1:] - previous)),
        )
    smoothed_tr = _smoothed_movement(true_range, period)
    with np.errstate(invalid="ignore", divide="ignore"):
        plus = 100.0 * (_smoothed_movement(plus_dm, period) / smoothed_tr)
        minus = 100.0 * (_smoothed_movement(minus_dm, period) / smoothed_tr)
    no_range = smoothed_tr == 0
    plus[no_range] = 0.0
    minus[no_range] = 0.0
    return plus, minus


def _adx(high: FloatArray, low: FloatArray, close: FloatArray, period: int) -> FloatArray:
    out = np.full(len(close), np.nan)
    first = 2 * period - 1
    if len(close) <= first:
        return out
    plus, minus = _directional_indicators(high, low, close, period)
    total = plus + minus
    with np.errstate(invalid="ignore", divide="ignore"):
        dx = 100.0 * (np.abs(minus - plus) / total)
    dx[total == 0] = np.nan
    seed = float(np.nansum(dx[period : first + 1])) / period
    out[first:] = _continue_wilder(seed, dx[first + 1 :], period, skip_nan=True)
    return out
