"""The chart's panes in a vertical splitter: one shared x axis, y-ranges fitted to the view.

The x coordinate is the bar index. Only the lowest visible pane shows the time axis.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtWidgets import QSplitter, QWidget

from app.ui.chart.palette import ChartPalette
from app.ui.chart.pane import Pane
from app.ui.chart.series import CandleSeries, level_for, visible_bars
from app.ui.chart.study_plot import StudyPlot

_Y_PADDING = 0.06


class PaneStack(QSplitter):
    """Price, volume, RSI and MACD panes (the last two hidden until asked for).

    Signals:
        mouse_moved(Pane, QPointF): the mouse moved over a pane's scene (scene position).

    Args:
        series: the candles every pane draws against.
        palette: colours.
        parent: owning widget.
    """

    mouse_moved = Signal(object, QPointF)

    def __init__(
        self, series: CandleSeries, palette: ChartPalette, parent: QWidget | None = None
    ) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self._series = series
        self._palette = palette
        self.setChildrenCollapsible(False)
        self.price = self._add_pane(6)
        self.volume = self._add_pane(2)
        self.rsi = self._add_pane(2)
        self.macd = self._add_pane(2)
        self.rsi.hide()
        self.macd.hide()
        self._apply_handle_style()

    @property
    def panes(self) -> list[Pane]:
        """Every pane, top to bottom (hidden ones included)."""
        return [self.price, self.volume, self.rsi, self.macd]

    def visible_range(self) -> tuple[int, int]:
        """Bars ``[start, stop)`` currently in view."""
        x_min, x_max = self.price.view_box.viewRange()[0]
        return visible_bars(x_min, x_max, len(self._series))

    def apply_palette(self, palette: ChartPalette) -> None:
        """Recolour every pane and the splitter handles."""
        self._palette = palette
        for pane in self.panes:
            pane.apply_palette(palette)
        self._apply_handle_style()

    def update_time_axes(self) -> None:
        """Show the time axis under the lowest visible pane only."""
        shown = [pane for pane in self.panes if not pane.isHidden()]
        for pane in self.panes:
            pane.show_time_axis(bool(shown) and pane is shown[-1])

    def set_crosshair(
        self, x: float | None, hovered: Pane | None = None, y: float | None = None
    ) -> None:
        """Put the crosshair at bar ``x`` on every pane (None hides it); the ``hovered`` pane
        also gets the horizontal line at ``y``.
        """
        for pane in self.panes:
            pane.set_crosshair(x, y if pane is hovered else None)

    def fit_y(
        self, overlays: Sequence[StudyPlot], rsi: StudyPlot | None, macd: StudyPlot | None
    ) -> None:
        """Fit each pane's y-range to the bars in view (prices with ``overlays``, volume from 0)."""
        series = self._series
        if not len(series):
            return
        start, stop = self.visible_range()
        if stop <= start:
            return
        low, high = series.price_range(start, stop)
        for plot in overlays:
            overlay_low, overlay_high = plot.y_range(start, stop)
            low = float(np.fmin(low, overlay_low))
            high = float(np.fmax(high, overlay_high))
        _set_y(self.price, low, high)
        x_min, x_max = self.price.view_box.viewRange()[0]
        bars_per_pixel = (x_max - x_min) / max(self.volume.view_box.width(), 1.0)
        window = series.window(start, stop, level_for(bars_per_pixel))
        peak = float(window.volume.max()) if len(window) else math.nan
        _set_y(self.volume, 0.0, peak)
        if rsi is not None:
            self.rsi.view_box.setYRange(0.0, 100.0, padding=0.02)
        if macd is not None:
            _set_y(self.macd, *macd.y_range(start, stop))

    def _add_pane(self, stretch: int) -> Pane:
        pane = Pane(self._series, self._palette, self)
        self.addWidget(pane)
        self.setStretchFactor(self.count() - 1, stretch)
        if self.count() > 1:
            pane.plot.setXLink(self.price.plot)
        pane.scene().sigMouseMoved.connect(lambda pos, p=pane: self.mouse_moved.emit(p, pos))
        return pane

    def _apply_handle_style(self) -> None:
        self.setStyleSheet(f"QSplitter::handle {{ background: {self._palette.background}; }}")


def _set_y(pane: Pane, low: float, high: float) -> None:
    if not (math.isfinite(low) and math.isfinite(high)):
        return
    if high <= low:
        low, high = low - 0.5 * max(abs(low), 1e-9) * 0.01, high + 0.5 * max(abs(high), 1e-9) * 0.01
    pane.view_box.setYRange(low, high, padding=_Y_PADDING)
