"""Indicator lines drawn for the visible bars only, min/max per pixel column when zoomed out.

A :class:`StudyLine` keeps one indicator's values (with spare capacity for live bars) and
their min/max pyramids. :class:`LineItem` draws it as a polyline and :class:`HistogramItem` as
bars from zero; both read the bucket minima/maxima straight from the pyramids, so a frame costs
O(pixels) whatever the number of bars, like the candles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

from app.ui.chart.items import Primitives
from app.ui.chart.pyramid import FloatArray, RangePyramid
from app.ui.chart.series import level_for, visible_bars


class StudyLine:
    """One indicator line: values aligned with the bars, and their min/max pyramids."""

    def __init__(self) -> None:
        self._values: FloatArray = np.empty(0)
        self.size = 0
        self.lows = RangePyramid("min")
        self.highs = RangePyramid("max")
        self.version = 0

    @property
    def view(self) -> FloatArray:
        """The values (NaN during the indicator's warm-up)."""
        return self._values[: self.size]

    def replace(self, values: FloatArray) -> None:
        """Take new values for every bar."""
        self._values = np.array(values, dtype=np.float64)
        self.size = len(values)
        self.lows.rebuild(self.view)
        self.highs.rebuild(self.view)
        self.version += 1

    def write_tail(self, first: int, tail: FloatArray) -> None:
        """Overwrite/extend the values from bar ``first`` on with ``tail``."""
        size = first + len(tail)
        if size > len(self._values):
            grown = np.empty(max(size, 2 * len(self._values), 16))
            grown[: self.size] = self.view
            self._values = grown
        self._values[first:size] = tail
        self.size = size
        self.lows.refresh_tail(self.view, first)
        self.highs.refresh_tail(self.view, first)
        self.version += 1

    def y_range(self, start: int, stop: int) -> tuple[float, float]:
        """(min, max) over bars ``[start, stop)``, ignoring NaN; NaNs when nothing is there."""
        return self.lows.query(self.view, start, stop), self.highs.query(self.view, start, stop)

    def buckets(self, start: int, stop: int, level: int) -> tuple[FloatArray, ...]:
        """``(x, width, low, high)`` per bucket of ``2**level`` bars covering ``[start, stop)``."""
        level = min(level, self.lows.depth)
        if level == 0 or stop <= start:
            values = self.view[start:stop]
            return np.arange(start, stop, dtype=np.float64), np.ones(len(values)), values, values
        first, last = start >> level, ((stop - 1) >> level) + 1
        buckets = np.arange(first, last, dtype=np.int64)
        first_bar = buckets << level
        last_bar = np.minimum((buckets + 1) << level, self.size) - 1
        return (
            (first_bar + last_bar) / 2.0,
            (last_bar - first_bar + 1).astype(np.float64),
            self.lows.level(level)[first:last],
            self.highs.level(level)[first:last],
        )


@dataclass(frozen=True, slots=True)
class LineFrame:
    """What the last paint of a line drew: bar range, bucket level and points."""

    start: int
    stop: int
    level: int
    points: int


_BuildShapes = Callable[[int, FloatArray, FloatArray, FloatArray, FloatArray], int]


class _StudyLineItem(pg.GraphicsObject):  # type: ignore[misc]
    """Shared bounds, visible-range and caching logic of the study line items.

    A subclass defines ``_build(level, x, width, low, high)``, which caches the shapes of the
    buckets in view (``level`` 0: one per bar) and returns their point count, and
    ``_draw(painter)``, which draws the shapes built last.
    """

    from_zero = False  # True when the drawing always reaches y = 0 (bars)
    _build: _BuildShapes
    _draw: Callable[[QPainter], None]

    def __init__(self, line: StudyLine) -> None:
        super().__init__()
        self.line = line
        self._key: tuple[int, ...] | None = None
        self._bounds = QRectF()
        self.last_frame = LineFrame(0, 0, 0, 0)

    def data_changed(self) -> None:
        """Refresh the bounds and repaint after the line's values changed."""
        self.prepareGeometryChange()
        low, high = self.line.y_range(0, self.line.size)
        if np.isfinite(low) and np.isfinite(high):
            if self.from_zero:
                low, high = min(low, 0.0), max(high, 0.0)
            self._bounds = QRectF(-0.5, low, float(self.line.size), high - low)
        else:
            self._bounds = QRectF()
        self._key = None
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt override)
        """Extent of every value (the painter clips to the view)."""
        return QRectF(self._bounds)

    def _visible(self) -> tuple[int, int, int] | None:
        rect = self.viewRect()
        bars_per_pixel = self.pixelWidth()
        if rect is None or not bars_per_pixel or not self.line.size:
            return None
        start, stop = visible_bars(rect.left() - 1.0, rect.right() + 1.0, self.line.size)
        return start, stop, level_for(bars_per_pixel)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        """Draw the cached shapes of the visible values, rebuilding them when stale."""
        visible = self._visible()
        if visible is None:
            return
        key = (*visible, self.line.version)
        if key != self._key:
            points = self._build(visible[2], *self.line.buckets(*visible))
            self._key = key
            self.last_frame = LineFrame(visible[0], visible[1], visible[2], points)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, on=False)
        self._draw(painter)


class LineItem(_StudyLineItem):
    """A study line: the values themselves when zoomed in, min/max per pixel when zoomed out.

    Args:
        line: the values.
        pen: line colour/width (anything ``pg.mkPen`` accepts).
    """

    def __init__(self, line: StudyLine, pen: object) -> None:
        super().__init__(line)
        self._path = QPainterPath()
        self.set_pen(pen)

    def set_pen(self, pen: object) -> None:
        """Draw with ``pen`` from the next paint on."""
        self._pen = pg.mkPen(pen)
        self.update()

    def _build(
        self, level: int, x: FloatArray, width: FloatArray, low: FloatArray, high: FloatArray
    ) -> int:
        if level == 0:
            xs, ys = x, low
        else:  # each column: down to its min, up to its max
            xs, ys = np.repeat(x, 2), np.column_stack([low, high]).ravel()
        self._path = pg.arrayToQPath(xs, ys, connect="finite")
        return len(xs)

    def _draw(self, painter: QPainter) -> None:
        painter.setPen(self._pen)
        painter.drawPath(self._path)


class HistogramItem(_StudyLineItem):
    """Bars from zero to each value (MACD histogram); a bucket shows its extreme value.

    Args:
        line: the values (all >= 0 or all <= 0: pass the positive and negative halves
            as two items).
        brush: fill colour.
        negative: True when ``line`` holds the negative half (bars hang down to the minimum).
    """

    from_zero = True

    def __init__(self, line: StudyLine, brush: object, negative: bool = False) -> None:
        super().__init__(line)
        self._negative = negative
        self._bars = Primitives()
        self.set_brush(brush)

    def set_brush(self, brush: object) -> None:
        """Fill with ``brush`` from the next paint on."""
        self._brush = pg.mkBrush(brush)
        self.update()

    def _build(
        self, level: int, x: FloatArray, width: FloatArray, low: FloatArray, high: FloatArray
    ) -> int:
        values = np.nan_to_num(low if self._negative else high, nan=0.0)
        widths = width * (0.7 if level == 0 else 1.0)
        self._bars.fill_rects(x - widths / 2.0, np.zeros(len(x)), widths, values)
        return len(x)

    def _draw(self, painter: QPainter) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._brush)
        if len(self._bars.rects):
            painter.drawRects(*self._bars.rects.drawargs())
