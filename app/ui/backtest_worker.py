"""Run one backtest in a separate process; progress, result and errors come back as Qt signals.

A spawned process (not a thread) does the work, so a long simulation never holds the UI's
interpreter lock and Cancel really stops it (the process is terminated). The UI polls the
result queue on a short timer and never blocks on it (see :mod:`app.ui.process_job`).
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from PySide6.QtCore import Signal

from app.ui.backtest_job import BacktestJob, BacktestOutcome, worker_main
from app.ui.process_job import ProcessJobWorker, close_queue

logger = logging.getLogger(__name__)

_JOIN_TIMEOUT_S = 2.0


class BacktestWorker(ProcessJobWorker):
    """Starts, watches and cancels the worker process of one backtest at a time.

    Signals:
        progress(step, total, text): a stage started.
        finished(BacktestOutcome): the backtest completed.
        failed(str): the backtest could not run (message for the user).
        cancelled(): the user cancelled and the process was terminated.
    """

    progress = Signal(int, int, str)

    busy_text: ClassVar[str] = "a backtest is already running; cancel it first"
    died_text: ClassVar[str] = (
        "the backtest process stopped unexpectedly (exit code {code}); see the log for details"
    )

    def start(self, job: BacktestJob) -> None:
        """Start ``job`` in a new worker process.

        Raises:
            RuntimeError: a backtest is already running (cancel it first).
        """
        process = self._spawn(worker_main, job, name="cryptobot-backtest", daemon=True)
        logger.info("backtest of %s started in process %s", job.strategy, process.pid)

    def cancel(self) -> None:
        """Terminate the running job (nothing happens when none is running)."""
        if self._process is None:
            return
        logger.info("backtest cancelled; terminating process %s", self._process.pid)
        self._stop_process(terminate=True)
        self.cancelled.emit()

    def _handle(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "progress":
            _, step, total, text = message
            self.progress.emit(int(step), int(total), str(text))
        elif kind == "done":
            outcome: BacktestOutcome = message[1]
            self._stop_process(terminate=False)
            self.finished.emit(outcome)
        else:
            self._stop_process(terminate=False)
            self.failed.emit(str(message[1]))

    def _release_dead(self) -> None:
        self._stop_process(terminate=False)

    def _stop_process(self, *, terminate: bool) -> None:
        self._timer.stop()
        process, channel = self._detach()
        if process is None:
            return
        if terminate and process.is_alive():
            process.terminate()
        process.join(_JOIN_TIMEOUT_S)
        if process.is_alive():
            process.kill()
            process.join(_JOIN_TIMEOUT_S)
        process.close()
        close_queue(channel)
