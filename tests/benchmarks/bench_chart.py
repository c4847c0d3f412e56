"""Chart with 1,000,000 candles: initial render and frame time while panning and zooming.

Candles: /work/shared/data/btc_usdt_5m.csv replayed end to end (timestamps shifted, prices
rescaled so each copy continues from the last close) until 1,000,000 bars. A 1280x800 ChartWidget
(candles + volume, plus an SMA(50) overlay where named) is rendered offscreen: every frame is one
full ``widget.grab()`` of the widget (not shown on a screen, so the event loop does not paint it a
second time).

Anchor, measured in the same run on the same script: the naive pyqtgraph way, every candle
drawn on every frame (a BarGraphItem of bodies and a 'pairs' PlotDataItem of wicks, no
visible-range slicing, no downsampling, pyqtgraph auto-range). It is run on fewer candles
(ANCHOR_CANDLES) because at 1,000,000 a frame takes seconds.
"""

from __future__ import annotations

import gc
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tests.benchmarks.runner import Report
from tests.conftest import shared_data_dir

CANDLES = 1_000_000
ANCHOR_CANDLES = 100_000
WIDTH, HEIGHT = 1280, 800
FIVE_MINUTES_MS = 300_000


def replayed_candles(count: int) -> dict[str, np.ndarray]:
    """``count`` candles built by replaying btc_usdt_5m.csv with shifted timestamps."""
    frame = pd.read_csv(Path(shared_data_dir()) / "btc_usdt_5m.csv")
    copies = -(-count // len(frame))
    prices = {name: frame[name].to_numpy(np.float64) for name in ("open", "high", "low", "close")}
    stamps = frame["timestamp"].to_numpy(np.int64)
    span = int(stamps[-1] - stamps[0]) + FIVE_MINUTES_MS
    out: dict[str, list[np.ndarray]] = {name: [] for name in ("timestamps", *prices, "volume")}
    scale = 1.0
    for copy in range(copies):
        out["timestamps"].append(stamps + copy * span)
        for name, values in prices.items():
            out[name].append(values * scale)
        out["volume"].append(frame["volume"].to_numpy(np.float64))
        scale *= prices["close"][-1] / prices["open"][0]
    joined = {name: np.concatenate(parts)[:count] for name, parts in out.items()}
    return {
        "timestamps": joined["timestamps"],
        "open_": joined["open"],
        "high": joined["high"],
        "low": joined["low"],
        "close": joined["close"],
        "volume": joined["volume"],
    }


def view_script(size: int, steps: int = 240) -> list[tuple[float, float]]:
    """Visible ranges of a pan-and-zoom session: zoom out from 150 bars to all, pan, zoom in."""
    ranges: list[tuple[float, float]] = []
    width, centre = 150.0, size - 75.0
    for step in range(steps):
        phase = step % 80
        if phase < 30:
            width = min(width * 1.35, float(size))  # zoom out
        elif phase < 50:
            centre -= width * 0.08  # pan left
        else:
            width = max(width / 1.35, 60.0)  # zoom in
            centre += width * 0.05
        centre = min(max(centre, width / 2), size - width / 2)
        ranges.append((centre - width / 2, centre + width / 2))
    return ranges


def frame_times_ms(
    app: Any, widget: Any, set_range: Callable[[float, float], None], size: int
) -> tuple[list[float], list[float]]:
    """Time each step (change the view range, process events, render a frame).

    Returns:
        ``(wall, cpu)`` milliseconds per frame; CPU time is this thread's (Qt paints in it), so
        it is not inflated when other processes compete for the shared cores.
    """
    wall, cpu = [], []
    for start, stop in view_script(size):
        began, began_cpu = time.perf_counter(), time.thread_time()
        set_range(start, stop)
        app.processEvents()
        widget.grab()
        wall.append((time.perf_counter() - began) * 1000)
        cpu.append((time.thread_time() - began_cpu) * 1000)
    return wall, cpu


def p95(samples: list[float]) -> float:
    """95th percentile."""
    return float(np.percentile(samples, 95))


Setup = Callable[[Any, dict[str, np.ndarray]], tuple[Any, Callable[[float, float], None]]]


def run(report: Report) -> None:
    """Measure initial render and frame times for the chart and the naive anchor."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    candles = replayed_candles(CANDLES)
    small = {name: values[-ANCHOR_CANDLES:] for name, values in candles.items()}

    naive_init = [_initial_render_ms(app, _naive, small) for _ in range(3)]
    for name, setup in (("", _chart), (" + SMA(50)", _chart_with_sma)):
        ours_init = [_initial_render_ms(app, setup, candles) for _ in range(3)]
        for index, kind in ((0, ""), (1, " (CPU)")):
            report.figure(
                f"initial render{kind}, 1M candles{name}",
                statistics.median(sample[index] for sample in ours_init),
                "ms",
                goal=300,
                anchor=statistics.median(sample[index] for sample in naive_init),
                note="set_candles + first paint, 1280x800, median of 3; anchor: naive "
                f"pyqtgraph on {ANCHOR_CANDLES:,} candles",
            )

    ours_widget, ours_range = _shown(app, _chart_with_sma, candles)
    ours_wall, ours_cpu = frame_times_ms(app, ours_widget, ours_range, CANDLES)
    _close(app, ours_widget)
    naive_widget, naive_range = _shown(app, _naive, small)
    naive_wall, naive_cpu = frame_times_ms(app, naive_widget, naive_range, ANCHOR_CANDLES)
    _close(app, naive_widget)
    note = (
        f"{len(ours_wall)} pan/zoom steps (150 bars .. all), candles + volume + SMA(50); "
        f"anchor: naive on {ANCHOR_CANDLES:,}"
    )
    for kind, ours, naive in (("", ours_wall, naive_wall), (" (CPU)", ours_cpu, naive_cpu)):
        report.figure(
            f"frame time p50{kind}, 1M candles",
            statistics.median(ours),
            "ms",
            anchor=statistics.median(naive),
            note=note,
        )
        report.figure(
            f"frame time p95{kind}, 1M candles",
            p95(ours),
            "ms",
            goal=16,
            anchor=p95(naive),
            note=note,
        )


def _shown(
    app: Any, setup: Setup, candles: dict[str, np.ndarray]
) -> tuple[Any, Callable[[float, float], None]]:
    """A 1280x800 widget showing ``candles``, painted once."""
    widget, set_range = setup(app, candles)
    app.processEvents()
    widget.grab()
    return widget, set_range


def _initial_render_ms(
    app: Any, setup: Setup, candles: dict[str, np.ndarray]
) -> tuple[float, float]:
    """(wall, CPU) milliseconds to build, load and first paint a widget."""
    began, began_cpu = time.perf_counter(), time.thread_time()
    widget, _set_range = _shown(app, setup, candles)
    elapsed = (time.perf_counter() - began) * 1000, (time.thread_time() - began_cpu) * 1000
    _close(app, widget)
    return elapsed


def _close(app: Any, widget: Any) -> None:
    """Destroy ``widget`` now (processEvents alone leaves deleteLater pending)."""
    from PySide6.QtCore import QEvent

    widget.close()
    widget.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


def _chart(app: Any, candles: dict[str, np.ndarray]) -> tuple[Any, Callable[[float, float], None]]:
    from app.ui.chart import ChartWidget

    widget = ChartWidget()
    widget.resize(WIDTH, HEIGHT)
    widget.set_candles(**candles)
    return widget, widget.set_visible_range


def _chart_with_sma(
    app: Any, candles: dict[str, np.ndarray]
) -> tuple[Any, Callable[[float, float], None]]:
    from app.ui.chart import ChartWidget, Study, StudyKind

    widget = ChartWidget()
    widget.resize(WIDTH, HEIGHT)
    widget.set_overlays([Study(StudyKind.SMA, 50)])
    widget.set_candles(**candles)
    return widget, widget.set_visible_range


def _naive(app: Any, candles: dict[str, np.ndarray]) -> tuple[Any, Callable[[float, float], None]]:
    import pyqtgraph as pg

    widget = pg.PlotWidget()
    widget.resize(WIDTH, HEIGHT)
    x = np.arange(len(candles["close"]), dtype=np.float64)
    opens, closes = candles["open_"], candles["close"]
    for mask, colour in ((closes >= opens, "#26a69a"), (closes < opens, "#ef5350")):
        widget.addItem(
            pg.BarGraphItem(
                x=x[mask],
                y0=np.minimum(opens, closes)[mask],
                height=np.abs(closes - opens)[mask],
                width=0.7,
                brush=colour,
                pen=None,
            )
        )
    wick_y = np.column_stack([candles["low"], candles["high"]]).ravel()
    widget.addItem(pg.PlotDataItem(np.repeat(x, 2), wick_y, connect="pairs", pen="#9598a1"))
    widget.enableAutoRange(y=True)
    widget.setAutoVisible(y=True)
    widget.setXRange(len(x) - 150, len(x), padding=0)

    def set_range(start: float, stop: float) -> None:
        widget.setXRange(start, stop, padding=0)

    return widget, set_range
