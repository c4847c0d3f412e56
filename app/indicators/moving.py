"""Moving averages: simple (SMA) and exponential (EMA), TA-Lib conventions."""

from __future__ import annotations

import numpy.typing as npt

from app.indicators._series import (
    FloatArray,
    as_series,
    check_period,
    on_present_rows,
    rolling_mean,
    seeded_ema,
)
from app.indicators.memo import memoized


@memoized
def sma(close: npt.ArrayLike, period: int) -> FloatArray:
    """Simple moving average (TA-Lib ``SMA``).

    Args:
        close: the price series.
        period: window length (>= 1).

    Returns:
        Float64 array of ``len(close)``; the first ``period - 1`` values are NaN.

    Raises:
        ValueError: ``period`` is not a whole number >= 1.
        DataError: ``close`` is not a 1-D numeric series.
    """
    values = as_series(close, "close")
    n = check_period(period)
    return on_present_rows(lambda x: (rolling_mean(x, n),), values)[0]


@memoized
def ema(close: npt.ArrayLike, period: int) -> FloatArray:
    """Exponential moving average (TA-Lib ``EMA``), smoothing 2 / (period + 1).

    Seeded with the SMA of the first ``period`` values, so the first ``period - 1`` outputs are
    NaN and the value at bar ``period - 1`` equals that SMA.

    Args:
        close: the price series.
        period: window length (>= 1).

    Returns:
        Float64 array of ``len(close)``.

    Raises:
        ValueError: ``period`` is not a whole number >= 1.
        DataError: ``close`` is not a 1-D numeric series.
    """
    values = as_series(close, "close")
    n = check_period(period)
    return on_present_rows(lambda x: (seeded_ema(x, n, 2.0 / (n + 1), 0),), values)[0]
