"""Results of a backtest: the metrics grid, equity and drawdown plots, and the trades table."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QApplication, QGridLayout, QLabel, QVBoxLayout, QWidget

from app.backtest.result import BacktestResult
from app.backtest.trades import Trade
from app.ui.models.columns import Column, pnl_tone
from app.ui.models.formatting import format_decimal, format_local_time, format_money
from app.ui.models.record_model import RecordTableModel
from app.ui.theme import colours_for, current_theme


def _number(value: float | None, suffix: str = "", places: int = 2) -> str:
    return "—" if value is None else f"{value:,.{places}f}{suffix}"


#: (label, text of a result) of every metric shown, in grid order.
METRICS: tuple[tuple[str, Callable[[BacktestResult], str]], ...] = (
    ("Final equity", lambda r: format_money(r.final_equity)),
    ("Total return", lambda r: _number(r.metrics.total_return_pct, " %")),
    ("CAGR", lambda r: _number(r.metrics.cagr_pct, " %")),
    ("Max drawdown", lambda r: _number(r.metrics.max_drawdown_pct, " %")),
    ("Sharpe", lambda r: _number(r.metrics.sharpe_ratio)),
    ("Sortino", lambda r: _number(r.metrics.sortino_ratio)),
    ("Calmar", lambda r: _number(r.metrics.calmar_ratio)),
    ("Win rate", lambda r: _number(r.metrics.win_rate_pct, " %", 1)),
    ("Profit factor", lambda r: _number(r.metrics.profit_factor)),
    ("Expectancy", lambda r: _number(r.metrics.expectancy)),
    ("Exposure", lambda r: _number(r.metrics.exposure_pct, " %", 1)),
    ("Trades", lambda r: f"{r.num_trades:,}"),
    ("Fees paid", lambda r: format_money(r.fees_paid)),
    ("Refused orders", lambda r: f"{len(r.rejected_orders):,}"),
    ("Open at end", lambda r: "no" if r.open_trade is None else r.open_trade.side),
    ("Bars", lambda r: f"{r.bars:,}"),
)


class MetricsGrid(QWidget):
    """The metrics of a result as a grid of label/value pairs (four pairs per row)."""

    COLUMNS = 4

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QGridLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setHorizontalSpacing(14)
        self.values: dict[str, QLabel] = {}
        for index, (label, _text) in enumerate(METRICS):
            row, column = divmod(index, self.COLUMNS)
            name = QLabel(label, self)
            name.setObjectName("mutedLabel")
            value = QLabel("—", self)
            value.setObjectName(f"metric_{label.lower().replace(' ', '_')}")
            value.setStyleSheet("font-weight: bold;")
            layout.addWidget(name, row, column * 2)
            layout.addWidget(value, row, column * 2 + 1)
            self.values[label] = value

    def show_result(self, result: BacktestResult) -> None:
        """Fill every value from ``result``."""
        for label, text in METRICS:
            self.values[label].setText(text(result))

    def text(self, label: str) -> str:
        """The shown value of metric ``label`` (e.g. ``"Trades"``)."""
        return self.values[label].text()


def drawdown_pct(equity: np.ndarray, initial_capital: float) -> np.ndarray:
    """Percent below the running peak at every bar; the peak starts at the initial capital."""
    peak = np.maximum.accumulate(np.concatenate(([initial_capital], equity)))[1:]
    return (equity / peak - 1.0) * 100.0


class EquityPlots(QWidget):
    """Equity (top) and drawdown (bottom) over time, sharing the time axis."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        colours = colours_for(current_theme(_application()))
        self.equity_plot = pg.PlotWidget(self, axisItems={"bottom": pg.DateAxisItem()})
        self.drawdown_plot = pg.PlotWidget(self, axisItems={"bottom": pg.DateAxisItem()})
        for plot, title in ((self.equity_plot, "Equity"), (self.drawdown_plot, "Drawdown %")):
            plot.setBackground(colours.base)
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.setLabel("left", title)
            plot.setMenuEnabled(False)
        self.drawdown_plot.setXLink(self.equity_plot)
        self.equity_curve = self.equity_plot.plot(pen=pg.mkPen(colours.highlight, width=1.5))
        self.drawdown_curve = self.drawdown_plot.plot(
            pen=pg.mkPen(colours.loss, width=1),
            fillLevel=0.0,
            brush=pg.mkBrush(colours.loss + "55"),
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.equity_plot, 3)
        layout.addWidget(self.drawdown_plot, 2)

    def show_result(self, result: BacktestResult) -> None:
        """Plot the equity and drawdown curves of ``result``."""
        seconds = result.timestamp.astype(np.float64) / 1000.0
        equity = np.asarray(result.equity, dtype=np.float64)
        self.equity_curve.setData(seconds, equity)
        initial = float(result.initial_capital)
        self.drawdown_curve.setData(seconds, drawdown_pct(equity, initial))
        self.equity_plot.enableAutoRange()
        self.drawdown_plot.enableAutoRange()


def _application() -> Any:
    return QApplication.instance()


TRADE_COLUMNS: tuple[Column[Trade], ...] = (
    Column("Side", lambda t: t.side),
    Column("Entry time", lambda t: t.entry_time, format_local_time, numeric=True),
    Column("Entry price", lambda t: t.entry_price, format_decimal, numeric=True),
    Column("Exit time", lambda t: t.exit_time, format_local_time, numeric=True),
    Column("Exit price", lambda t: t.exit_price, format_decimal, numeric=True),
    Column("Qty", lambda t: t.qty, format_decimal, numeric=True),
    Column("Fees", lambda t: t.fees, format_money, numeric=True),
    Column("P&L", lambda t: t.pnl, format_money, numeric=True, tone=pnl_tone),
    Column(
        "Return %",
        lambda t: t.return_pct,
        lambda value: format_decimal(value, places=2),
        numeric=True,
        tone=pnl_tone,
    ),
    Column("Bars", lambda t: t.bars_held, numeric=True),
    Column("Exit reason", lambda t: t.exit_reason),
)


def trades_model(parent: QWidget | None = None) -> RecordTableModel[Trade]:
    """An empty table model of closed trades keyed by entry bar (one trade per entry)."""
    model: RecordTableModel[Trade] = RecordTableModel(
        TRADE_COLUMNS, key=lambda trade: trade.entry_bar, parent=parent
    )
    colours = colours_for(current_theme(_application()))
    model.set_tone_colours(colours.profit, colours.loss)
    return model


def chart_trades(trades: tuple[Trade, ...]) -> list[tuple[int, Decimal, int, Decimal, str]]:
    """``(entry_time, entry_price, exit_time, exit_price, side)`` of every trade, for the chart.

    ``side`` is ``"long"`` or ``"short"``.
    """
    return [(t.entry_time, t.entry_price, t.exit_time, t.exit_price, t.side) for t in trades]
