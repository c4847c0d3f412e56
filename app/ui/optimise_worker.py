"""Run one optimisation in a separate process; progress, result and errors come back as signals.

A spawned process does the search (it may start its own scoring processes), so the UI never
waits on it: a short timer polls the result queue. Cancel sets a cross-process event the
search checks between batches; a process still alive after :data:`CANCEL_GRACE_S` is stopped
together with its scoring processes. The panel is free to start the next run at once.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from multiprocessing.context import SpawnProcess
from pathlib import Path
from typing import Any, ClassVar

from PySide6.QtCore import QCoreApplication, QObject, Signal

from app.ui.optimise_job import OptimiseJob, OptimiseOutcome, worker_main
from app.ui.process_job import ProcessJobWorker, close_queue

logger = logging.getLogger(__name__)

#: Seconds a cancelled search gets to stop by itself before its processes are stopped.
CANCEL_GRACE_S = 1.0
#: Seconds a finished worker gets to exit before it is stopped.
EXIT_GRACE_S = 5.0


@dataclass(slots=True)
class _Ending:
    """A worker process on its way out: stopped at ``deadline`` if still alive."""

    process: SpawnProcess
    deadline: float
    signalled: bool = False


class OptimiseWorker(ProcessJobWorker):
    """Starts, watches and cancels the worker process of one optimisation at a time.

    Signals:
        stage(str): a step started (loading candles, starting processes, saving).
        planned(frame, total): the search's settings (an empty ``OptimizationResult``) and how
            many parameter sets it will score.
        scored(list): the next finished parameter sets (``Score`` objects, in order).
        progress(done, total, eta_s): parameter sets scored so far; ``eta_s`` < 0 if unknown.
        finished(OptimiseOutcome): the search completed.
        failed(str): the search could not run (message for the user).
        cancelled(): the user cancelled; the processes stop within about a second.
    """

    stage = Signal(str)
    planned = Signal(object, int)
    scored = Signal(object)
    progress = Signal(int, int, float)

    busy_text: ClassVar[str] = "an optimisation is already running; cancel it first"
    died_text: ClassVar[str] = (
        "the optimisation process stopped unexpectedly (exit code {code}); "
        "see the log for details, then run it again"
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cancel_flag: Any = None
        self._ending: list[_Ending] = []
        application = QCoreApplication.instance()
        if application is not None:  # a running search must not keep the app from quitting
            application.aboutToQuit.connect(self.shutdown)

    def processes_left(self) -> int:
        """Worker processes still shutting down after a finished or cancelled run."""
        return len(self._ending)

    def start(self, job: OptimiseJob) -> None:
        """Start ``job`` in a new worker process.

        Raises:
            RuntimeError: an optimisation is already running (cancel it first).
        """
        if self._process is not None:
            raise RuntimeError(self.busy_text)
        self._cancel_flag = self._context.Event()
        process = self._spawn(
            worker_main, job, self._cancel_flag, name="cryptobot-optimise", daemon=False
        )
        logger.info("optimisation of %s started in process %s", job.strategy, process.pid)

    def cancel(self) -> None:
        """Stop the running search (nothing happens when none is running).

        The messages already sent are handled first, so every finished score is reported.
        """
        self._drain()
        if self._process is None:  # it finished or failed meanwhile
            return
        logger.info("optimisation cancelled; stopping process %s", self._process.pid)
        self._cancel_flag.set()
        self._release(CANCEL_GRACE_S)
        self.cancelled.emit()

    def shutdown(self) -> None:
        """Stop every worker process now (the window is closing)."""
        if self._process is not None:
            self._cancel_flag.set()
            self._release(0.0)
        for ending in self._ending:
            ending.deadline = 0.0
        self._reap(force=True)

    # ------------------------------------------------------------------ polling
    def _housekeep(self) -> bool:
        self._reap(force=False)
        return bool(self._ending)

    def _release_dead(self) -> None:
        self._release(0.0)

    def _handle(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "stage":
            self.stage.emit(str(message[1]))
        elif kind == "plan":
            self.planned.emit(message[1], int(message[2]))
        elif kind == "scores":
            self.scored.emit(list(message[1]))
        elif kind == "progress":
            _, done, total, eta = message
            self.progress.emit(int(done), int(total), -1.0 if eta is None else float(eta))
        elif kind == "done":
            outcome: OptimiseOutcome = message[1]
            self._release(EXIT_GRACE_S)
            self.finished.emit(outcome)
        elif kind == "cancelled":
            self._release(EXIT_GRACE_S)
            self.cancelled.emit()
        else:
            self._release(EXIT_GRACE_S)
            self.failed.emit(str(message[1]))

    def _release(self, grace_s: float) -> None:
        """Forget the current process; it is reaped (or stopped after ``grace_s``) later."""
        process, channel = self._detach()
        self._cancel_flag = None
        close_queue(channel)
        if process is not None:
            self._ending.append(_Ending(process, time.monotonic() + grace_s))
            self._timer.start()

    def _reap(self, *, force: bool) -> None:
        now = time.monotonic()
        still: list[_Ending] = []
        for ending in self._ending:
            process = ending.process
            if not process.is_alive():
                # Scoring processes a crashed worker left behind; SIGTERM spares the resource
                # tracker, which then removes the semaphores the worker held.
                stop_tree(process.pid, hard=False)
                process.join(0)
                process.close()
                continue
            if now >= ending.deadline:
                stop_tree(process.pid, hard=ending.signalled or force)
                ending.signalled = True
                ending.deadline = now + CANCEL_GRACE_S
            if force:
                process.join(CANCEL_GRACE_S)
                if process.is_alive():
                    stop_tree(process.pid, hard=True)
                    process.join(CANCEL_GRACE_S)
                if not process.is_alive():
                    process.close()
                    continue
            still.append(ending)
        self._ending = still


def stop_tree(pid: int | None, *, hard: bool) -> None:
    """Stop process ``pid`` and the processes it started.

    On POSIX the worker leads its own process group, which is signalled (SIGTERM, or SIGKILL
    when ``hard``); on Windows ``taskkill /T`` ends the tree.
    """
    if pid is None:
        return
    if sys.platform == "win32":
        taskkill = Path(os.environ.get("SYSTEMROOT", r"C:\Windows")) / "System32" / "taskkill.exe"
        subprocess.run(  # noqa: S603 - fixed system tool, the pid is an int we started
            [str(taskkill), "/PID", str(pid), "/T", "/F"],
            capture_output=True,
            timeout=10,
            check=False,
        )
        return
    sig = signal.SIGKILL if hard else signal.SIGTERM
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:  # no group (it ended, or never got to lead one)
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
    except PermissionError:
        logger.warning("could not stop the optimisation processes of %s", pid)
