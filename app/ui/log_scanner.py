"""Scan a log file in a background thread; hand the lines to the GUI thread at most ~30 times/s.

The thread runs :func:`~app.ui.log_reader.scan_lines` and queues each chunk's offsets; a GUI
timer drains the queue and emits one coalesced batch per tick, so a fast scan never floods the
event loop with thousands of small inserts.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from app.ui.log_reader import LogFilter, OffsetArray, scan_lines

logger = logging.getLogger(__name__)

DELIVERY_MS = 33


class _ScanState:
    """What the scan thread shares with the GUI thread (plain Python, no Qt objects)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.chunks: list[tuple[int, OffsetArray, OffsetArray, int]] = []
        self.outcome: tuple[int, int, str] | None = None


def _scan_into(
    state: _ScanState,
    generation: int,
    path: Path,
    start: int,
    log_filter: LogFilter,
    cancelled: threading.Event,
) -> None:
    next_offset = start
    message = ""
    try:
        with path.open("rb") as handle:
            for starts, ends, next_offset in scan_lines(handle, start, log_filter, cancelled):
                with state.lock:
                    if cancelled.is_set():
                        return
                    state.chunks.append((generation, starts, ends, next_offset))
    except OSError as exc:
        message = f"could not read {path}: {exc.strerror or exc}"
    with state.lock:
        if not cancelled.is_set():
            state.outcome = (generation, next_offset, message)


class LogScanner(QObject):
    """Scans a log file in a background thread; coalesced batches arrive in the GUI thread.

    Each scan has a generation number; only the latest generation's results are delivered
    (the filter changed or the file was reopened: older scans are cancelled and dropped).
    The thread shares only plain Python state with this object, never a Qt object.

    Signals:
        batch(generation, starts, ends, next_offset): lines that passed the filter.
        finished(generation, next_offset): the scan reached the end of the file.
        failed(generation, message): the file could not be read.
    """

    batch = Signal(int, object, object, object)
    finished = Signal(int, object)
    failed = Signal(int, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.generation = 0
        self._cancel = threading.Event()
        self._state = _ScanState()
        self._timer = QTimer(self)
        self._timer.setInterval(DELIVERY_MS)
        self._timer.timeout.connect(self._deliver)

    def is_running(self) -> bool:
        """True until the latest scan's results have all been delivered."""
        return self._timer.isActive()

    def start(self, path: Path, start: int, log_filter: LogFilter) -> int:
        """Cancel any running scan and scan ``path`` from byte ``start``; returns its generation."""
        self.cancel()
        self.generation += 1
        self._cancel = threading.Event()
        with self._state.lock:
            self._state.chunks.clear()
            self._state.outcome = None
        threading.Thread(
            target=_scan_into,
            args=(self._state, self.generation, path, start, log_filter, self._cancel),
            name="log-scan",
            daemon=True,
        ).start()
        self._timer.start()
        return self.generation

    def cancel(self) -> None:
        """Stop the running scan (its undelivered lines are dropped)."""
        self._cancel.set()
        self._timer.stop()

    def _deliver(self) -> None:
        state = self._state
        with state.lock:
            chunks, state.chunks = state.chunks, []
            outcome, state.outcome = state.outcome, None
        current = [chunk for chunk in chunks if chunk[0] == self.generation]
        if current:
            starts = np.concatenate([chunk[1] for chunk in current])
            ends = np.concatenate([chunk[2] for chunk in current])
            self.batch.emit(self.generation, starts, ends, current[-1][3])
        if outcome is None or outcome[0] != self.generation:
            return
        self._timer.stop()
        generation, next_offset, message = outcome
        if message:
            self.failed.emit(generation, message)
        else:
            self.finished.emit(generation, next_offset)
