"""NaN inputs: leading NaNs delay the warm-up (TA-Lib), inner NaNs are skipped bars."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import talib

from app import indicators
from tests.indicators.conftest import load
from tests.indicators.helpers import assert_matches

Close = Callable[[np.ndarray], tuple[np.ndarray, ...]]
PRICE_ONLY: dict[str, tuple[Close, Close]] = {
    "sma": (lambda c: (indicators.sma(c, 20),), lambda c: (talib.SMA(c, 20),)),
    "ema": (lambda c: (indicators.ema(c, 20),), lambda c: (talib.EMA(c, 20),)),
    "rsi": (lambda c: (indicators.rsi(c, 14),), lambda c: (talib.RSI(c, 14),)),
    "macd": (lambda c: indicators.macd(c), lambda c: talib.MACD(c, 12, 26, 9)),
    "bollinger": (lambda c: indicators.bollinger(c), lambda c: talib.BBANDS(c, 20, 2.0, 2.0, 0)),
}


@pytest.mark.parametrize("name", sorted(PRICE_ONLY))
def test_leading_nans_match_talib(name: str) -> None:
    close = load("eth_usdt_1h.csv").close[:800].copy()
    close[:9] = np.nan
    ours, reference = PRICE_ONLY[name]
    for mine, theirs in zip(ours(close), reference(close), strict=True):
        assert_matches(mine, theirs, name, np.abs(np.nan_to_num(close)))


@pytest.mark.parametrize("name", sorted(PRICE_ONLY))
def test_inner_nan_bar_is_skipped(name: str) -> None:
    close = load("eth_usdt_1h.csv").close[:800].copy()
    close[[300, 301, 555]] = np.nan
    present = ~np.isnan(close)
    compute, _ = PRICE_ONLY[name]
    for full, compact in zip(compute(close), compute(close[present]), strict=True):
        assert np.isnan(full[~present]).all()
        np.testing.assert_array_equal(full[present], compact)
        assert np.isfinite(full[-100:]).all()


def test_multi_input_bar_with_any_nan_is_skipped() -> None:
    candles = load("btc_usdt_1h.csv")
    high, low, close = candles.high[:600].copy(), candles.low[:600], candles.close[:600]
    high[200] = np.nan
    present = ~np.isnan(high)
    full = indicators.atr(high, low, close, 14)
    compact = indicators.atr(high[present], low[present], close[present], 14)
    assert np.isnan(full[200])
    np.testing.assert_array_equal(full[present], compact)
    adx = indicators.adx(high, low, close, 14)
    assert np.isnan(adx[200])
    assert np.isfinite(adx[201:]).all()


def test_all_nan_input_gives_all_nan() -> None:
    nothing = np.full(50, np.nan)
    assert np.isnan(indicators.ema(nothing, 5)).all()
    assert np.isnan(indicators.stochastic(nothing, nothing, nothing)[0]).all()


def test_empty_input_gives_empty_output() -> None:
    empty = np.array([], dtype=np.float64)
    stamps = np.array([], dtype=np.int64)
    assert len(indicators.vwap(empty, empty, empty, empty, timestamps=stamps)) == 0
    assert len(indicators.adx(empty, empty, empty)) == 0
    assert len(indicators.obv(empty, empty)) == 0
    assert all(len(part) == 0 for part in indicators.macd(empty))


def test_all_nan_daily_vwap_is_all_nan() -> None:
    nothing = np.full(4, np.nan)
    stamps = np.arange(4, dtype=np.int64) * 3_600_000
    assert np.isnan(indicators.vwap(nothing, nothing, nothing, nothing, timestamps=stamps)).all()
