"""Feeds the chart panel from the engine: candles, live bars, fill markers and open-order lines."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from decimal import Decimal

import pandas as pd
from PySide6.QtCore import QObject

from app.core.enums import Side
from app.core.errors import DataError
from app.core.events import CandleClosed, CandleUpdated
from app.core.models import Candle, Fill, Order
from app.ui.bridge import EngineBridge
from app.ui.chart import ChartPanel
from app.ui.facade_port import FacadePort

logger = logging.getLogger(__name__)

CHART_BARS = 5000
"""Candles requested from the engine when the chart (re)loads."""
MIN_VIEW_BARS = 150
"""While the chart holds fewer bars than this, new bars grow into a view of this width."""


class ChartFeed(QObject):
    """Keeps a :class:`ChartPanel` in step with the engine for the selected symbol/timeframe.

    Args:
        facade: the engine facade (candle, fill and order snapshots).
        bridge: the event bridge (live candles, fills, orders).
        panel: the chart panel.
        parent: owning object.
    """

    def __init__(
        self,
        facade: FacadePort,
        bridge: EngineBridge,
        panel: ChartPanel,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._facade = facade
        self.panel = panel
        self._last_ts: int | None = None
        panel.symbol_changed.connect(lambda _symbol: self.reload())
        panel.timeframe_changed.connect(lambda _timeframe: self.reload())
        bridge.candle_updated.connect(self.on_candle)
        bridge.candle_closed.connect(self.on_candle)
        bridge.fills.connect(self.on_fills)
        bridge.orders.connect(lambda _orders: self.refresh_orders())

    @property
    def bars(self) -> int:
        """Number of candles the chart holds."""
        return len(self.panel.chart.series)

    def reload(self) -> None:
        """Load the selected market's candles, fill markers and order lines from the engine."""
        symbol, timeframe = self.panel.symbol(), self.panel.timeframe()
        if not symbol or not timeframe:
            return
        frame = self._facade.candles(symbol, timeframe, CHART_BARS)
        self.show_frame(frame)
        self.refresh_fills()
        self.refresh_orders()

    def show_frame(self, frame: pd.DataFrame) -> None:
        """Show these candles (timestamp/open/high/low/close/volume columns)."""
        if frame.empty:
            self._last_ts = None
            return
        self.panel.chart.set_candles(
            frame["timestamp"].to_numpy(),
            frame["open"].to_numpy(),
            frame["high"].to_numpy(),
            frame["low"].to_numpy(),
            frame["close"].to_numpy(),
            frame["volume"].to_numpy(),
        )
        self._last_ts = int(frame["timestamp"].iloc[-1])
        if len(frame) < MIN_VIEW_BARS:
            self.panel.chart.show_last(MIN_VIEW_BARS)

    def on_candle(self, event: CandleUpdated | CandleClosed) -> None:
        """A live candle of some market: draw it when it is the selected one."""
        if event.symbol != self.panel.symbol() or event.timeframe != self.panel.timeframe():
            return
        candle: Candle = event.candle
        values = (candle.open, candle.high, candle.low, candle.close, candle.volume)
        if self._last_ts is None:
            self.reload()  # the engine may hold history by now
            if self._last_ts is None:  # it does not: the chart starts from live bars
                self.panel.chart.append_candle(candle.timestamp, *values)
                self._last_ts = candle.timestamp
            return
        try:
            if candle.timestamp == self._last_ts:
                self.panel.chart.update_last_candle(candle.timestamp, *values)
            elif candle.timestamp > self._last_ts:
                self.panel.chart.append_candle(candle.timestamp, *values)
                self._last_ts = candle.timestamp
                self._keep_young_chart_in_view()
        except DataError as exc:
            logger.warning("chart update skipped: %s; reloading", exc)
            self.reload()

    def _keep_young_chart_in_view(self) -> None:
        chart = self.panel.chart
        if len(chart.series) < MIN_VIEW_BARS:
            chart.flush_live_updates()
            chart.show_last(MIN_VIEW_BARS)

    def show_backtest_trades(
        self, trades: Sequence[tuple[int, Decimal, int, Decimal, str]]
    ) -> None:
        """Mark a backtest's round trips: longs buy at entry and sell at exit, shorts reverse."""
        markers: list[tuple[int, Decimal, Side]] = []
        for entry_time, entry_price, exit_time, exit_price, side in trades:
            opening = Side.BUY if side == "long" else Side.SELL
            markers.append((entry_time, entry_price, opening))
            markers.append((exit_time, exit_price, opening.opposite))
        self.panel.chart.set_trade_markers(markers)

    def on_fills(self, _fills: Sequence[Fill]) -> None:
        """New fills: redraw the markers of the selected symbol."""
        self.refresh_fills()

    def refresh_fills(self) -> None:
        """Draw every fill of the selected symbol as a trade marker."""
        symbol = self.panel.symbol()
        self.panel.chart.set_trade_markers(
            (fill.timestamp, fill.price, fill.side)
            for fill in self._facade.fills()
            if fill.symbol == symbol
        )

    def refresh_orders(self) -> None:
        """Draw the selected symbol's resting priced orders as lines."""
        symbol = self.panel.symbol()
        self.panel.chart.set_order_lines(
            (order.client_order_id, price, order.side)
            for order in self._facade.orders()
            if order.symbol == symbol and order.status.is_active
            and (price := _line_price(order)) is not None
        )  # fmt: skip


def _line_price(order: Order) -> Decimal | None:
    return order.price if order.price is not None else order.stop_price
