"""Graphics items that draw candles and volume bars for the visible range only.

Each paint asks :class:`~app.ui.chart.series.CandleSeries` for the window of the visible bars at
the bucket level that fits the pixel width, fills QLineF/QRectF arrays straight from numpy and
draws them with one ``drawLines``/``drawRects`` call per colour. The arrays are cached by
(visible range, level, data version), so an idle repaint only replays them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt import internals
from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

from app.ui.chart.palette import ChartPalette
from app.ui.chart.pyramid import FloatArray
from app.ui.chart.series import CandleSeries, CandleWindow, level_for, visible_bars

_BODY_GAP_MIN_PX = 3.0  # narrower columns are drawn as solid bars without a gap


@dataclass(frozen=True, slots=True)
class FrameStats:
    """What the last paint drew: bar range, bucket level, columns and primitives."""

    start: int
    stop: int
    level: int
    columns: int
    primitives: int


class Primitives:
    """One colour's reusable QLineF and QRectF arrays, filled from numpy in place."""

    def __init__(self) -> None:
        self.lines = internals.PrimitiveArray(QLineF, 4)
        self.rects = internals.PrimitiveArray(QRectF, 4)

    def fill_lines(self, x: FloatArray, y1: FloatArray, y2: FloatArray) -> None:
        """Vertical segments (x, y1)-(x, y2)."""
        self.lines.resize(len(x))
        target = self.lines.ndarray()
        target[:, 0] = x
        target[:, 1] = y1
        target[:, 2] = x
        target[:, 3] = y2

    def fill_rects(self, left: FloatArray, bottom: FloatArray, width: Any, height: Any) -> None:
        """Rectangles from (left, bottom) with ``width`` and ``height`` (arrays or scalars)."""
        self.rects.resize(len(left))
        target = self.rects.ndarray()
        target[:, 0] = left
        target[:, 1] = bottom
        target[:, 2] = width
        target[:, 3] = height

    @property
    def count(self) -> int:
        """Number of primitives held."""
        return len(self.lines) + len(self.rects)


class _Shapes(Protocol):
    """How one kind of item colours, bounds, builds and draws its window."""

    def apply_palette(self, palette: ChartPalette) -> None:
        """Take the colours from ``palette``."""

    def bounds(self, series: CandleSeries) -> QRectF:
        """Extent of every loaded bar in data coordinates."""

    def build(self, window: CandleWindow, column_px: float) -> int:
        """Fill the primitive arrays for ``window``; returns how many primitives they hold."""

    def draw(self, painter: QPainter) -> None:
        """Draw the primitive arrays built last."""


class _WindowItem(pg.GraphicsObject):  # type: ignore[misc]
    """An item that draws a :class:`CandleWindow` of the visible bars with its shapes."""

    def __init__(self, series: CandleSeries, palette: ChartPalette, shapes: _Shapes) -> None:
        super().__init__()
        self._series = series
        self._shapes = shapes
        self._key: tuple[int, ...] | None = None
        self._bounds = QRectF()
        self.last_frame = FrameStats(0, 0, 0, 0, 0)
        self.set_palette(palette)

    def set_palette(self, palette: ChartPalette) -> None:
        """Use ``palette``'s colours from the next paint on."""
        self._shapes.apply_palette(palette)
        self.update()

    def data_changed(self) -> None:
        """Refresh the bounds and repaint after the series changed."""
        self.prepareGeometryChange()
        self._bounds = self._shapes.bounds(self._series)
        self._key = None
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt override)
        """Extent of every loaded bar (the painter clips to the view)."""
        return QRectF(self._bounds)

    def current_window(self) -> CandleWindow | None:
        """The window the next paint draws, or None outside a view or without data."""
        rect = self.viewRect()
        bars_per_pixel = self.pixelWidth()
        if rect is None or not bars_per_pixel or not len(self._series):
            return None
        start, stop = visible_bars(rect.left(), rect.right(), len(self._series))
        return self._series.window(start, stop, level_for(bars_per_pixel))

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        """Draw the cached primitives of the visible window, rebuilding them when stale."""
        window = self.current_window()
        if window is None:
            return
        column_px = float(np.min(window.width, initial=1.0)) / self.pixelWidth()
        key = (window.start, window.stop, window.level, self._series.version, column_px >= 3)
        if key != self._key:
            primitives = self._shapes.build(window, column_px)
            self._key = key
            self.last_frame = FrameStats(
                window.start, window.stop, window.level, len(window), primitives
            )
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, on=False)
        self._shapes.draw(painter)


