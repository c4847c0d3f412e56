"""The drawn lines of one study on one pane (an overlay on the price pane, or a sub-pane).

Lines are :class:`~app.ui.chart.lines.LineItem`\\ s (MACD's histogram two
:class:`~app.ui.chart.lines.HistogramItem`\\ s, rising and falling), which draw the visible bars
only, min/max per pixel column when zoomed out; the y-range of the visible bars comes from the
lines' min/max pyramids in microseconds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg

from app.ui.chart.lines import HistogramItem, LineItem, StudyLine
from app.ui.chart.pyramid import FloatArray
from app.ui.chart.studies import Study, StudyKind

_LINE_WIDTH = 1.3


class StudyPlot:
    """A study's lines on one pane.

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
        self.lines = [StudyLine() for _ in range(count)]
        self.items: list[LineItem | HistogramItem] = []
        for number, line in enumerate(self.lines):
            item: LineItem | HistogramItem
            if self._split_histogram and number == 2:
                continue  # drawn as its rising and falling halves
            if self._split_histogram and number > 2:
                item = HistogramItem(line, histogram[number - 3], negative=number == 4)
                item.setZValue(5)
            else:
                item = LineItem(line, pg.mkPen(colours[number % len(colours)], width=_LINE_WIDTH))
                item.setZValue(10)
            plot.addItem(item)
            self.items.append(item)

    def recompute(self, close: FloatArray) -> None:
        """Compute every line over all of ``close`` and redraw."""
        for line, values in zip(self.lines, self._expand(self.study.compute(close)), strict=True):
            line.replace(values)
        self._changed()

    def refresh_tail(self, close: FloatArray, first_changed: int) -> None:
        """Recompute the values from bar ``first_changed`` on (live update) and redraw."""
        first, tails = self.study.compute_tail(close, first_changed)
        for line, tail in zip(self.lines, self._expand(tails), strict=True):
            line.write_tail(first, tail)
        self._changed()

    def y_range(self, start: int, stop: int) -> tuple[float, float]:
        """(min, max) of every line over bars ``[start, stop)``, NaN when nothing is there."""
        ranges = [line.y_range(start, stop) for line in self.lines]
        low = np.fmin.reduce([item[0] for item in ranges])
        high = np.fmax.reduce([item[1] for item in ranges])
        return float(low), float(high)

    def values_at(self, index: int) -> list[tuple[str, float]]:
        """``(name, value)`` of each line at bar ``index`` (warm-up NaNs left out)."""
        result = []
        for name, line in zip(self.study.line_names, self.lines, strict=False):
            if 0 <= index < line.size and math.isfinite(line.view[index]):
                result.append((name, float(line.view[index])))
        return result

    def remove(self) -> None:
        """Take the lines off the pane."""
        for item in self.items:
            self._plot.removeItem(item)
        self.items = []

    def _changed(self) -> None:
        for item in self.items:
            item.data_changed()

    def _expand(self, lines: tuple[FloatArray, ...]) -> tuple[FloatArray, ...]:
        if not self._split_histogram:
            return lines
        histogram = lines[2]
        return (*lines, np.maximum(histogram, 0.0), np.minimum(histogram, 0.0))
