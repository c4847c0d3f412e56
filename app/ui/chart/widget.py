"""ChartWidget: candles, volume, studies, trade markers, order lines and a crosshair readout.

Panes (price, volume, RSI, MACD) sit in a :class:`~app.ui.chart.pane_stack.PaneStack` and
share the x axis, whose coordinate is the bar index. Every x-range change refits each pane's
y-range to the visible bars. Live candle updates are queued and applied at most ~30 times a
second.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, Qt, Signal
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.core.enums import Side
from app.ui.chart.annotations import (
    OrderLineLayer,
    Price,
    TradeMarkerLayer,
    to_order_lines,
    to_trade_markers,
)
from app.ui.chart.items import CandleItem, VolumeItem
from app.ui.chart.live import LiveCandle, LiveCandleQueue
from app.ui.chart.palette import DARK, ChartPalette
from app.ui.chart.pane import Pane
from app.ui.chart.pane_stack import PaneStack
from app.ui.chart.readout import candle_readout, format_oscillator, format_price
from app.ui.chart.series import CandleSeries
from app.ui.chart.studies import Study, StudyKind
from app.ui.chart.study_plot import StudyPlot

logger = logging.getLogger(__name__)

_RIGHT_MARGIN_BARS = 5
_RSI_LEVELS = (30.0, 70.0)


class ChartWidget(QWidget):
    """Candlestick chart that stays smooth with 1,000,000 candles.

    Args:
        palette: colours (:data:`~app.ui.chart.palette.DARK` or ``LIGHT`` or your own).
        initial_bars: how many of the latest bars :meth:`set_candles` shows.
        parent: owning widget.
    """

    bar_hovered = Signal(int)
    """Index of the bar under the mouse (-1 when the mouse left the chart)."""

    def __init__(
        self,
        palette: ChartPalette = DARK,
        initial_bars: int = 150,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._palette = palette
        self._initial_bars = initial_bars
        self.series = CandleSeries()
        self._hover_index: int | None = None
        self._live = LiveCandleQueue(self._apply_live, self)
        self._overlays: list[StudyPlot] = []
        self._rsi: StudyPlot | None = None
        self._macd: StudyPlot | None = None

        self.readout = QLabel(self)
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.readout.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.pane_stack = PaneStack(self.series, palette, self)
        stack = self.pane_stack
        self.price_pane, self.volume_pane = stack.price, stack.volume
        self.rsi_pane, self.macd_pane = stack.rsi, stack.macd
        self.candle_item = CandleItem(self.series, palette)
        self.price_pane.plot.addItem(self.candle_item)
        self.volume_item = VolumeItem(self.series, palette)
        self.volume_pane.plot.addItem(self.volume_item)
        self.trade_markers = TradeMarkerLayer(self.price_pane.plot, self.series, palette)
        self.order_lines = OrderLineLayer(self.price_pane.plot, palette)
        self._rsi_levels = [
            self.rsi_pane.plot.addLine(y=level, pen=self._level_pen()) for level in _RSI_LEVELS
        ]

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.readout)
        layout.addWidget(self.pane_stack, 1)

        self.price_pane.view_box.sigXRangeChanged.connect(self._fit_y)
        self.volume_pane.view_box.sigResized.connect(self._fit_y)
        self.pane_stack.mouse_moved.connect(self._on_mouse_moved)
        self._apply_readout_style()
        self.pane_stack.update_time_axes()

    # ------------------------------------------------------------------ data
    def set_candles(
        self,
        timestamps: npt.ArrayLike,
        open_: npt.ArrayLike,
        high: npt.ArrayLike,
        low: npt.ArrayLike,
        close: npt.ArrayLike,
        volume: npt.ArrayLike,
    ) -> None:
        """Replace the candles (numpy arrays; timestamps in ms UTC) and show the latest bars.

        Raises:
            DataError: the arrays differ in length or timestamps are not strictly increasing.
        """
        self.series.set(timestamps, open_, high, low, close, volume)
        self._live.reset(int(self.series.timestamps[-1]) if len(self.series) else None)
        for study in self._studies():
            study.recompute(self.series.close)
        self._data_changed()
        self.show_last(self._initial_bars)
        logger.debug("chart loaded %d candles", len(self.series))

    def update_last_candle(
        self, timestamp: int, open_: float, high: float, low: float, close: float, volume: float
    ) -> None:
        """Queue a new state of the last (forming) candle; drawn within ~33 ms.

        Call on the GUI thread (the UI bridge delivers engine events there).

        Raises:
            DataError: ``timestamp`` is not the open time of the last candle.
        """
        self._live.update_last(LiveCandle(False, timestamp, open_, high, low, close, volume))

    def append_candle(
        self, timestamp: int, open_: float, high: float, low: float, close: float, volume: float
    ) -> None:
        """Queue a new candle after the last one; drawn within ~33 ms (GUI thread only).

        Raises:
            DataError: ``timestamp`` is not after the last candle's open time.
        """
        self._live.append(LiveCandle(True, timestamp, open_, high, low, close, volume))

    def flush_live_updates(self) -> None:
        """Apply the queued live updates now (a ~33 ms timer does this on its own)."""
        self._live.flush()

    @property
    def pending_live_updates(self) -> int:
        """Live updates queued for the next repaint."""
        return self._live.pending_count

    def _apply_live(self, updates: list[LiveCandle]) -> None:
        old_size = len(self.series)
        first_changed = old_size - 1
        for candle in updates:
            values = (candle.open, candle.high, candle.low, candle.close, candle.volume)
            if candle.is_new:
                self.series.append(candle.timestamp, *values)
            else:
                self.series.update_last(candle.timestamp, *values)
            first_changed = min(first_changed, len(self.series) - 1)
        for study in self._studies():
            study.refresh_tail(self.series.close, max(first_changed, 0))
        following = self.visible_range()[1] >= old_size
        self._data_changed()
        added = len(self.series) - old_size
        if following and added:
            x_min, x_max = self.price_pane.view_box.viewRange()[0]
            self.price_pane.view_box.setXRange(x_min + added, x_max + added, padding=0)
        else:
            self._fit_y()

    # ------------------------------------------------------------------ studies
    def set_overlays(self, studies: Iterable[Study]) -> None:
        """Draw these overlays (SMA, EMA, Bollinger) on the price pane, replacing the others.

        Raises:
            ValueError: a study is not a price overlay (use show_rsi/show_macd).
        """
        wanted = list(studies)
        for study in wanted:
            if not study.kind.is_overlay:
                raise ValueError(f"{study.label} is not a price overlay; use show_rsi/show_macd")
        for plot in self._overlays:
            plot.remove()
        self._overlays = []
        colours = self._palette.overlays
        slot = 0
        for study in wanted:
            count = len(study.line_names)
            own = tuple(colours[(slot + n) % len(colours)] for n in range(count))
            if study.kind is StudyKind.BOLLINGER:
                own = (own[0], own[0], own[0])
            plot = StudyPlot(study, self.price_pane.plot, own)
            if len(self.series):
                plot.recompute(self.series.close)
            self._overlays.append(plot)
            slot += 1 if study.kind is StudyKind.BOLLINGER else count
        self._fit_y()
        self._update_readout()

    @property
    def overlays(self) -> list[Study]:
        """The overlays shown on the price pane."""
        return [plot.study for plot in self._overlays]

    def show_rsi(self, visible: bool, period: int = 14) -> None:
        """Show or hide the RSI sub-pane."""
        self._rsi = self._toggle_pane(
            self.rsi_pane, self._rsi, Study(StudyKind.RSI, period) if visible else None
        )
        self._studies_changed()

    def show_macd(self, visible: bool, fast: int = 12, slow: int = 26, signal: int = 9) -> None:
        """Show or hide the MACD sub-pane."""
        study = Study(StudyKind.MACD, fast, slow=slow, signal=signal) if visible else None
        self._macd = self._toggle_pane(self.macd_pane, self._macd, study)
        self._studies_changed()

    # ------------------------------------------------------------------ annotations
    def set_trade_markers(self, markers: Iterable[tuple[int, Price, Side | str]]) -> None:
        """Show fills as ▲ (buy) / ▼ (sell) at ``(timestamp ms UTC, price, side)``.

        Raises:
            DataError: a price is not a number or a side is not buy/sell.
        """
        self.trade_markers.set_markers(to_trade_markers(markers))

    def set_order_lines(self, orders: Iterable[tuple[str, Price, Side | str]]) -> None:
        """Show open orders as dashed lines at ``(client_order_id, price, side)``.

        Raises:
            DataError: a price is not a number or a side is not buy/sell.
        """
        self.order_lines.set_orders(to_order_lines(orders))

    # ------------------------------------------------------------------ view
    def visible_range(self) -> tuple[int, int]:
        """Bars ``[start, stop)`` currently in view."""
        return self.pane_stack.visible_range()

    def set_visible_range(self, start: float, stop: float) -> None:
        """Show bars ``[start, stop)`` (bar index units; may extend past the data)."""
        self.price_pane.view_box.setXRange(start - 0.5, stop - 0.5, padding=0)

    def show_last(self, bars: int) -> None:
        """Show the latest ``bars`` bars with a small margin on the right."""
        size = len(self.series)
        self.set_visible_range(max(0, size - bars), size + _RIGHT_MARGIN_BARS)

    def set_palette(self, palette: ChartPalette) -> None:
        """Recolour every pane and item."""
        self._palette = palette
        self.pane_stack.apply_palette(palette)
        self.candle_item.set_palette(palette)
        self.volume_item.set_palette(palette)
        self.trade_markers.set_palette(palette)
        self.order_lines.set_palette(palette)
        for line in self._rsi_levels:
            line.setPen(self._level_pen())
        self.set_overlays(self.overlays)
        rsi, macd = (plot.study if plot else None for plot in (self._rsi, self._macd))
        self._rsi = self._toggle_pane(self.rsi_pane, self._rsi, rsi)
        self._macd = self._toggle_pane(self.macd_pane, self._macd, macd)
        self._studies_changed()
        self._apply_readout_style()

    def readout_text(self) -> str:
        """The crosshair readout (bar under the mouse, or the last bar)."""
        return str(self.readout.text())

    def hover_bar(self, index: int | None) -> None:
        """Point the crosshair at bar ``index`` and show its readout (None: the last bar)."""
        self._hover_index = index
        self.pane_stack.set_crosshair(None if index is None else float(index))
        self._update_readout()
        self.bar_hovered.emit(-1 if index is None else index)

    def leaveEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        """The mouse left the chart: hide the crosshair, show the last bar again."""
        self.hover_bar(None)
        super().leaveEvent(event)

    # ------------------------------------------------------------------ internals
    def _studies(self) -> list[StudyPlot]:
        return [*self._overlays, *(plot for plot in (self._rsi, self._macd) if plot)]

    def _toggle_pane(
        self, pane: Pane, current: StudyPlot | None, study: Study | None
    ) -> StudyPlot | None:
        if current is not None:
            current.remove()
        plot = None
        if study is not None:
            histogram = (self._palette.volume_up, self._palette.volume_down)
            plot = StudyPlot(study, pane.plot, self._palette.overlays[1:], histogram)
            if len(self.series):
                plot.recompute(self.series.close)
        pane.setVisible(plot is not None)
        self.pane_stack.update_time_axes()
        return plot

    def _studies_changed(self) -> None:
        self._fit_y()
        self._update_readout()

    def _data_changed(self) -> None:
        size = len(self.series)
        self.candle_item.data_changed()
        self.volume_item.data_changed()
        self.trade_markers.refresh()
        self.price_pane.view_box.setLimits(
            xMin=-_RIGHT_MARGIN_BARS * 4 - 0.5,
            xMax=size + _RIGHT_MARGIN_BARS * 4,
            minXRange=5,
        )
        self._update_readout()

    def _fit_y(self) -> None:
        self.pane_stack.fit_y(self._overlays, self._rsi, self._macd)

    def _on_mouse_moved(self, pane: Pane, scene_pos: QPointF) -> None:
        box = pane.view_box
        if not box.sceneBoundingRect().contains(scene_pos):
            self.hover_bar(None)
            return
        point = box.mapSceneToView(scene_pos)
        index = round(point.x())
        if not 0 <= index < len(self.series):
            self.hover_bar(None)
            return
        self.hover_bar(index)
        self.pane_stack.set_crosshair(float(index), pane, point.y())

    def _update_readout(self) -> None:
        index = self._hover_index if self._hover_index is not None else len(self.series) - 1
        texts: list[tuple[str, str]] = []
        for plot in self._studies():
            style = format_price if plot.study.kind.is_overlay else format_oscillator
            texts.extend((name, style(value)) for name, value in plot.values_at(index))
        self.readout.setText(candle_readout(self.series, index, texts))

    def _apply_readout_style(self) -> None:
        self.readout.setStyleSheet(
            f"QLabel {{ background: {self._palette.background}; color: {self._palette.foreground};"
            " padding: 3px 6px; font-family: monospace; }"
        )

    def _level_pen(self) -> QPen:
        pen: QPen = pg.mkPen(self._palette.crosshair, width=1, style=Qt.PenStyle.DotLine)
        return pen
