"""Run one backtest in a separate process; progress, result and errors come back as Qt signals.

A spawned process (not a thread) does the work, so a long simulation never holds the UI's
interpreter lock and Cancel really stops it (the process is terminated). The UI polls the
result queue on a short timer and never blocks on it.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
from multiprocessing.context import SpawnProcess
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from app.ui.backtest_job import BacktestJob, BacktestOutcome, worker_main

logger = logging.getLogger(__name__)

POLL_MS = 50
_GRACE_POLLS = 4
_JOIN_TIMEOUT_S = 2.0


class BacktestWorker(QObject):
    """Starts, watches and cancels the worker process of one backtest at a time.

    Signals:
        progress(step, total, text): a stage started.
        finished(BacktestOutcome): the backtest completed.
        failed(str): the backtest could not run (message for the user).
        cancelled(): the user cancelled and the process was terminated.
    """

    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._context = multiprocessing.get_context("spawn")
        self._process: SpawnProcess | None = None
        self._queue: Any = None
        self._silent_polls = 0
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    def is_running(self) -> bool:
        """True while a worker process is working on a job."""
        return self._process is not None

    def start(self, job: BacktestJob) -> None:
        """Start ``job`` in a new worker process.

        Raises:
            RuntimeError: a backtest is already running (cancel it first).
        """
        if self._process is not None:
            raise RuntimeError("a backtest is already running; cancel it first")
        self._queue = self._context.Queue()
        process = self._context.Process(
            target=worker_main, args=(job, self._queue), name="cryptobot-backtest", daemon=True
        )
        process.start()
        self._process = process
        self._silent_polls = 0
        self._timer.start()
        logger.info("backtest of %s started in process %s", job.strategy, process.pid)

    def cancel(self) -> None:
        """Terminate the running job (nothing happens when none is running)."""
        if self._process is None:
            return
        logger.info("backtest cancelled; terminating process %s", self._process.pid)
        self._stop_process(terminate=True)
        self.cancelled.emit()

    def _poll(self) -> None:
        while self._process is not None:
            try:
                message = self._queue.get_nowait()
            except queue.Empty:
                break
            self._handle(message)
        process = self._process
        if process is None or process.is_alive():
            self._silent_polls = 0
            return
        # The process ended without a final message: give its last write a few polls to
        # arrive (never blocking the UI), then report the silent death.
        self._silent_polls += 1
        if self._silent_polls >= _GRACE_POLLS:
            code = process.exitcode
            self._stop_process(terminate=False)
            self.failed.emit(
                f"the backtest process stopped unexpectedly (exit code {code}); "
                "see the log for details"
            )

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

    def _stop_process(self, *, terminate: bool) -> None:
        self._timer.stop()
        process, self._process = self._process, None
        channel, self._queue = self._queue, None
        if process is None:
            return
        if terminate and process.is_alive():
            process.terminate()
        process.join(_JOIN_TIMEOUT_S)
        if process.is_alive():
            process.kill()
            process.join(_JOIN_TIMEOUT_S)
        process.close()
        if channel is not None:
            channel.close()
            channel.cancel_join_thread()
