"""Every indicator against TA-Lib on all five shared datasets, warm-up NaNs included."""

from __future__ import annotations

import numpy as np
import pytest
import talib

from app import indicators
from tests.indicators.conftest import Candles
from tests.indicators.helpers import assert_matches

OSCILLATOR = 100.0


@pytest.mark.parametrize("period", [2, 14, 30])
def test_rsi(candles: Candles, period: int) -> None:
    ours = indicators.rsi(candles.close, period)
    assert_matches(ours, talib.RSI(candles.close, period), "RSI", OSCILLATOR)
    assert np.isnan(ours[:period]).all()


@pytest.mark.parametrize(("fast", "slow", "signal"), [(12, 26, 9), (5, 35, 5), (3, 10, 1)])
def test_macd(candles: Candles, fast: int, slow: int, signal: int) -> None:
    ours = indicators.macd(candles.close, fast, slow, signal)
    reference = talib.MACD(candles.close, fast, slow, signal)
    for name, mine, theirs in zip(("line", "signal", "hist"), ours, reference, strict=True):
        # The line is a difference of two price EMAs: measure the error against the price.
        assert_matches(mine, theirs, f"MACD {name}", np.abs(candles.close))


@pytest.mark.parametrize(("period", "k"), [(20, 2.0), (10, 1.5), (50, 3.0)])
def test_bollinger(candles: Candles, period: int, k: float) -> None:
    ours = indicators.bollinger(candles.close, period, k)
    reference = talib.BBANDS(candles.close, period, k, k, 0)
    for name, mine, theirs in zip(("upper", "middle", "lower"), ours, reference, strict=True):
        assert_matches(mine, theirs, f"BBANDS {name}")


@pytest.mark.parametrize("period", [5, 20])
def test_stddev(candles: Candles, period: int) -> None:
    # TA-Lib derives the variance from running sums of x and x² and loses digits to
    # cancellation; ours is exact (see test_stddev_is_exact), so compare against the price.
    ours = indicators.stddev(candles.close, period)
    assert_matches(ours, talib.STDDEV(candles.close, period, 1.0), "STDDEV", candles.close)


@pytest.mark.parametrize("period", [5, 10, 20])
def test_stddev_is_exact(candles: Candles, period: int) -> None:
    close = candles.close
    windows = np.lib.stride_tricks.sliding_window_view(close, period)
    two_pass = np.sqrt(((windows - windows.mean(axis=1, keepdims=True)) ** 2).mean(axis=1))
    ours = indicators.stddev(close, period)
    assert np.isnan(ours[: period - 1]).all()
    error = np.abs(ours[period - 1 :] - two_pass) / close[period - 1 :]
    assert error.max() < 1e-9


def test_flat_window_has_exactly_zero_width() -> None:
    close = np.concatenate([np.linspace(30_000.0, 45_000.0, 5000), np.full(30, 44_582.07)])
    upper, middle, lower = indicators.bollinger(close, 10, 2.0)
    assert indicators.stddev(close, 10)[-1] == 0.0
    assert upper[-1] == middle[-1] == lower[-1]


@pytest.mark.parametrize("period", [1, 14, 30])
def test_atr_and_true_range(candles: Candles, period: int) -> None:
    high, low, close = candles.high, candles.low, candles.close
    assert_matches(
        indicators.atr(high, low, close, period), talib.ATR(high, low, close, period), "ATR"
    )
    assert_matches(
        indicators.true_range(high, low, close), talib.TRANGE(high, low, close), "TRANGE"
    )


@pytest.mark.parametrize(("k_period", "k_smooth", "d_period"), [(14, 3, 3), (5, 3, 3), (9, 1, 4)])
def test_stochastic(candles: Candles, k_period: int, k_smooth: int, d_period: int) -> None:
    high, low, close = candles.high, candles.low, candles.close
    ours = indicators.stochastic(high, low, close, k_period, k_smooth, d_period)
    reference = talib.STOCH(high, low, close, k_period, k_smooth, 0, d_period, 0)
    for name, mine, theirs in zip(("%K", "%D"), ours, reference, strict=True):
        assert_matches(mine, theirs, f"STOCH {name}", OSCILLATOR)


def test_obv(candles: Candles) -> None:
    assert_matches(
        indicators.obv(candles.close, candles.volume),
        talib.OBV(candles.close, candles.volume),
        "OBV",
    )


@pytest.mark.parametrize("period", [2, 14, 28])
def test_adx_and_directional_indicators(candles: Candles, period: int) -> None:
    high, low, close = candles.high, candles.low, candles.close
    ours = indicators.adx(high, low, close, period)
    assert_matches(ours, talib.ADX(high, low, close, period), "ADX", OSCILLATOR)
    assert np.isnan(ours[: 2 * period - 1]).all()
    plus, minus = indicators.dmi(high, low, close, period)
    assert_matches(plus, talib.PLUS_DI(high, low, close, period), "+DI", OSCILLATOR)
    assert_matches(minus, talib.MINUS_DI(high, low, close, period), "-DI", OSCILLATOR)
