"""VWAP (not in TA-Lib) against a plain loop over the bars."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.errors import DataError
from app.indicators import vwap
from tests.indicators.conftest import Candles

DAY_MS = 86_400_000


def loop_vwap(candles: Candles, period: int | None, daily: bool) -> np.ndarray:
    typical = (candles.high + candles.low + candles.close) / 3.0
    day = candles.timestamp // DAY_MS
    out = np.full(len(typical), np.nan)
    for t in range(len(typical)):
        if daily:
            start = t
            while start > 0 and day[start - 1] == day[t]:
                start -= 1
        elif period is not None:
            if t < period - 1:
                continue
            start = t - period + 1
        else:
            start = 0
        volume = candles.volume[start : t + 1]
        if volume.sum() != 0:
            out[t] = float(np.dot(typical[start : t + 1], volume) / volume.sum())
    return out


@pytest.mark.parametrize(("period", "daily"), [(None, False), (24, False), (None, True)])
def test_matches_loop(candles: Candles, period: int | None, daily: bool) -> None:
    rows = 2000
    part = Candles(
        candles.name,
        *(array[:rows] for array in (candles.timestamp, candles.open, candles.high)),
        *(array[:rows] for array in (candles.low, candles.close, candles.volume)),
    )
    ours = vwap(
        part.high,
        part.low,
        part.close,
        part.volume,
        period=period,
        timestamps=part.timestamp if daily else None,
    )
    expected = loop_vwap(part, period, daily)
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(expected))
    np.testing.assert_allclose(ours, expected, rtol=1e-9)


def test_daily_vwap_resets_at_utc_midnight() -> None:
    stamps = np.array([DAY_MS - 7_200_000, DAY_MS - 3_600_000, DAY_MS, DAY_MS + 3_600_000])
    high = np.array([11.0, 21.0, 101.0, 201.0])
    low = np.array([9.0, 19.0, 99.0, 199.0])
    close = np.array([10.0, 20.0, 100.0, 200.0])
    volume = np.array([1.0, 3.0, 2.0, 2.0])
    result = vwap(high, low, close, volume, timestamps=stamps)
    np.testing.assert_allclose(result, [10.0, 17.5, 100.0, 150.0])


def test_no_volume_gives_nan_not_a_division_error() -> None:
    result = vwap([2.0, 2.0], [1.0, 1.0], [1.5, 1.5], [0.0, 2.0])
    assert np.isnan(result[0])
    assert result[1] == pytest.approx(1.5)


def test_rejects_conflicting_options_and_bad_timestamps() -> None:
    one = np.ones(3)
    with pytest.raises(ValueError, match="either period"):
        vwap(one, one, one, one, period=2, timestamps=np.arange(3))
    with pytest.raises(DataError, match="integer milliseconds"):
        vwap(one, one, one, one, timestamps=np.ones(3))
    with pytest.raises(DataError, match="same length"):
        vwap(one, one, one, np.ones(4))
