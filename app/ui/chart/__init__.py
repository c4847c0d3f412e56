"""The price chart: candles, volume, indicator studies, trade markers, order lines, crosshair.

Built for 1,000,000 candles: items draw the visible bars only, merged per pixel column when
zoomed out. Embed :class:`ChartPanel` (pickers + chart) or :class:`ChartWidget` (chart only).
"""

from app.ui.chart.palette import DARK, LIGHT, ChartPalette
from app.ui.chart.panel import ChartPanel
from app.ui.chart.studies import Study, StudyKind
from app.ui.chart.widget import ChartWidget

__all__ = ["DARK", "LIGHT", "ChartPalette", "ChartPanel", "ChartWidget", "Study", "StudyKind"]
