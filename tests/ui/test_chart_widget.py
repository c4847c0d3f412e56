"""ChartWidget with real widgets (offscreen): 1,000,000 candles, fitting, crosshair, live bars."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.core.enums import Side
from app.core.errors import DataError
from app.ui.chart import ChartWidget
from app.ui.chart.pane import Pane

MINUTE_MS = 60_000
MILLION = 1_000_000


@pytest.fixture(scope="module")
def million() -> dict[str, np.ndarray]:
    """1,000,000 one-minute random-walk candles."""
    rng = np.random.default_rng(42)
    close = 30_000.0 + rng.normal(0.0, 5.0, MILLION).cumsum()
    open_ = np.concatenate([[30_000.0], close[:-1]])
    spread = rng.uniform(0.5, 10.0, MILLION)
    return {
        "timestamps": 1_600_000_000_000 + np.arange(MILLION, dtype=np.int64) * MINUTE_MS,
        "open_": open_,
        "high": np.maximum(open_, close) + spread,
        "low": np.minimum(open_, close) - spread,
        "close": close,
        "volume": rng.uniform(1.0, 100.0, MILLION),
    }


@pytest.fixture()
def chart(qtbot: QtBot) -> ChartWidget:
    widget = ChartWidget(initial_bars=120)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def paint(widget: ChartWidget) -> None:
    """Render one frame the way the screen would."""
    widget.grab()


def viewport_point(pane: Pane, x: float, y: float) -> QPoint:
    scene = pane.view_box.mapViewToScene(QPointF(x, y))
    return pane.mapFromScene(scene)


def test_a_million_candles_draws_only_the_visible_bars(
    chart: ChartWidget, million: dict[str, np.ndarray]
) -> None:
    chart.set_candles(**million)
    paint(chart)
    frame = chart.candle_item.last_frame
    assert chart.visible_range() == (MILLION - 120, MILLION)
    assert (frame.start, frame.stop, frame.level) == (MILLION - 120, MILLION, 0)
    assert frame.columns == 120
    assert frame.primitives == 240  # one wick and one body per candle, nothing else
    paint(chart)
    assert chart.candle_item.last_frame is frame  # an idle repaint replays the cached arrays


def test_zoomed_out_candles_are_merged_to_at_most_one_column_per_pixel(
    chart: ChartWidget, million: dict[str, np.ndarray]
) -> None:
    chart.set_candles(**million)
    chart.set_visible_range(0, MILLION)
    paint(chart)
    frame = chart.candle_item.last_frame
    pixels = chart.price_pane.view_box.width()
    assert (frame.start, frame.stop) == (0, MILLION)
    assert frame.level >= 10
    assert pixels / 2 <= frame.columns <= pixels
    assert frame.primitives <= 2 * pixels
    volume = chart.volume_item.last_frame
    assert volume.columns == frame.columns


def test_price_range_is_fitted_to_the_visible_bars(
    chart: ChartWidget, million: dict[str, np.ndarray]
) -> None:
    chart.set_candles(**million)
    for start, stop in ((500_000, 500_300), (0, MILLION), (123_456, 654_321)):
        chart.set_visible_range(start, stop)
        low = million["low"][start:stop].min()
        high = million["high"][start:stop].max()
        y_min, y_max = chart.price_pane.view_box.viewRange()[1]
        assert y_min < low < low + (high - low) * 0.1 > y_min
        assert y_max > high > high - (high - low) * 0.1
        assert y_max - y_min < (high - low) * 1.3  # tight: fitted, not the whole history


def test_volume_pane_fits_the_visible_volume(
    chart: ChartWidget, million: dict[str, np.ndarray]
) -> None:
    chart.set_candles(**million)
    chart.set_visible_range(1_000, 1_100)
    peak = million["volume"][1_000:1_100].max()
    y_min, y_max = chart.volume_pane.view_box.viewRange()[1]
    assert y_min <= 0.0
    assert peak < y_max < peak * 1.3


def test_crosshair_readout_shows_the_bar_under_the_mouse(
    chart: ChartWidget, million: dict[str, np.ndarray]
) -> None:
    chart.set_candles(**million)
    index = MILLION - 40
    y = float(million["close"][index])
    QTest.mouseMove(chart.price_pane.viewport(), viewport_point(chart.price_pane, index, y))
    text = chart.readout_text()
    local = datetime.fromtimestamp(int(million["timestamps"][index]) / 1000, tz=UTC).astimezone()
    assert text.startswith(local.strftime("%Y-%m-%d %H:%M"))
    for label, key in (("O", "open_"), ("H", "high"), ("L", "low"), ("C", "close")):
        assert f"{label} {million[key][index]:,.2f}" in text
    assert f"V {million['volume'][index]:,.2f}" in text
    assert chart.price_pane.v_line.isVisible()
    assert chart.price_pane.v_line.value() == index
    assert chart.volume_pane.v_line.value() == index  # every pane follows the same bar
    QApplication.sendEvent(chart, QEvent(QEvent.Type.Leave))
    assert not chart.price_pane.v_line.isVisible()
    assert f"C {million['close'][-1]:,.2f}" in chart.readout_text()  # back to the last bar


def test_live_update_of_the_last_candle_changes_what_is_drawn(
    chart: ChartWidget, million: dict[str, np.ndarray], qtbot: QtBot
) -> None:
    chart.set_candles(**million)
    paint(chart)
    last = int(million["timestamps"][-1])
    spike = float(million["high"].max()) + 1_000.0
    chart.update_last_candle(last, 30_000.0, spike, 29_000.0, 30_500.0, 7.0)
    assert chart.series.high[-1] != spike  # coalesced: applied on the next ~30 Hz tick
    qtbot.waitUntil(lambda: chart.series.high[-1] == spike, timeout=1_000)
    paint(chart)
    assert chart.price_pane.view_box.viewRange()[1][1] > spike  # y refitted to the new high
    assert "C 30,500.00" in chart.readout_text()
    chart.append_candle(last + MINUTE_MS, 30_500.0, 30_600.0, 30_400.0, 30_550.0, 3.0)
    chart.flush_live_updates()
    paint(chart)
    assert len(chart.series) == MILLION + 1
    assert chart.candle_item.last_frame.stop == MILLION + 1  # the view follows the live edge


def test_many_live_ticks_are_coalesced_into_one_redraw(
    chart: ChartWidget, million: dict[str, np.ndarray], qtbot: QtBot
) -> None:
    chart.set_candles(**million)
    paint(chart)
    last = int(million["timestamps"][-1])
    before = chart.series.version
    for tick in range(50):
        chart.update_last_candle(last, 1.0, 40_000.0 + tick, 1.0, 2.0, 3.0)
    qtbot.waitUntil(lambda: chart.series.high[-1] == 40_049.0, timeout=1_000)
    assert chart.series.version - before == 50  # all ticks applied ...
    assert chart.pending_live_updates == 0  # ... in one flush


def test_out_of_order_live_candles_are_refused(
    chart: ChartWidget, million: dict[str, np.ndarray]
) -> None:
    chart.set_candles(**million)
    last = int(million["timestamps"][-1])
    with pytest.raises(DataError, match="not the last candle"):
        chart.update_last_candle(last - MINUTE_MS, 1.0, 1.0, 1.0, 1.0, 1.0)
    with pytest.raises(DataError, match="not after the last candle"):
        chart.append_candle(last, 1.0, 1.0, 1.0, 1.0, 1.0)


def test_trade_markers_sit_on_the_bar_of_each_fill(chart: ChartWidget) -> None:
    stamps = np.array([0, 60, 120, 300, 360], dtype=np.int64) * 1000  # a gap after 120 s
    ones = np.full(5, 10.0)
    chart.set_candles(stamps, ones, ones + 1, ones - 1, ones, ones)
    chart.set_trade_markers(
        [(61_000, Decimal("10.5"), Side.BUY), (200_000, "9.5", "sell"), (-5, 10.0, "buy")]
    )
    points = chart.trade_markers.scatter.data
    assert len(points) == 2  # the fill before the first bar has no bar to sit on
    assert (points["x"][0], points["y"][0]) == (1.0, 10.5)
    assert (points["x"][1], points["y"][1]) == (2.0, 9.5)  # inside the gap: the bar before it
    with pytest.raises(DataError, match="side must be 'buy' or 'sell'"):
        chart.set_trade_markers([(0, 1.0, "hold")])


def test_order_lines_appear_at_their_prices_and_are_replaced(chart: ChartWidget) -> None:
    chart.set_order_lines([("cid-1", Decimal("29500.5"), Side.BUY), ("cid-2", 31000, "sell")])
    lines = chart.order_lines.lines
    assert set(lines) == {"cid-1", "cid-2"}
    assert lines["cid-1"].value() == 29500.5
    assert "BUY 29,500.50" in lines["cid-1"].label.toPlainText()
    assert "cid-1" in lines["cid-1"].label.toPlainText()
    assert lines["cid-1"].scene() is chart.price_pane.scene()
    old = lines["cid-2"]
    chart.set_order_lines([("cid-2", "30999", "sell")])
    assert set(chart.order_lines.lines) == {"cid-2"}
    assert chart.order_lines.lines["cid-2"].value() == 30999.0
    assert old.scene() is None  # the previous lines are gone from the chart


def test_time_axis_labels_bars_with_local_time(chart: ChartWidget) -> None:
    start = 1_700_000_000_000
    stamps = start + np.arange(500, dtype=np.int64) * 3_600_000
    stamps[250:] += 10 * 86_400_000  # a ten-day gap is one bar wide
    ones = np.ones(500)
    chart.set_candles(stamps, ones, ones, ones, ones, ones)
    axis = chart.volume_pane.time_axis
    ticks = axis.tickValues(0.0, 499.0, 2400.0)  # about 23 bars per 110 px label
    step, _values = ticks[0]
    assert step == 24  # one label a day at 1 h bars
    labels = axis.tickStrings([250.0], 1.0, step)
    expected = datetime.fromtimestamp(int(stamps[250]) / 1000, tz=UTC).astimezone()
    assert labels == [expected.strftime("%Y-%m-%d")]
    assert chart.volume_pane.plot.getAxis("bottom").isVisible()
    assert not chart.price_pane.plot.getAxis("bottom").isVisible()  # only the bottom pane
