"""Optimise panel: search a strategy's parameters in a worker process, rank and map the results."""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from app.backtest.sources import StoredSeries
from app.config.paths import resolve_paths, resource_path
from app.core.errors import CryptobotError
from app.research.evaluator import Score
from app.research.optimize import OptimizationResult
from app.strategies.registry import StrategyRegistry
from app.ui.backtest_future import FutureWatcher, run_in_thread
from app.ui.backtest_job import registry_for
from app.ui.optimise_chunks import partial_result
from app.ui.optimise_form import OptimiseForm
from app.ui.optimise_job import ChosenParameters, OptimiseJob, OptimiseOutcome
from app.ui.optimise_results import (
    TopRow,
    cancelled_text,
    duration_text,
    status_text,
    summary_text,
)
from app.ui.optimise_view import OptimiseResultsView
from app.ui.optimise_worker import OptimiseWorker
from app.ui.panels.backtest_panel import DEMO_CANDLES, list_stored_series
from app.ui.panels.job_controls import JobControls, job_splitter

logger = logging.getLogger(__name__)


class OptimisePanel(QWidget):
    """Choose a strategy, data and ranges; search them in a worker process; rank and map.

    A cancelled search shows the parameter sets that finished before the cancel (never saved).

    Signals:
        result_ready(object): the :class:`~app.ui.optimise_job.OptimiseOutcome` of a run.
        parameters_chosen(object): a :class:`ChosenParameters` to backtest (double-click or
            "Backtest these parameters").

    Args:
        parent: owning widget.
        registry: strategies to offer (default: built-ins plus the user strategies folder).
    """

    result_ready = Signal(object)
    parameters_chosen = Signal(object)

    def __init__(
        self, parent: QWidget | None = None, registry: StrategyRegistry | None = None
    ) -> None:
        super().__init__(parent)
        if registry is None:
            registry = registry_for(resolve_paths().strategies_dir)
        self.outcome: OptimiseOutcome | None = None
        self.job: OptimiseJob | None = None
        #: The running search's frame, planned total, scores so far and start time.
        self._frame: OptimizationResult | None = None
        self._planned = 0
        self._scores: list[Score] = []
        self._started = 0.0
        self._series_requested = False
        self.worker = OptimiseWorker(self)
        self._series_watcher = FutureWatcher(self)
        self.form = OptimiseForm(registry, self)
        demo = resource_path(*DEMO_CANDLES)
        if demo.is_file():
            self.form.base.set_csv_file(demo)

        self.controls = JobControls("Run optimisation", "optimiseStatus", self.form.job, self)
        self.run_button = self.controls.run_button
        self.cancel_button = self.controls.cancel_button
        self.progress_bar = self.controls.progress_bar
        self.status = self.controls.status
        self.controls.lock_while_running(self.form)

        self.view = OptimiseResultsView(self)
        job_splitter(self, [self.form], self.controls, self.view).setSizes([900, 700])

        self.form.changed.connect(self.controls.validate)
        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.cancel)
        self.view.row_chosen.connect(self.choose)
        self.worker.stage.connect(self._on_stage)
        self.worker.planned.connect(self._on_planned)
        self.worker.scored.connect(self._scores.extend)
        self.worker.progress.connect(self._on_progress)
        self.worker.finished.connect(self._on_finished)
        self.worker.failed.connect(self._on_failed)
        self.worker.cancelled.connect(self._on_cancelled)
        self._series_watcher.done.connect(self._on_series_listed)
        self.controls.validate()

    # ------------------------------------------------------------------ actions
    def run(self) -> bool:
        """Start an optimisation with the current settings; False (problems shown) when invalid."""
        job = self.controls.next_job()
        if job is None:
            return False
        try:
            self.worker.start(job)
        except OSError as exc:
            logger.exception("the optimisation worker did not start")
            self.controls.show_problems(
                [f"The worker process could not start ({exc}); free some memory and retry"]
            )
            return False
        self.job = job
        self._frame, self._planned, self._started = None, 0, time.monotonic()
        self._scores.clear()
        self.controls.set_running(True)
        self.controls.busy("Starting the worker process…")
        self.controls.say(
            f"Optimising {job.strategy} on {job.source.describe()} ({job.method} search, "
            f"{job.objective})…"
        )
        return True

    def cancel(self) -> None:
        """Stop the running optimisation (its processes stop within about a second)."""
        self.worker.cancel()

    def refresh_series(self) -> None:
        """List the stored candle series in the background and offer them as data sources."""
        self._series_watcher.watch(run_in_thread(list_stored_series, name="optimise-series"))

    def choose(self, row: TopRow) -> None:
        """Send ``row``'s parameters (with the run's data) to be backtested."""
        if self.job is None or self.outcome is None:
            return
        chosen = ChosenParameters(
            self.outcome.result.strategy,
            dict(row.params),
            self.job.source,
            self.job.start,
            self.job.end,
        )
        self.controls.say(
            "Sent to the Backtest panel: " + ", ".join(f"{k}={v}" for k, v in row.params.items())
        )
        self.parameters_chosen.emit(chosen)

    # ------------------------------------------------------------------ worker events
    def _on_stage(self, text: str) -> None:
        self.controls.busy(text + "…")

    def _on_progress(self, done: int, total: int, eta_s: float) -> None:
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)
        eta = "" if eta_s < 0 else f", ETA {duration_text(eta_s)}"
        self.progress_bar.setFormat(f"{done:,}/{total:,}{eta}")

    def _on_planned(self, frame: OptimizationResult, total: int) -> None:
        self._frame, self._planned = frame, total

    def _on_finished(self, outcome: OptimiseOutcome) -> None:
        self.controls.set_running(False)
        self.outcome = outcome
        self.view.show_result(outcome.result, summary_text(outcome.result))
        self.controls.show_done(status_text(outcome))
        self.result_ready.emit(outcome)

    def _on_failed(self, message: str) -> None:
        self.controls.set_running(False)
        self.controls.show_failed(f"The optimisation did not run: {message}")

    def _on_cancelled(self) -> None:
        self.controls.set_running(False)
        if self._frame is None or self.job is None or not self._scores:
            self.controls.show_cancelled(
                "Optimisation cancelled before any parameter set finished; its processes were "
                "stopped. Nothing was saved."
            )
            return
        result = partial_result(self._frame, self._scores, time.monotonic() - self._started)
        label = f"{self.job.strategy} on {self.job.source.describe()}"
        self.outcome = OptimiseOutcome(result, label)
        text = cancelled_text(len(self._scores), self._planned)
        self.view.show_result(result, f"{text.capitalize()}. {summary_text(result)}")
        self.controls.show_cancelled(
            f"Optimisation {text}; its processes were stopped. Cancelled runs are not saved."
        )

    def _on_series_listed(self, future: Future[tuple[str, list[StoredSeries]]]) -> None:
        try:
            url, found = future.result()
        except CryptobotError as exc:
            logger.warning("stored series not listed: %s", exc)
            return
        self.form.base.set_stored_series(url, found)

    # ------------------------------------------------------------------ helpers
    def showEvent(self, event: object) -> None:  # noqa: N802
        """Read "My settings" again; list the stored series the first time."""
        super().showEvent(event)  # type: ignore[arg-type]
        self.form.sizing.reload_settings()
        self.controls.validate()
        if not self._series_requested:
            self._series_requested = True
            self.refresh_series()

    def closeEvent(self, event: object) -> None:  # noqa: N802
        """Stop a running optimisation when the panel closes."""
        self.worker.shutdown()
        super().closeEvent(event)  # type: ignore[arg-type]
