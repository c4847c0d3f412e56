"""Indicator studies on the chart: values, live tails, panes, y-fit and readout."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pytestqt.qtbot import QtBot

from app.ui.chart import ChartWidget, Study, StudyKind
from app.ui.chart.palette import LIGHT

HOUR_MS = 3_600_000


@pytest.fixture()
def btc(data_dir) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    return pd.read_csv(data_dir / "btc_usdt_1h.csv")


@pytest.fixture()
def chart(qtbot: QtBot, btc: pd.DataFrame) -> ChartWidget:
    widget = ChartWidget(initial_bars=200)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_candles(
        btc["timestamp"].to_numpy(),
        btc["open"].to_numpy(),
        btc["high"].to_numpy(),
        btc["low"].to_numpy(),
        btc["close"].to_numpy(),
        btc["volume"].to_numpy(),
    )
    return widget


def test_sma_overlay_draws_the_moving_average_of_the_closes(
    chart: ChartWidget, btc: pd.DataFrame
) -> None:
    chart.set_overlays([Study(StudyKind.SMA, 20)])
    values = chart._overlays[0].lines[0].view
    close = btc["close"].to_numpy()
    expected = pd.Series(close).rolling(20).mean().to_numpy()
    np.testing.assert_allclose(values[19:], expected[19:], rtol=1e-9)
    assert np.isnan(values[:19]).all()
    assert "SMA(20) " in chart.readout_text()
    chart.grab()
    item = chart._overlays[0].items[0]
    start, stop = chart.visible_range()
    frame = item.last_frame
    assert (frame.level, frame.start, frame.stop) == (0, max(start - 1, 0), stop)
    assert frame.points == frame.stop - frame.start  # one vertex per visible bar


def test_overlays_draw_only_the_visible_bars_min_max_per_pixel(chart: ChartWidget) -> None:
    count = 200_000
    close = 100.0 + np.random.default_rng(3).normal(0.0, 1.0, count).cumsum()
    stamps = np.arange(count, dtype=np.int64) * HOUR_MS
    chart.set_candles(stamps, close, close + 1, close - 1, close, np.ones(count))
    chart.set_overlays([Study(StudyKind.EMA, 50)])
    item = chart._overlays[0].items[0]
    chart.set_visible_range(150_000, 150_300)
    chart.grab()
    assert (item.last_frame.start, item.last_frame.stop) == (149_999, 150_301)
    chart.set_visible_range(0, count)
    chart.grab()
    pixels = chart.price_pane.view_box.width()
    frame = item.last_frame
    assert (frame.start, frame.stop) == (0, count)
    assert frame.points <= 2 * pixels  # a min and a max per pixel column, not 200,000 points
    path = item._path.boundingRect()
    values = chart._overlays[0].lines[0].view
    assert path.top() == pytest.approx(np.nanmin(values))  # extremes survive downsampling
    assert path.bottom() == pytest.approx(np.nanmax(values))


def test_bollinger_bands_stay_inside_the_fitted_price_range(chart: ChartWidget) -> None:
    chart.set_overlays([Study(StudyKind.BOLLINGER, 20, 3.0)])
    start, stop = 3_000, 3_200
    chart.set_visible_range(start, stop)
    upper, _middle, lower = (line.view for line in chart._overlays[0].lines)
    y_min, y_max = chart.price_pane.view_box.viewRange()[1]
    assert y_max >= np.nanmax(upper[start:stop])
    assert y_min <= np.nanmin(lower[start:stop])


def test_rsi_and_macd_panes_show_and_hide(chart: ChartWidget) -> None:
    assert chart.rsi_pane.isHidden() and chart.macd_pane.isHidden()
    chart.show_rsi(True)
    chart.show_macd(True, 12, 26, 9)
    assert not chart.rsi_pane.isHidden() and not chart.macd_pane.isHidden()
    assert chart.macd_pane.plot.getAxis("bottom").isVisible()  # time labels on the lowest pane
    assert not chart.volume_pane.plot.getAxis("bottom").isVisible()
    assert chart.rsi_pane.view_box.viewRange()[1][0] <= 0.0
    assert chart.rsi_pane.view_box.viewRange()[1][1] >= 100.0
    text = chart.readout_text()
    assert "RSI(14) " in text and "MACD(12, 26, 9) " in text and "hist " in text
    chart.show_macd(False)
    assert chart.macd_pane.isHidden()
    assert chart.rsi_pane.plot.getAxis("bottom").isVisible()
    assert "MACD" not in chart.readout_text()


def test_macd_pane_fits_its_visible_values(chart: ChartWidget) -> None:
    chart.show_macd(True)
    start, stop = 4_000, 4_150
    chart.set_visible_range(start, stop)
    lines = [line.view[start:stop] for line in chart._macd.lines[:3]]  # type: ignore[union-attr]
    low = min(np.nanmin(values) for values in lines)
    high = max(np.nanmax(values) for values in lines)
    y_min, y_max = chart.macd_pane.view_box.viewRange()[1]
    assert y_min <= low and y_max >= high
    assert y_max - y_min < (high - low) * 1.3


def test_live_tail_matches_a_full_recomputation(chart: ChartWidget, qtbot: QtBot) -> None:
    chart.set_overlays([Study(StudyKind.SMA, 20), Study(StudyKind.EMA, 50)])
    chart.show_rsi(True)
    chart.show_macd(True)
    last = int(chart.series.timestamps[-1])
    chart.update_last_candle(last, 33_000.0, 33_500.0, 32_900.0, 33_400.0, 10.0)
    for step in range(1, 4):
        price = 33_400.0 + 50 * step
        chart.append_candle(last + step * HOUR_MS, price, price + 60, price - 60, price + 10, 5.0)
    qtbot.waitUntil(lambda: len(chart.series) == 5_482 + 3, timeout=1_000)
    close = chart.series.close
    for plot in chart._studies():
        expected = plot.study.compute(close)
        for line, values in zip(plot.lines, expected, strict=False):
            np.testing.assert_allclose(line.view[-10:], values[-10:], rtol=1e-9)


def test_only_price_overlays_are_accepted_as_overlays(chart: ChartWidget) -> None:
    with pytest.raises(ValueError, match="not a price overlay"):
        chart.set_overlays([Study(StudyKind.RSI, 14)])


def test_palette_switch_recolours_everything_and_keeps_studies(chart: ChartWidget) -> None:
    chart.set_overlays([Study(StudyKind.SMA, 20)])
    chart.show_rsi(True)
    chart.set_palette(LIGHT)
    assert chart.price_pane.backgroundBrush().color().name() == LIGHT.background
    assert chart.overlays == [Study(StudyKind.SMA, 20)]
    assert not chart.rsi_pane.isHidden()
    assert chart._overlays[0].items[0]._pen.color().name() == LIGHT.overlays[0]
    image = chart.grab().toImage()
    assert image.pixelColor(5, image.height() // 2).name() == LIGHT.background
