"""Run a plain function in a thread; its result reaches the GUI thread through a polled future.

The thread never holds a Qt object (only the function, its arguments and a
:class:`concurrent.futures.Future`), so closing a widget while the work runs cannot make the
thread drop the last reference to it and destroy it off the GUI thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

logger = logging.getLogger(__name__)

POLL_MS = 50


def run_in_thread(function: Callable[..., Any], *args: Any, name: str = "ui-work") -> Future[Any]:
    """Start ``function(*args)`` in a daemon thread; the future holds its result or exception."""
    future: Future[Any] = Future()
    future.set_running_or_notify_cancel()
    threading.Thread(target=_fill, args=(future, function, args), name=name, daemon=True).start()
    return future


def _fill(future: Future[Any], function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        result = function(*args)
    except BaseException as exc:  # delivered to the GUI thread, which decides what to show
        future.set_exception(exc)
    else:
        future.set_result(result)


class FutureWatcher(QObject):
    """Polls futures on a GUI timer and emits ``done(future)`` on the GUI thread for each."""

    done = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending: list[Future[Any]] = []
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    def watch(self, future: Future[Any]) -> None:
        """Emit ``done(future)`` once ``future`` has finished."""
        self._pending.append(future)
        self._timer.start()

    def _poll(self) -> None:
        finished = [future for future in self._pending if future.done()]
        self._pending = [future for future in self._pending if not future.done()]
        if not self._pending:
            self._timer.stop()
        for future in finished:
            self.done.emit(future)
