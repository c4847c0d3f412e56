"""The drawn lines of one study: growable value arrays, range pyramids and pyqtgraph curves.

Curves clip to the view and peak-downsample (min/max per pixel) so a study over 1,000,000
bars costs about the same to draw as one over a thousand; the y-range of the visible bars is
answered by min/max pyramids in microseconds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg

from app.ui.chart.pyramid import FloatArray, RangePyramid
from app.ui.chart.studies import Study, StudyKind


class _Line:
    """One line's values (with spare capacity for live bars) and its min/max pyramids."""

    def __init__(self) -> None:
        self.values: FloatArray = np.empty(0)
        self.size = 0
        self.lows = RangePyramid("min")
        self.highs = RangePyramid("max")

    @property
    def view(self) -> FloatArray:
        return self.values[: self.size]

    def replace(self, values: FloatArray) -> None:
        self.values = np.array(values, dtype=np.float64)
        self.size = len(values)
        self.lows.rebuild(self.view)
        self.highs.rebuild(self.view)

    def write_tail(self, first: int, tail: FloatArray) -> None:
        size = first + len(tail)
        if size > len(self.values):
            grown = np.empty(max(size, 2 * len(self.values), 16))
            grown[: self.size] = self.view
            self.values = grown
        self.values[first:size] = tail
        self.size = size
        self.lows.refresh_tail(self.view, first)
        self.highs.refresh_tail(self.view, first)


class StudyPlot:
    """A study's curves on one pane.

    Args:
        study: the indicator and its parameters.
        plot: the pane to draw on.
        colours: one colour per line (cycled).
        histogram: (rising, falling) fill colours of MACD's histogram.
    """

    def __init__(
        self,
        study: Study,
        plot: pg.PlotItem,
        colours: Sequence[str],
        histogram: tuple[str, str] = ("#26a69a", "#ef5350"),
    ) -> None:
        self.study = study
        self._plot = plot
        self._split_histogram = study.kind is StudyKind.MACD
        count = len(study.line_names) + (2 if self._split_histogram else 0)
        self._lines = [_Line() for _ in range(count)]
        self._x: FloatArray = np.empty(0)
        self.curves: list[pg.PlotDataItem] = []
        self._drawn: list[_Line] = []
        for number, line in enumerate(self._lines):
            if self._split_histogram and number == 2:
                continue  # drawn as its positive and negative halves
            curve = pg.PlotDataItem(autoDownsampleFactor=1.0)  # about one bucket per pixel
            if self._split_histogram and number > 2:
                fill = histogram[number - 3]
                curve.setPen(pg.mkPen(fill, width=1))
                curve.setFillLevel(0.0)
                curve.setBrush(pg.mkBrush(fill))
                curve.setZValue(5)
            else:
                curve.setPen(pg.mkPen(colours[number % len(colours)], width=1.3))
                curve.setZValue(10)
            plot.addItem(curve)
            curve.setClipToView(True)  # after addItem: PlotItem.addItem imposes its own modes
            curve.setDownsampling(auto=True, method="peak")
            self.curves.append(curve)
            self._drawn.append(line)

    def recompute(self, close: FloatArray) -> None:
        """Compute every line over all of ``close`` and redraw."""
        for line, values in zip(self._lines, self._expand(self.study.compute(close)), strict=True):
            line.replace(values)
        self._push()

    def refresh_tail(self, close: FloatArray, first_changed: int) -> None:
        """Recompute the values from bar ``first_changed`` on (live update) and redraw."""
        first, tails = self.study.compute_tail(close, first_changed)
        for line, tail in zip(self._lines, self._expand(tails), strict=True):
            line.write_tail(first, tail)
        self._push()

    def y_range(self, start: int, stop: int) -> tuple[float, float]:
        """(min, max) of every line over bars ``[start, stop)``, NaN when nothing is there."""
        lows = [line.lows.query(line.view, start, stop) for line in self._lines]
        highs = [line.highs.query(line.view, start, stop) for line in self._lines]
        return float(np.fmin.reduce(lows)), float(np.fmax.reduce(highs))

    def values_at(self, index: int) -> list[tuple[str, float]]:
        """``(name, value)`` of each line at bar ``index`` (warm-up NaNs left out)."""
        result = []
        for name, line in zip(self.study.line_names, self._lines, strict=False):
            if 0 <= index < line.size and math.isfinite(line.view[index]):
                result.append((name, float(line.view[index])))
        return result

    def remove(self) -> None:
        """Take the curves off the pane."""
        for curve in self.curves:
            self._plot.removeItem(curve)
        self.curves = []

    def _push(self) -> None:
        size = self._lines[0].size
        if len(self._x) < size:
            self._x = np.arange(max(size, 2 * len(self._x)), dtype=np.float64)
        for curve, line in zip(self.curves, self._drawn, strict=True):
            curve.setData(self._x[:size], line.view, connect="finite")

    def _expand(self, lines: tuple[FloatArray, ...]) -> tuple[FloatArray, ...]:
        if not self._split_histogram:
            return lines
        histogram = lines[2]
        return (*lines, np.maximum(histogram, 0.0), np.minimum(histogram, 0.0))
