"""Momentum oscillators: RSI, MACD and the stochastic oscillator (TA-Lib conventions)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from app.indicators._series import (
    FloatArray,
    as_series,
    check_period,
    on_present_rows,
    rolling_max,
    rolling_mean,
    rolling_min,
    same_length,
    seeded_ema,
)
from app.indicators.memo import memoized

NEUTRAL_RSI = 50.0


@memoized
def rsi(close: npt.ArrayLike, period: int = 14) -> FloatArray:
    """Relative strength index with Wilder's smoothing (TA-Lib ``RSI``).

    The average gain and loss start as plain means of the first ``period`` changes and are
    then smoothed with factor 1/period. The first ``period`` outputs are NaN. Where price did
    not move at all over the averaging span (no gains, no losses) the RSI is 50 (neutral);
    TA-Lib reports 0 there, which would read as "extremely oversold".

    Args:
        close: the price series.
        period: number of changes averaged (>= 1).

    Returns:
        Float64 array of ``len(close)`` with values in [0, 100].

    Raises:
        ValueError: ``period`` is not a whole number >= 1.
        DataError: ``close`` is not a 1-D numeric series.
    """
    values = as_series(close, "close")
    n = check_period(period)
    return on_present_rows(lambda x: (_rsi(x, n),), values)[0]


def _rsi(close: FloatArray, n: int) -> FloatArray:
    out = np.full(len(close), np.nan)
    if len(close) <= n:
        return out
    change = np.diff(close)
    gain = np.where(change > 0, change, 0.0)
    loss = np.where(change < 0, -change, 0.0)
    average_gain = seeded_ema(gain, n, 1.0 / n, 0)
    average_loss = seeded_ema(loss, n, 1.0 / n, 0)
    total = average_gain + average_loss
    with np.errstate(invalid="ignore", divide="ignore"):
        value = 100.0 * (average_gain / total)
    out[1:] = np.where(total == 0, NEUTRAL_RSI, value)
    return out


@memoized
def macd(
    close: npt.ArrayLike, fast: int = 12, slow: int = 26, signal: int = 9
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Moving average convergence/divergence (TA-Lib ``MACD``).

    line = EMA(fast) - EMA(slow); signal = EMA(line, signal); histogram = line - signal. As in
    TA-Lib, both EMAs start at the same bar (the fast one is seeded with the SMA of the
    ``fast`` closes ending at bar ``slow - 1``) and all three outputs are NaN for the first
    ``slow + signal - 2`` bars.

    Args:
        close: the price series.
        fast: fast EMA length (>= 1, less than ``slow``).
        slow: slow EMA length.
        signal: signal EMA length (>= 1).

    Returns:
        ``(line, signal, histogram)``, each of ``len(close)``.

    Raises:
        ValueError: a period is not a whole number >= 1, or ``fast >= slow``.
        DataError: ``close`` is not a 1-D numeric series.
    """
    values = as_series(close, "close")
    fast_n, slow_n = check_period(fast, "fast"), check_period(slow, "slow")
    signal_n = check_period(signal, "signal")
    if fast_n >= slow_n:
        raise ValueError(f"fast: must be less than slow ({slow_n}), got {fast_n}")
    line, sig, hist = on_present_rows(lambda x: _macd(x, fast_n, slow_n, signal_n), values)
    return line, sig, hist


def _macd(
    close: FloatArray, fast: int, slow: int, signal: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    slow_ema = seeded_ema(close, slow, 2.0 / (slow + 1), 0)
    fast_ema = seeded_ema(close, fast, 2.0 / (fast + 1), slow - fast)
    line = fast_ema - slow_ema
    sig = seeded_ema(line, signal, 2.0 / (signal + 1), slow - 1)
    line[: slow + signal - 2] = np.nan
    return line, sig, line - sig


@memoized
def stochastic(
    high: npt.ArrayLike,
    low: npt.ArrayLike,
    close: npt.ArrayLike,
    k_period: int = 14,
    k_smooth: int = 3,
    d_period: int = 3,
) -> tuple[FloatArray, FloatArray]:
    """Slow stochastic oscillator (TA-Lib ``STOCH`` with simple moving averages).

    fast %K = 100 x (close - lowest low) / (highest high - lowest low) over ``k_period`` bars
    (0 when the range is empty); %K = SMA(fast %K, ``k_smooth``); %D = SMA(%K, ``d_period``).
    Both outputs are NaN for the first ``k_period + k_smooth + d_period - 3`` bars.

    Args:
        high: bar highs.
        low: bar lows.
        close: bar closes.
        k_period: look-back of the high/low range (>= 1).
        k_smooth: smoothing of %K (>= 1).
        d_period: length of %D (>= 1).

    Returns:
        ``(k, d)``, each of ``len(close)``, values in [0, 100].

    Raises:
        ValueError: a period is not a whole number >= 1.
        DataError: an input is not a 1-D numeric series or the lengths differ.
    """
    h, lo, c = as_series(high, "high"), as_series(low, "low"), as_series(close, "close")
    same_length(high=h, low=lo, close=c)
    periods = (
        check_period(k_period, "k_period"),
        check_period(k_smooth, "k_smooth"),
        check_period(d_period, "d_period"),
    )
    k, d = on_present_rows(lambda hi, lw, cl: _stochastic(hi, lw, cl, *periods), h, lo, c)
    return k, d


def _stochastic(
    high: FloatArray, low: FloatArray, close: FloatArray, k_period: int, k_smooth: int, d: int
) -> tuple[FloatArray, FloatArray]:
    lowest = rolling_min(low, k_period)
    span = (rolling_max(high, k_period) - lowest) / 100.0
    with np.errstate(invalid="ignore", divide="ignore"):
        fast_k = np.where(span != 0, (close - lowest) / span, 0.0)
    fast_k[np.isnan(span)] = np.nan
    slow_k = rolling_mean(fast_k, k_smooth)
    slow_d = rolling_mean(slow_k, d)
    slow_k[: k_period + k_smooth + d - 3] = np.nan
    return slow_k, slow_d
