"""Live candle updates: checked on arrival, applied in batches at most ~30 times a second."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer

from app.core.errors import DataError

FLUSH_INTERVAL_MS = 33  # at most ~30 live repaints per second


@dataclass(frozen=True, slots=True)
class LiveCandle:
    """One live update: a new state of the last candle, or a new candle (``is_new``)."""

    is_new: bool
    timestamp: int
    open: float
    high: float
    low: float
    close: float
    volume: float


class LiveCandleQueue(QObject):
    """Queue of live updates flushed by a single-shot timer (coalescing bursts of ticks).

    Args:
        apply: called with the queued updates, in arrival order, on each flush.
        parent: owning QObject (the chart).
    """

    def __init__(self, apply: Callable[[list[LiveCandle]], None], parent: QObject) -> None:
        super().__init__(parent)
        self._apply = apply
        self._pending: list[LiveCandle] = []
        self._last: int | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FLUSH_INTERVAL_MS)
        self._timer.timeout.connect(self.flush)

    @property
    def pending_count(self) -> int:
        """Updates waiting for the next flush."""
        return len(self._pending)

    def reset(self, last_timestamp: int | None) -> None:
        """Drop queued updates; the chart now ends with the candle opened at ``last_timestamp``."""
        self._timer.stop()
        self._pending.clear()
        self._last = last_timestamp

    def update_last(self, candle: LiveCandle) -> None:
        """Queue a new state of the last candle.

        Raises:
            DataError: the candle is not the last candle (by open time).
        """
        if self._last is None or candle.timestamp != self._last:
            raise DataError(
                f"chart live update: candle {candle.timestamp} is not the last candle "
                f"({self._last}); call append_candle for a new bar"
            )
        self._queue(candle)

    def append(self, candle: LiveCandle) -> None:
        """Queue a new candle.

        Raises:
            DataError: the candle does not open after the last one.
        """
        if self._last is not None and candle.timestamp <= self._last:
            raise DataError(
                f"chart live update: new candle {candle.timestamp} is not after the last candle "
                f"{self._last}"
            )
        self._last = candle.timestamp
        self._queue(candle)

    def flush(self) -> None:
        """Apply the queued updates now (the timer calls this)."""
        self._timer.stop()
        if self._pending:
            updates, self._pending = self._pending, []
            self._apply(updates)

    def _queue(self, candle: LiveCandle) -> None:
        self._pending.append(candle)
        if not self._timer.isActive():
            self._timer.start()