def _body_width(window: CandleWindow, column_px: float) -> FloatArray:
    factor = 0.7 if column_px >= _BODY_GAP_MIN_PX else 1.0
    return window.width * factor


class _CandleShapes:
    """Candlesticks: a wick per column and an up/down coloured body."""

    def __init__(self) -> None:
        self._up = Primitives()
        self._down = Primitives()

    def apply_palette(self, palette: ChartPalette) -> None:
        self._pens = (pg.mkPen(palette.up, width=1), pg.mkPen(palette.down, width=1))
        self._brushes = (pg.mkBrush(palette.up), pg.mkBrush(palette.down))

    def bounds(self, series: CandleSeries) -> QRectF:
        size = len(series)
        if not size:
            return QRectF()
        low, high = series.price_range(0, size)
        return QRectF(-0.5, low, float(size), high - low)

    def build(self, window: CandleWindow, column_px: float) -> int:
        rising = window.close >= window.open
        body_width = _body_width(window, column_px)
        for part, mask in ((self._up, rising), (self._down, ~rising)):
            x = window.x[mask]
            part.fill_lines(x, window.low[mask], window.high[mask])
            opens, closes = window.open[mask], window.close[mask]
            widths = body_width[mask]
            part.fill_rects(
                x - widths / 2.0, np.minimum(opens, closes), widths, np.abs(closes - opens)
            )
        return self._up.count + self._down.count

    def draw(self, painter: QPainter) -> None:
        for part, pen, brush in zip((self._up, self._down), self._pens, self._brushes, strict=True):
            painter.setPen(pen)
            if len(part.lines):
                painter.drawLines(*part.lines.drawargs())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(brush)
            if len(part.rects):
                painter.drawRects(*part.rects.drawargs())


class _VolumeShapes:
    """Volume bars from zero, coloured by the column's direction (merged volume is summed)."""

    def __init__(self) -> None:
        self._up = Primitives()
        self._down = Primitives()

    def apply_palette(self, palette: ChartPalette) -> None:
        self._brushes = (pg.mkBrush(palette.volume_up), pg.mkBrush(palette.volume_down))

    def bounds(self, series: CandleSeries) -> QRectF:
        size = len(series)
        if not size:
            return QRectF()
        return QRectF(-0.5, 0.0, float(size), series.volume_total(0, size))  # >= any column

    def build(self, window: CandleWindow, column_px: float) -> int:
        rising = window.close >= window.open
        body_width = _body_width(window, column_px)
        for part, mask in ((self._up, rising), (self._down, ~rising)):
            widths = body_width[mask]
            volumes = window.volume[mask]
            part.fill_rects(window.x[mask] - widths / 2.0, np.zeros(len(volumes)), widths, volumes)
        return len(self._up.rects) + len(self._down.rects)

    def draw(self, painter: QPainter) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        for part, brush in zip((self._up, self._down), self._brushes, strict=True):
            if len(part.rects):
                painter.setBrush(brush)
                painter.drawRects(*part.rects.drawargs())


class CandleItem(_WindowItem):
    """Candlesticks of the visible bars, merged per pixel column when zoomed out.

    Args:
        series: the candles (shared with the other panes).
        palette: colours.
    """

    def __init__(self, series: CandleSeries, palette: ChartPalette) -> None:
        super().__init__(series, palette, _CandleShapes())


class VolumeItem(_WindowItem):
    """Volume bars of the visible bars, summed per pixel column when zoomed out.

    Args:
        series: the candles (shared with the other panes).
        palette: colours.
    """

    def __init__(self, series: CandleSeries, palette: ChartPalette) -> None:
        super().__init__(series, palette, _VolumeShapes())
