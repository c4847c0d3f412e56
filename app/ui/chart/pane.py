"""One chart pane: a pyqtgraph plot with the bar-time axis, a right price axis and crosshair."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QStyleOptionGraphicsItem, QWidget

from app.ui.chart.axis import BarTimeAxis
from app.ui.chart.palette import ChartPalette
from app.ui.chart.series import CandleSeries

_AXIS_WIDTH_PX = 78


class GridItem(pg.GraphicsObject):  # type: ignore[misc]
    """Opaque grid lines at the major ticks of the bottom and right axes.

    Replaces pyqtgraph's axis grid, whose translucent lines cost tens of ms per frame.

    Args:
        plot: the plot whose axes give the tick positions.
    """

    def __init__(self, plot: pg.PlotItem) -> None:
        super().__init__()
        self._plot = plot
        self._pen = pg.mkPen("#808080", width=1)
        self.setZValue(-100)

    def set_colour(self, colour: str) -> None:
        """Draw the lines in ``colour`` (opaque)."""
        self._pen = pg.mkPen(colour, width=1)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt override)
        """The visible view rectangle (the grid always spans the view)."""
        rect = self.viewRect()
        return QRectF() if rect is None else QRectF(rect)

    def viewRangeChanged(self) -> None:  # noqa: N802 (pyqtgraph hook)
        """Follow the view: new bounds, new lines."""
        self.prepareGeometryChange()
        self.update()

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        """Draw one line per major tick of each axis."""
        rect = self.viewRect()
        box = self._plot.getViewBox()
        if rect is None or box.width() <= 0 or box.height() <= 0:
            return
        left, right, top, bottom = rect.left(), rect.right(), rect.top(), rect.bottom()
        lines = [
            QLineF(x, top, x, bottom)
            for x in _major_ticks(self._plot, "bottom", left, right, box.width())
        ]
        lines += [
            QLineF(left, y, right, y)
            for y in _major_ticks(self._plot, "right", top, bottom, box.height())
        ]
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, on=False)
        painter.setPen(self._pen)
        painter.drawLines(lines)


def _major_ticks(
    plot: pg.PlotItem, axis: str, low: float, high: float, pixels: float
) -> list[float]:
    levels = plot.getAxis(axis).tickValues(min(low, high), max(low, high), pixels)
    return [float(value) for value in levels[0][1]] if levels else []


class Pane(pg.PlotWidget):  # type: ignore[misc]
    """A plot sharing the chart's x axis (bar index); y is fitted by the chart, not the mouse.

    Args:
        series: the candles (labels the time axis).
        palette: colours.
        parent: owning widget.
    """

    def __init__(
        self, series: CandleSeries, palette: ChartPalette, parent: QWidget | None = None
    ) -> None:
        self.time_axis = BarTimeAxis(series)
        super().__init__(parent=parent, axisItems={"bottom": self.time_axis})
        plot = self.getPlotItem()
        plot.hideAxis("left")
        plot.showAxis("right")
        plot.getAxis("right").setWidth(_AXIS_WIDTH_PX)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.setMouseEnabled(x=True, y=False)
        self.view_box = plot.getViewBox()
        self.view_box.disableAutoRange()
        self.grid = GridItem(plot)
        plot.addItem(self.grid, ignoreBounds=True)
        self.v_line = pg.InfiniteLine(angle=90, movable=False)
        self.h_line = pg.InfiniteLine(angle=0, movable=False)
        for line in (self.v_line, self.h_line):
            line.setZValue(50)
            line.hide()
            plot.addItem(line, ignoreBounds=True)
        self.setMinimumHeight(60)
        self.apply_palette(palette)

    @property
    def plot(self) -> pg.PlotItem:
        """The pyqtgraph PlotItem of this pane."""
        return self.getPlotItem()

    def apply_palette(self, palette: ChartPalette) -> None:
        """Background, axis, grid and crosshair colours."""
        self.setBackground(palette.background)
        for name in ("right", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setPen(pg.mkPen(palette.foreground))
            axis.setTextPen(pg.mkPen(palette.foreground))
        self.grid.set_colour(palette.grid)
        pen = pg.mkPen(palette.crosshair, width=1, style=Qt.PenStyle.DashLine)
        self.v_line.setPen(pen)
        self.h_line.setPen(pen)

    def show_time_axis(self, visible: bool) -> None:
        """Show the date/time labels (only the bottom pane shows them)."""
        self.plot.showAxis("bottom", visible)

    def set_crosshair(self, x: float | None, y: float | None) -> None:
        """Place the crosshair lines (None hides a line)."""
        for line, value in ((self.v_line, x), (self.h_line, y)):
            if value is None:
                line.hide()
            else:
                line.setPos(value)
                line.show()
