"""The objective over two searched parameters as a colour map with axis labels and a colour bar.

Cells where no run qualified (too few trades, or a combination the strategy refuses) are NaN
and drawn transparent, so they show as blank background. Hovering a cell shows its values.
The background, axes and best-cell marker follow a live theme switch (View menu), as the chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QStackedLayout, QVBoxLayout, QWidget

from app.research.optimize import OptimizationResult
from app.ui.theme import ThemeColours, colours_for, current_theme

COLOUR_MAP = "viridis"
#: Most tick labels drawn on an axis (every n-th value beyond that).
MAX_TICKS = 12


class OptimiseHeatmap(QWidget):
    """Best objective per (x, y) pair of a two-parameter search; a hint for other searches."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.x_name = ""
        self.y_name = ""
        self.x_values: list[Any] = []
        self.y_values: list[Any] = []
        #: ``values[xi, yi]``: the objective, NaN where nothing qualified.
        self.values = np.empty((0, 0))
        self.objective = ""

        self.hint = QLabel("Search exactly two parameters to see the objective as a heatmap.", self)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.hint.setObjectName("mutedLabel")
        self.plot = pg.PlotWidget(self)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        self.best_marker = pg.ScatterPlotItem(size=16, symbol="o", brush=pg.mkBrush(None))
        self.best_marker.setToolTip("Best parameter set")
        self.plot.addItem(self.best_marker)
        self.colour_bar = pg.ColorBarItem(
            values=(0.0, 1.0), colorMap=pg.colormap.get(COLOUR_MAP), interactive=False, width=18
        )
        self.colour_bar.setImageItem(self.image, insert_in=self.plot.getPlotItem())
        self.readout = QLabel(self)
        self.readout.setObjectName("mutedLabel")
        self.readout.setText(
            "Hover a cell to read its value. Blank: too few trades, or refused by the strategy."
        )

        chart = QWidget(self)
        chart_layout = QVBoxLayout(chart)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        chart_layout.addWidget(self.plot, 1)
        chart_layout.addWidget(self.readout)
        self._stack = QStackedLayout(self)
        self._stack.addWidget(self.hint)
        self._stack.addWidget(chart)
        self._stack.setCurrentWidget(self.hint)
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        # A theme switch changes the palette first and the theme name after; the colours are
        # read once both are set.
        self._theme_timer = QTimer(self)
        self._theme_timer.setSingleShot(True)
        self._theme_timer.setInterval(0)
        self._theme_timer.timeout.connect(self.follow_theme)
        self.follow_theme()

    def follow_theme(self) -> None:
        """Paint with the colours of the application's current theme."""
        colours: ThemeColours = colours_for(current_theme(_application()))
        self.colours = colours
        self.plot.setBackground(colours.base)
        self.best_marker.setPen(pg.mkPen(colours.text, width=2))
        item = self.plot.getPlotItem()
        for axis in (item.getAxis("bottom"), item.getAxis("left"), self.colour_bar.axis):
            axis.setPen(pg.mkPen(colours.muted))
            axis.setTextPen(pg.mkPen(colours.text))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        """Follow the application's theme when its palette changes."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._theme_timer.start()

    def is_shown(self) -> bool:
        """True when a heatmap (not the hint) is displayed."""
        return self._stack.currentIndex() == 1

    def clear(self, hint: str | None = None) -> None:
        """Show the hint instead of a heatmap."""
        if hint is not None:
            self.hint.setText(hint)
        self.values = np.empty((0, 0))
        self._stack.setCurrentIndex(0)

    def show_result(self, result: OptimizationResult) -> bool:
        """Draw ``result`` when exactly two parameters were searched; False (hint shown) else."""
        if len(result.names) != 2:
            self.clear(
                f"{len(result.names)} parameter(s) were searched; search exactly two to see "
                "the objective as a heatmap."
            )
            return False
        self.x_name, self.y_name = result.names
        xs, ys, matrix = result.heatmap(self.x_name, self.y_name)
        self.x_values, self.y_values = xs, ys
        self.objective = result.objective
        self.values = np.array(
            [[math.nan if value is None else value for value in row] for row in matrix],
            dtype=np.float64,
        ).T
        finite = self.values[np.isfinite(self.values)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if high <= low:
            high = low + 1.0
        self.image.setImage(self.values, autoLevels=False)
        best = result.best
        self.best_marker.setData(
            [] if best is None else [xs.index(best.params[self.x_name]) + 0.5],
            [] if best is None else [ys.index(best.params[self.y_name]) + 0.5],
        )
        self.image.setRect(0.0, 0.0, float(len(xs)), float(len(ys)))
        self.colour_bar.setLevels((low, high))
        self.colour_bar.axis.setLabel(result.objective)
        item = self.plot.getPlotItem()
        item.setLabel("bottom", self.x_name)
        item.setLabel("left", self.y_name)
        item.getAxis("bottom").setTicks([_ticks(xs)])
        item.getAxis("left").setTicks([_ticks(ys)])
        item.setRange(xRange=(0, len(xs)), yRange=(0, len(ys)), padding=0.02)
        self._stack.setCurrentIndex(1)
        return True

    def cell_text(self, xi: int, yi: int) -> str:
        """What the readout says about cell (``xi``, ``yi``)."""
        value = self.values[xi, yi]
        shown = "no qualifying run" if math.isnan(value) else f"{self.objective} {value:,.3f}"
        return f"{self.x_name}={self.x_values[xi]}, {self.y_name}={self.y_values[yi]}: {shown}"

    def _on_mouse_moved(self, position: QPointF) -> None:
        if not self.values.size:
            return
        point = self.plot.getPlotItem().vb.mapSceneToView(position)
        xi, yi = math.floor(point.x()), math.floor(point.y())
        if 0 <= xi < self.values.shape[0] and 0 <= yi < self.values.shape[1]:
            self.readout.setText(self.cell_text(xi, yi))


def _ticks(values: Sequence[Any]) -> list[tuple[float, str]]:
    """Tick at each cell centre (every n-th when there are many), labelled with its value."""
    every = max(1, math.ceil(len(values) / MAX_TICKS))
    return [
        (index + 0.5, _label(value)) for index, value in enumerate(values) if index % every == 0
    ]


def _label(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _application() -> Any:
    return QApplication.instance()
