"""Base for a Qt worker that runs one job in a spawned process and polls its message queue.

A spawned process (not a thread) does the work, so a long job never holds the UI's interpreter
lock and can really be stopped. The UI polls the process's queue on a short timer and never
blocks on it; a process that dies without a final message is reported after a few polls.
Subclasses decide what each message means and how a finished process is let go.
"""

from __future__ import annotations

import multiprocessing
import queue
from collections.abc import Callable
from multiprocessing.context import SpawnProcess
from typing import Any, ClassVar

from PySide6.QtCore import QObject, QTimer, Signal

POLL_MS = 50
#: Polls a dead process gets for its last message to arrive before it counts as crashed.
GRACE_POLLS = 4


class ProcessJobWorker(QObject):
    """Starts, polls and forgets the worker process of one job at a time.

    Subclasses set :attr:`busy_text` and :attr:`died_text`, start jobs with :meth:`_spawn`,
    interpret messages in :meth:`_handle` and let a crashed process go in :meth:`_release_dead`.

    Signals:
        finished(object): the job completed (its outcome).
        failed(str): the job could not run (message for the user).
        cancelled(): the job was cancelled.
    """

    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    #: Raised (as RuntimeError) when a job is started while another runs.
    busy_text: ClassVar[str] = "a job is already running; cancel it first"
    #: Told the user when the process died silently; ``{code}`` is its exit code.
    died_text: ClassVar[str] = "the worker process stopped unexpectedly (exit code {code})"

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

    def pid(self) -> int | None:
        """Process id of the running worker (None when idle)."""
        return None if self._process is None else self._process.pid

    # ------------------------------------------------------------------ subclass hooks
    def _handle(self, message: tuple[Any, ...]) -> None:
        """Act on one message from the worker process."""
        raise TypeError(f"{type(self).__name__} must handle its worker's messages")

    def _release_dead(self) -> None:
        """Forget a process that died without a final message."""
        raise TypeError(f"{type(self).__name__} must release a crashed worker")

    def _housekeep(self) -> bool:
        """Run on every poll after the messages; True keeps the timer running while idle."""
        return False

    # ------------------------------------------------------------------ helpers
    def _spawn(
        self,
        target: Callable[..., None],
        job: object,
        *extra: object,
        name: str,
        daemon: bool,
    ) -> SpawnProcess:
        """Start ``target(job, queue, *extra)`` in a new process and start polling.

        Raises:
            RuntimeError: a job is already running (cancel it first).
        """
        if self._process is not None:
            raise RuntimeError(self.busy_text)
        self._queue = self._context.Queue()
        process = self._context.Process(
            target=target, args=(job, self._queue, *extra), name=name, daemon=daemon
        )
        process.start()
        self._process = process
        self._silent_polls = 0
        self._timer.start()
        return process

    def _detach(self) -> tuple[SpawnProcess | None, Any]:
        """Forget the current process and its queue; the caller stops and closes them."""
        process, self._process = self._process, None
        channel, self._queue = self._queue, None
        return process, channel

    def _drain(self) -> None:
        while self._process is not None:
            try:
                message = self._queue.get_nowait()
            except queue.Empty:
                break
            self._handle(message)

    def _poll(self) -> None:
        self._drain()
        busy = self._housekeep()
        process = self._process
        if process is None:
            if not busy:
                self._timer.stop()
            return
        if process.is_alive():
            self._silent_polls = 0
            return
        # The process ended without a final message: give its last write a few polls to
        # arrive (never blocking the UI), then report the silent death.
        self._silent_polls += 1
        if self._silent_polls >= GRACE_POLLS:
            code = process.exitcode
            self._release_dead()
            self.failed.emit(self.died_text.format(code=code))


def close_queue(channel: Any) -> None:
    """Close the UI's end of a worker queue without waiting for its feeder thread."""
    if channel is not None:
        channel.cancel_join_thread()
        channel.close()
