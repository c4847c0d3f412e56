"""Candle arrays behind the chart: exact range queries, per-pixel buckets, live growth."""

from __future__ import annotations

import numpy as np
import pytest

from app.core.errors import DataError
from app.ui.chart.pyramid import RangePyramid
from app.ui.chart.series import CandleSeries, level_for, visible_bars

HOUR_MS = 3_600_000


def random_candles(count: int, seed: int = 7) -> dict[str, np.ndarray]:
    """A random walk of OHLCV bars one hour apart."""
    rng = np.random.default_rng(seed)
    close = 100.0 + rng.normal(0.0, 1.0, count).cumsum()
    open_ = np.concatenate([[100.0], close[:-1]])
    spread = rng.uniform(0.1, 2.0, count)
    return {
        "timestamps": 1_600_000_000_000 + np.arange(count, dtype=np.int64) * HOUR_MS,
        "open_": open_,
        "high": np.maximum(open_, close) + spread,
        "low": np.minimum(open_, close) - spread,
        "close": close,
        "volume": rng.uniform(1.0, 50.0, count),
    }


def loaded(count: int) -> CandleSeries:
    series = CandleSeries()
    series.set(**random_candles(count))
    return series


@pytest.mark.parametrize(("reducer", "reference"), [("max", np.max), ("min", np.min)])
def test_range_query_is_exact_for_any_range(reducer: str, reference: np.ufunc) -> None:
    values = np.random.default_rng(1).normal(size=50_003)
    pyramid = RangePyramid(reducer)  # type: ignore[arg-type]
    pyramid.rebuild(values)
    rng = np.random.default_rng(2)
    for _ in range(200):
        start, stop = sorted(int(v) for v in rng.integers(0, len(values) + 1, 2))
        if start == stop:
            assert np.isnan(pyramid.query(values, start, stop))
        else:
            assert pyramid.query(values, start, stop) == reference(values[start:stop])


def test_sum_levels_add_up_volume() -> None:
    values = np.arange(1.0, 1001.0)
    pyramid = RangePyramid("sum")
    pyramid.rebuild(values)
    assert pyramid.level(3)[0] == 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8
    assert pyramid.level(3)[-1] == values[-(1000 % 8 or 8) :].sum()
    assert pyramid.query(values, 10, 990) == pytest.approx(values[10:990].sum())


def test_min_max_ignore_indicator_warm_up_nans() -> None:
    values = np.full(10_000, np.nan)
    values[5_000:] = np.linspace(1.0, 2.0, 5_000)
    lows, highs = RangePyramid("min"), RangePyramid("max")
    lows.rebuild(values)
    highs.rebuild(values)
    assert lows.query(values, 0, 10_000) == 1.0
    assert highs.query(values, 0, 10_000) == 2.0
    assert np.isnan(highs.query(values, 0, 4_000))


def test_live_updates_keep_levels_equal_to_a_full_rebuild() -> None:
    series = loaded(1_000)
    last = int(series.timestamps[-1])
    for step in range(1, 301):
        series.append(last + step * HOUR_MS, 100.0, 150.0 + step, 90.0, 101.0, 5.0)
        series.update_last(last + step * HOUR_MS, 100.0, 151.0 + step, 80.0 - step, 99.0, 6.0)
    fresh = CandleSeries()
    fresh.set(series.timestamps, series.open, series.high, series.low, series.close, series.volume)
    for level in (1, 3, 6):
        live = series.window(0, len(series), level)
        rebuilt = fresh.window(0, len(fresh), level)
        for name in ("open", "high", "low", "close", "volume", "x", "width"):
            np.testing.assert_array_equal(getattr(live, name), getattr(rebuilt, name))
    assert series.price_range(0, len(series)) == (80.0 - 300, 151.0 + 300)


def test_bucket_is_first_open_max_high_min_low_last_close_summed_volume() -> None:
    series = loaded(100)
    window = series.window(0, 100, 3)  # buckets of 8 bars; the last one holds bars 96..99
    assert len(window) == 13
    assert window.open[1] == series.open[8]
    assert window.close[1] == series.close[15]
    assert window.high[1] == series.high[8:16].max()
    assert window.low[1] == series.low[8:16].min()
    assert window.volume[1] == pytest.approx(series.volume[8:16].sum())
    assert (window.x[-1], window.width[-1]) == (97.5, 4.0)
    assert window.close[-1] == series.close[99]


def test_buckets_are_aligned_so_panning_does_not_shift_them() -> None:
    series = loaded(10_000)
    left = series.window(1_000, 5_000, 4)
    right = series.window(1_016, 5_016, 4)
    np.testing.assert_array_equal(left.high[1:], right.high[:-1])
    np.testing.assert_array_equal(left.x[1:], right.x[:-1])


def test_level_and_visible_range_helpers() -> None:
    assert level_for(0.2) == 0
    assert level_for(1.0) == 0
    assert level_for(1.5) == 1
    assert level_for(1000.0) == 10  # 1024 bars per column: one column per pixel at most
    assert visible_bars(-0.5, 9.5, 100) == (0, 10)
    assert visible_bars(10.2, 19.4, 100) == (10, 20)
    assert visible_bars(-50.0, 500.0, 100) == (0, 100)
    assert visible_bars(200.0, 300.0, 100) == (100, 100)


def test_index_at_finds_the_bar_containing_a_time_across_gaps() -> None:
    series = CandleSeries()
    stamps = np.array([0, HOUR_MS, 5 * HOUR_MS, 6 * HOUR_MS], dtype=np.int64)
    ones = np.ones(4)
    series.set(stamps, ones, ones, ones, ones, ones)
    assert series.index_at(-1) == -1
    assert series.index_at(HOUR_MS + 10) == 1
    assert series.index_at(3 * HOUR_MS) == 1  # inside the gap: the last bar opened before it
    assert series.index_at(5 * HOUR_MS) == 2
    assert series.index_at(99 * HOUR_MS) == 3


def test_bad_candles_are_refused_with_a_clear_message() -> None:
    series = CandleSeries()
    ones = np.ones(3)
    with pytest.raises(DataError, match="same length"):
        series.set(np.arange(3), ones, ones, ones, ones, np.ones(2))
    with pytest.raises(DataError, match="strictly increasing"):
        series.set(np.array([0, 2, 1]), ones, ones, ones, ones, ones)
    series.set(np.array([0, 1, 2]), ones, ones, ones, ones, ones)
    with pytest.raises(DataError, match="not after the last candle"):
        series.append(2, 1.0, 1.0, 1.0, 1.0, 1.0)
    with pytest.raises(DataError, match="not the last candle"):
        series.update_last(1, 1.0, 1.0, 1.0, 1.0, 1.0)
