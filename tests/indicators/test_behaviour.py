"""Documented behaviour beyond TA-Lib parity: edge cases, argument errors, causality."""

from __future__ import annotations

import numpy as np
import pytest

from app import indicators
from app.core.errors import DataError
from tests.indicators.conftest import load


def test_rsi_of_a_motionless_market_is_neutral() -> None:
    assert np.nanmin(indicators.rsi(np.full(40, 110.0), 14)) == 50.0
    # After a rise, flat bars let the average gain decay but never reach zero: still 100.
    rising_then_flat = np.concatenate([np.linspace(100.0, 110.0, 30), np.full(40, 110.0)])
    assert indicators.rsi(rising_then_flat, 14)[-1] == 100.0


def test_rsi_stays_within_0_and_100() -> None:
    result = indicators.rsi(load("btc_usdt_5m.csv").close, 14)
    assert np.nanmin(result) >= 0.0
    assert np.nanmax(result) <= 100.0


def test_stochastic_of_an_empty_range_is_zero() -> None:
    flat = np.full(30, 5.0)
    k, d = indicators.stochastic(flat, flat, flat, 5, 3, 3)
    assert k[-1] == 0.0
    assert d[-1] == 0.0


def test_obv_adds_on_up_closes_and_subtracts_on_down_closes() -> None:
    result = indicators.obv([10.0, 11.0, 11.0, 9.0], [5.0, 2.0, 7.0, 3.0])
    assert result.tolist() == [5.0, 7.0, 7.0, 4.0]


def test_values_never_depend_on_later_bars() -> None:
    candles = load("btc_usdt_1h.csv")
    h, lo, c, v = candles.high, candles.low, candles.close, candles.volume
    outputs = {
        "ema": lambda n: indicators.ema(c[:n], 50),
        "rsi": lambda n: indicators.rsi(c[:n], 14),
        "macd": lambda n: indicators.macd(c[:n])[2],
        "bollinger": lambda n: indicators.bollinger(c[:n])[0],
        "atr": lambda n: indicators.atr(h[:n], lo[:n], c[:n]),
        "stochastic": lambda n: indicators.stochastic(h[:n], lo[:n], c[:n])[1],
        "adx": lambda n: indicators.adx(h[:n], lo[:n], c[:n]),
        "obv": lambda n: indicators.obv(c[:n], v[:n]),
        "vwap": lambda n: indicators.vwap(h[:n], lo[:n], c[:n], v[:n], period=20),
    }
    for name, compute in outputs.items():
        full = compute(len(c))
        for cut in (60, 1234, 4000):
            np.testing.assert_array_equal(compute(cut), full[:cut], err_msg=name)


def test_argument_errors_name_the_argument() -> None:
    one = np.ones(40)
    with pytest.raises(ValueError, match="fast: must be less than slow"):
        indicators.macd(one, 26, 12)
    with pytest.raises(ValueError, match="k: must be a finite number"):
        indicators.bollinger(one, 20, -1.0)
    with pytest.raises(ValueError, match="period: must be at least 2"):
        indicators.adx(one, one, one, 1)
    with pytest.raises(ValueError, match="k_smooth: must be at least 1"):
        indicators.stochastic(one, one, one, 5, 0, 3)
    with pytest.raises(DataError, match="high=40, low=39, close=40"):
        indicators.atr(one, one[:-1], one)


def test_outputs_are_writable_arrays() -> None:
    result = indicators.sma(np.arange(10.0), 3)
    result[0] = 1.0
    assert result[0] == 1.0
