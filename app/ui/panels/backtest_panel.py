"""Backtest panel: settings, a worker process with progress and cancel, and the results."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.backtest.sources import (
    CandleSource,
    CsvSource,
    StoredSeries,
    StoredSource,
    default_database_url,
    stored_series,
)
from app.config.paths import resolve_paths, resource_path
from app.core.errors import CryptobotError
from app.strategies.registry import StrategyRegistry
from app.ui.backtest_form import BacktestForm
from app.ui.backtest_future import FutureWatcher, run_in_thread
from app.ui.backtest_job import BacktestOutcome, registry_for
from app.ui.backtest_results import EquityPlots, MetricsGrid, chart_trades, trades_model
from app.ui.backtest_worker import BacktestWorker
from app.ui.panels.job_controls import JobControls, job_splitter
from app.ui.panels.table_view import RecordTableView

logger = logging.getLogger(__name__)

DEMO_CANDLES = ("demo", "btc_usdt_1h.csv")
#: Research views that arrive with the optimiser, walk-forward and Monte Carlo tools.
RESEARCH_TABS = ("Optimisation", "Walk-forward", "Monte Carlo")


class BacktestPanel(QWidget):
    """Choose a strategy and data, run the backtest in a worker process, inspect the results.

    Signals:
        trades_ready(list): ``(entry_time, entry_price, exit_time, exit_price, side)`` per trade,
            emitted by "Show on chart".
        candles_ready(object): the candles (DataFrame) the shown result ran on, emitted just
            before ``trades_ready``.
        result_ready(object): the :class:`~app.ui.backtest_job.BacktestOutcome` of a run.

    Args:
        parent: owning widget.
        registry: strategies to offer (default: built-ins plus the user strategies folder).
    """

    trades_ready = Signal(list)
    candles_ready = Signal(object)
    result_ready = Signal(object)

    def __init__(
        self, parent: QWidget | None = None, registry: StrategyRegistry | None = None
    ) -> None:
        super().__init__(parent)
        if registry is None:
            registry = registry_for(resolve_paths().strategies_dir)
        self.outcome: BacktestOutcome | None = None
        self._series_requested = False
        self.worker = BacktestWorker(self)
        self._series_watcher = FutureWatcher(self)
        self.form = BacktestForm(registry, self)
        demo = resource_path(*DEMO_CANDLES)
        if demo.is_file():
            self.form.set_csv_file(demo)

        self.controls = JobControls("Run backtest", "backtestStatus", self.form.job, self)
        self.run_button = self.controls.run_button
        self.cancel_button = self.controls.cancel_button
        self.progress_bar = self.controls.progress_bar
        self.status = self.controls.status
        self.refresh_button = QPushButton("Refresh stored data", self)
        self.refresh_button.setToolTip("List the candle series stored in the database again")
        self.controls.lock_while_running(self.form, self.refresh_button)

        self.metrics = MetricsGrid(self)
        self.plots = EquityPlots(self)
        self.trades = trades_model(self)
        self.trades_view = RecordTableView(self.trades, "trades", self)
        self.chart_button = QPushButton("Show on chart", self)
        self.chart_button.setToolTip("Draw these trades on the chart panel")
        self.chart_button.setEnabled(False)
        self.trades_view.bar.addWidget(self.chart_button)
        self.tabs = self._build_tabs()
        self._layout_widgets()

        self.form.changed.connect(self.controls.validate)
        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.cancel)
        self.refresh_button.clicked.connect(self.refresh_series)
        self.chart_button.clicked.connect(self.on_show_on_chart_clicked)
        self.worker.progress.connect(self._on_progress)
        self.worker.finished.connect(self._on_finished)
        self.worker.failed.connect(self._on_failed)
        self.worker.cancelled.connect(self._on_cancelled)
        self._series_watcher.done.connect(self._on_series_listed)
        self.controls.validate()

    # ------------------------------------------------------------------ layout
    def _build_tabs(self) -> QTabWidget:
        tabs = QTabWidget(self)
        summary = QWidget(tabs)
        summary_layout = QVBoxLayout(summary)
        summary_layout.setContentsMargins(2, 2, 2, 2)
        summary_layout.addWidget(self.metrics)
        summary_layout.addWidget(self.plots, 1)
        tabs.addTab(summary, "Summary")
        tabs.addTab(self.trades_view, "Trades")
        for title in RESEARCH_TABS:
            index = tabs.addTab(QWidget(tabs), f"{title} (soon)")
            tabs.setTabEnabled(index, False)
            tabs.setTabToolTip(index, "Coming with the research tools")
        return tabs

    def _layout_widgets(self) -> None:
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        splitter = job_splitter(self, [scroll, self.refresh_button], self.controls, self.tabs)
        splitter.setSizes([340, 760])

    # ------------------------------------------------------------------ actions
    def run(self) -> bool:
        """Start a backtest with the current settings; False (problems shown) when invalid."""
        job = self.controls.next_job()
        if job is None:
            return False
        self.worker.start(job)
        self.controls.set_running(True)
        self.controls.busy("Starting the worker process…")
        self.status.setText(f"Running {job.strategy} on {job.source.describe()}…")
        return True

    def cancel(self) -> None:
        """Stop the running backtest (its process is terminated)."""
        self.worker.cancel()

    def apply_parameters(
        self,
        strategy: str,
        params: Mapping[str, Any],
        source: CandleSource | None = None,
        start: int | None = None,
        end: int | None = None,
    ) -> None:
        """Select ``strategy`` with ``params`` (e.g. picked in the Optimise panel).

        The ``source`` (a CSV file or a stored series) and its ``start``/``end`` range are
        selected too, so the backtest runs on the data the parameters were found on; a stored
        series not listed yet is listed first.
        """
        self.form.set_strategy(strategy)
        self.form.parameters.set_values(dict(params))
        if isinstance(source, CsvSource):
            self.form.set_csv_file(source.path)
            self.form.set_range(start, end)
        elif isinstance(source, StoredSource) and not self.form.select_stored(source, start, end):
            self.refresh_series()

    def refresh_series(self) -> None:
        """List the stored candle series in the background and offer them as data sources."""
        self.refresh_button.setEnabled(False)
        self._series_watcher.watch(run_in_thread(list_stored_series, name="backtest-series"))

    def on_show_on_chart_clicked(self) -> None:
        """Send the candles and trades of the shown result to the chart."""
        if self.outcome is None:
            return
        self.candles_ready.emit(self.outcome.candles)
        self.trades_ready.emit(chart_trades(self.outcome.result.trades))

    # ------------------------------------------------------------------ worker events
    def _on_progress(self, step: int, total: int, text: str) -> None:
        if step >= total - 1:  # the simulation reports no progress of its own: show it busy
            self.progress_bar.setRange(0, 0)
        else:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(step)
        self.progress_bar.setFormat(f"Step {step} of {total}: {text}")

    def _on_finished(self, outcome: BacktestOutcome) -> None:
        self.controls.set_running(False)
        self.outcome = outcome
        result = outcome.result
        self.metrics.show_result(result)
        self.plots.show_result(result)
        self.trades.set_records(result.trades)
        self.trades_view.table.resizeColumnsToContents()
        self.chart_button.setEnabled(True)
        self.controls.show_done(
            f"{outcome.label}: {result.num_trades} trades over {result.bars:,} bars, "
            f"final equity {self.metrics.text('Final equity')}."
        )
        self.result_ready.emit(outcome)

    def _on_failed(self, message: str) -> None:
        self.controls.set_running(False)
        self.controls.show_failed(f"The backtest did not run: {message}")

    def _on_cancelled(self) -> None:
        self.controls.set_running(False)
        self.controls.show_cancelled("Backtest cancelled; the worker process was stopped.")

    # ------------------------------------------------------------------ stored series
    def _on_series_listed(self, future: Future[tuple[str, list[StoredSeries]]]) -> None:
        self.refresh_button.setEnabled(not self.worker.is_running())
        try:
            url, found = future.result()
        except CryptobotError as exc:
            self.controls.show_problems([f"Stored data could not be listed: {exc}"])
            return
        self.form.set_stored_series(url, found)
        self.controls.say(
            f"{len(found)} stored series found."
            if found
            else "No stored candles yet; "
            "import or download some with `cryptobot data`, or use a CSV file."
        )

    # ------------------------------------------------------------------ helpers
    def showEvent(self, event: object) -> None:  # noqa: N802
        """List the stored series the first time the panel is shown."""
        super().showEvent(event)  # type: ignore[arg-type]
        if not self._series_requested:
            self._series_requested = True
            self.refresh_series()

    def closeEvent(self, event: object) -> None:  # noqa: N802
        """Terminate a running backtest when the panel closes."""
        self.worker.cancel()
        super().closeEvent(event)  # type: ignore[arg-type]


def list_stored_series() -> tuple[str, list[StoredSeries]]:
    """The user's database URL and the candle series stored in it (runs in a thread).

    Raises:
        CryptobotError: the settings or the database could not be read.
    """
    url = default_database_url()
    return url, stored_series(url)
