"""Volume indicators: on-balance volume and VWAP."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from app.core.errors import DataError
from app.indicators._series import (
    FloatArray,
    as_series,
    check_period,
    on_present_rows,
    same_length,
)
from app.indicators.memo import memoized

DAY_MS = 86_400_000


@memoized
def obv(close: npt.ArrayLike, volume: npt.ArrayLike) -> FloatArray:
    """On-balance volume (TA-Lib ``OBV``).

    Starts at the first bar's volume; each later bar adds its volume when the close rose,
    subtracts it when the close fell, and keeps the total when the close is unchanged.

    Args:
        close: bar closes.
        volume: bar volumes.

    Returns:
        Float64 array of ``len(close)`` (no warm-up).

    Raises:
        DataError: an input is not a 1-D numeric series or the lengths differ.
    """
    c, v = as_series(close, "close"), as_series(volume, "volume")
    same_length(close=c, volume=v)
    return on_present_rows(lambda cl, vol: (_obv(cl, vol),), c, v)[0]


def _obv(close: FloatArray, volume: FloatArray) -> FloatArray:
    if len(close) == 0:
        return np.empty(0)
    flow = np.empty(len(close))
    flow[0] = volume[0]
    flow[1:] = np.sign(np.diff(close)) * volume[1:]
    return np.cumsum(flow)


@memoized
def vwap(
    high: npt.ArrayLike,
    low: npt.ArrayLike,
    close: npt.ArrayLike,
    volume: npt.ArrayLike,
    *,
    period: int | None = None,
    timestamps: npt.ArrayLike | None = None,
) -> FloatArray:
    """Volume-weighted average price of the typical price (high + low + close) / 3.

    VWAP at bar t = sum(typical x volume) / sum(volume) over one of three spans:

    - neither option: every bar from the start of the series (cumulative);
    - ``period=n``: the last n bars (NaN for the first n - 1 bars);
    - ``timestamps=...``: the bars of the same UTC calendar day up to t (the usual
      intraday "session" VWAP, reset at 00:00 UTC); ``timestamps`` are bar open times in ms.

    Where the span has no volume the VWAP is NaN.

    Args:
        high: bar highs.
        low: bar lows.
        close: bar closes.
        volume: bar volumes.
        period: rolling window length (>= 1); not combined with ``timestamps``.
        timestamps: bar open times (int ms UTC, oldest first) for the daily-anchored VWAP.

    Returns:
        Float64 array of ``len(close)``.

    Raises:
        ValueError: ``period`` is invalid or both options are given.
        DataError: an input is not a 1-D numeric series or the lengths differ.
    """
    h, lo, c = as_series(high, "high"), as_series(low, "low"), as_series(close, "close")
    v = as_series(volume, "volume")
    if period is not None and timestamps is not None:
        raise ValueError("vwap: give either period (rolling) or timestamps (daily), not both")
    if timestamps is None:
        same_length(high=h, low=lo, close=c, volume=v)
        window = None if period is None else check_period(period)
        rolling = on_present_rows(
            lambda hi, lw, cl, vol: (_vwap(hi, lw, cl, vol, window),), h, lo, c, v
        )
        return rolling[0]
    day = _utc_day(timestamps)
    same_length(high=h, low=lo, close=c, volume=v, timestamps=day)
    daily = on_present_rows(
        lambda hi, lw, cl, vol, dy: (_daily_vwap(hi, lw, cl, vol, dy),), h, lo, c, v, day
    )
    return daily[0]


def _utc_day(timestamps: npt.ArrayLike) -> FloatArray:
    """UTC day number of each timestamp (a small whole number, exact as float64)."""
    stamps = np.asarray(timestamps)
    if stamps.ndim != 1 or not np.issubdtype(stamps.dtype, np.integer):
        raise DataError("timestamps: expected a 1-D series of integer milliseconds UTC")
    return (stamps.astype(np.int64) // DAY_MS).astype(np.float64)


def _ratio(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    out = np.full(len(numerator), np.nan)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def _vwap(
    high: FloatArray, low: FloatArray, close: FloatArray, volume: FloatArray, window: int | None
) -> FloatArray:
    weighted = (high + low + close) / 3.0 * volume
    if window is None:
        return _ratio(np.cumsum(weighted), np.cumsum(volume))
    price_volume = pd.Series(weighted).rolling(window).sum().to_numpy(dtype=np.float64)
    total_volume = pd.Series(volume).rolling(window).sum().to_numpy(dtype=np.float64)
    return _ratio(price_volume, total_volume)


def _daily_vwap(
    high: FloatArray, low: FloatArray, close: FloatArray, volume: FloatArray, day: FloatArray
) -> FloatArray:
    weighted = (high + low + close) / 3.0 * volume
    if len(day) == 0:
        return weighted
    session = np.cumsum(np.concatenate(([True], day[1:] != day[:-1])))
    frame = pd.DataFrame({"pv": weighted, "v": volume})
    sums = frame.groupby(session, sort=False).cumsum()
    return _ratio(sums["pv"].to_numpy(dtype=np.float64), sums["v"].to_numpy(np.float64))
