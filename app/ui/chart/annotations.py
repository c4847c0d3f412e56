"""Trade markers (triangles at the fill bar and price) and open-order lines on the price pane."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from app.core.enums import Side
from app.core.errors import DataError
from app.ui.chart.palette import ChartPalette
from app.ui.chart.readout import format_price
from app.ui.chart.series import CandleSeries

Price = float | Decimal | str


@dataclass(frozen=True, slots=True)
class TradeMarker:
    """A fill drawn on the chart: time (ms UTC), price and side."""

    timestamp: int
    price: float
    side: Side


@dataclass(frozen=True, slots=True)
class OrderLine:
    """An open order drawn as a horizontal line at its limit/stop price."""

    client_order_id: str
    price: float
    side: Side


def _side(value: Side | str) -> Side:
    try:
        return Side(str(value).lower())
    except ValueError:
        raise DataError(f"chart annotation: side must be 'buy' or 'sell', got {value!r}") from None


def _price(value: Price) -> float:
    try:
        price = float(value)
    except (TypeError, ValueError):
        raise DataError(f"chart annotation: price {value!r} is not a number") from None
    if not np.isfinite(price):
        raise DataError(f"chart annotation: price {value!r} is not a finite number")
    return price


def to_trade_markers(items: Iterable[tuple[int, Price, Side | str]]) -> list[TradeMarker]:
    """Validate ``(timestamp, price, side)`` tuples.

    Raises:
        DataError: a price is not a finite number or a side is not buy/sell.
    """
    return [TradeMarker(int(ts), _price(price), _side(side)) for ts, price, side in items]


def to_order_lines(items: Iterable[tuple[str, Price, Side | str]]) -> list[OrderLine]:
    """Validate ``(client_order_id, price, side)`` tuples.

    Raises:
        DataError: a price is not a finite number or a side is not buy/sell.
    """
    return [OrderLine(str(cid), _price(price), _side(side)) for cid, price, side in items]


class TradeMarkerLayer:
    """Scatter of buy (▲) and sell (▼) markers placed on the bar that contains each fill.

    Args:
        plot: the price pane.
        series: the candles (to map fill times to bars).
        palette: colours.
    """

    def __init__(self, plot: pg.PlotItem, series: CandleSeries, palette: ChartPalette) -> None:
        self._series = series
        self._palette = palette
        self._markers: list[TradeMarker] = []
        self.scatter = pg.ScatterPlotItem(size=12, pxMode=True)
        self.scatter.setZValue(20)
        plot.addItem(self.scatter)

    @property
    def markers(self) -> list[TradeMarker]:
        """The markers currently shown (a copy)."""
        return list(self._markers)

    def set_markers(self, markers: list[TradeMarker]) -> None:
        """Show ``markers`` (replacing the previous ones)."""
        self._markers = list(markers)
        self.refresh()

    def set_palette(self, palette: ChartPalette) -> None:
        """Recolour the markers."""
        self._palette = palette
        self.refresh()

    def refresh(self) -> None:
        """Re-place the markers on the current bars (after candles were loaded or appended)."""
        spots = []
        for marker in self._markers:
            index = self._series.index_at(marker.timestamp)
            if index < 0:
                continue
            buy = marker.side is Side.BUY
            spots.append(
                {
                    "pos": (float(index), marker.price),
                    "symbol": "t1" if buy else "t",
                    "brush": pg.mkBrush(self._palette.buy if buy else self._palette.sell),
                    "pen": pg.mkPen(self._palette.background, width=1),
                    "data": marker,
                }
            )
        self.scatter.setData(spots)


class OrderLineLayer:
    """Dashed horizontal lines at the prices of open orders, labelled with side and id.

    Args:
        plot: the price pane.
        palette: colours.
    """

    def __init__(self, plot: pg.PlotItem, palette: ChartPalette) -> None:
        self._plot = plot
        self._palette = palette
        self._orders: list[OrderLine] = []
        self.lines: dict[str, pg.InfiniteLine] = {}

    @property
    def orders(self) -> list[OrderLine]:
        """The order lines currently shown (a copy)."""
        return list(self._orders)

    def set_orders(self, orders: list[OrderLine]) -> None:
        """Show one line per order (replacing the previous ones)."""
        for line in self.lines.values():
            self._plot.removeItem(line)
        self.lines = {}
        self._orders = list(orders)
        for order in self._orders:
            colour = self._palette.buy if order.side is Side.BUY else self._palette.sell
            line = pg.InfiniteLine(
                pos=order.price,
                angle=0,
                movable=False,
                pen=pg.mkPen(colour, width=1, style=Qt.PenStyle.DashLine),
                label=f"{order.side.value.upper()} {format_price(order.price)}  "
                f"{order.client_order_id}",
                labelOpts={"position": 0.02, "color": colour, "anchors": [(0, 1), (0, 1)]},
            )
            line.setZValue(15)
            self._plot.addItem(line, ignoreBounds=True)
            self.lines[order.client_order_id] = line

    def set_palette(self, palette: ChartPalette) -> None:
        """Recolour the lines."""
        self._palette = palette
        self.set_orders(self._orders)
