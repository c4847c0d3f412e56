"""The results side of the Optimise panel: summary line, ranked table and heatmap tabs."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.research.optimize import OptimizationResult
from app.ui.optimise_heatmap import OptimiseHeatmap
from app.ui.optimise_results import TOP_ROWS, TopRow, results_model, top_rows
from app.ui.panels.table_view import RecordTableView


class OptimiseResultsView(QWidget):
    """The best parameter sets of a (finished or cancelled) search, ranked and mapped.

    Signals:
        row_chosen(TopRow): the user asked to backtest a row (double-click or the button).
    """

    row_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel("Run an optimisation to rank parameter sets.", self)
        self.summary.setWordWrap(True)
        self.summary.setObjectName("optimiseSummary")
        self.backtest_button = QPushButton("Backtest these parameters", self)
        self.backtest_button.setToolTip(
            "Open the selected row (or the best) in the Backtest panel to see its trades"
        )
        self.backtest_button.setEnabled(False)
        self.results: RecordTableView = RecordTableView(
            results_model((), "objective", self), "results", self
        )
        self.heatmap = OptimiseHeatmap(self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.results, f"Top {TOP_ROWS}")
        self.tabs.addTab(self.heatmap, "Heatmap")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        bar = QHBoxLayout()
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.backtest_button)
        layout.addLayout(bar)
        layout.addWidget(self.tabs, 1)
        self.backtest_button.clicked.connect(self.on_backtest_clicked)
        self._connect_results()

    def show_result(self, result: OptimizationResult, summary: str) -> None:
        """Rank ``result`` in the table, map it in the heatmap and say ``summary`` above."""
        model = results_model(result.names, result.objective, self)
        view = RecordTableView(model, "results", self)
        model.set_records(top_rows(result))
        index = self.tabs.indexOf(self.results)
        self.tabs.removeTab(index)
        self.results.deleteLater()
        self.results = view
        self.tabs.insertTab(index, view, f"Top {TOP_ROWS}")
        self.tabs.setCurrentIndex(index)
        view.sort_by(0, Qt.SortOrder.AscendingOrder)
        view.table.horizontalHeader().setMinimumSectionSize(36)
        view.table.resizeColumnsToContents()
        self._connect_results()
        self.heatmap.show_result(result)
        self.backtest_button.setEnabled(result.best is not None)
        self.summary.setText(summary)

    def selected_row(self) -> TopRow | None:
        """The selected result row, else the best one (None before a result)."""
        keys = self.results.selected_keys()
        model = self.results.model
        if keys:
            return model.get(keys[0])
        return model.get(1)

    def on_backtest_clicked(self) -> None:
        """Backtest the selected (or best) row."""
        row = self.selected_row()
        if row is not None:
            self.row_chosen.emit(row)

    def on_row_double_clicked(self, index: QModelIndex) -> None:
        """Backtest the double-clicked row."""
        source = self.results.proxy.mapToSource(index)
        self.row_chosen.emit(self.results.model.record(source.row()))

    def _connect_results(self) -> None:
        self.results.table.doubleClicked.connect(self.on_row_double_clicked)
