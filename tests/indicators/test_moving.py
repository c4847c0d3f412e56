"""SMA and EMA against TA-Lib on every shared dataset."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import talib

from app.core.errors import DataError
from app.indicators import ema, sma
from tests.indicators.conftest import Candles
from tests.indicators.helpers import assert_matches


@pytest.mark.parametrize("period", [2, 10, 50, 200])
def test_sma_matches_talib(candles: Candles, period: int) -> None:
    assert_matches(sma(candles.close, period), talib.SMA(candles.close, period), "SMA")


@pytest.mark.parametrize("period", [2, 12, 26, 200])
def test_ema_matches_talib(candles: Candles, period: int) -> None:
    assert_matches(ema(candles.close, period), talib.EMA(candles.close, period), "EMA")


def test_ema_is_seeded_with_the_sma_of_the_first_values() -> None:
    values = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
    result = ema(values, 3)
    assert np.isnan(result[:2]).all()
    assert result[2] == 2.0
    assert result[3] == pytest.approx(2.0 + 0.5 * (4.0 - 2.0))
    assert result[4] == pytest.approx(3.0 + 0.5 * (10.0 - 3.0))


def test_leading_nans_delay_the_warm_up_like_talib(candles: Candles) -> None:
    close = candles.close[:500].copy()
    close[:7] = np.nan
    assert_matches(ema(close, 20), talib.EMA(close, 20), "EMA with leading NaN")
    assert_matches(sma(close, 20), talib.SMA(close, 20), "SMA with leading NaN")


def test_a_nan_inside_the_series_is_skipped_not_propagated(candles: Candles) -> None:
    close = candles.close[:300].copy()
    close[150] = np.nan
    present = ~np.isnan(close)
    result = ema(close, 10)
    assert np.isnan(result[150])
    np.testing.assert_allclose(result[present], ema(close[present], 10), rtol=0, atol=0)
    assert np.isfinite(result[160:]).all()


def test_series_shorter_than_the_period_is_all_nan() -> None:
    assert np.isnan(sma([1.0, 2.0], 3)).all()
    assert np.isnan(ema([1.0, 2.0], 3)).all()
    assert len(ema([], 3)) == 0


def test_accepts_pandas_series_and_rejects_bad_input() -> None:
    assert sma(pd.Series([1.0, 2.0, 3.0]), 2).tolist()[1:] == [1.5, 2.5]
    with pytest.raises(ValueError, match="period: must be at least 1, got 0"):
        sma([1.0], 0)
    with pytest.raises(ValueError, match="whole number"):
        ema([1.0], 2.5)  # type: ignore[arg-type]
    with pytest.raises(DataError, match="close: expected a 1-D series"):
        sma(np.ones((2, 2)), 2)
    with pytest.raises(DataError, match="close: expected numbers"):
        sma(["a", "b"], 2)
