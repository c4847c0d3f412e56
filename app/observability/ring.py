"""In-memory ring buffer of recent log entries, for the UI's log viewer."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.observability.formatters import exception_text, record_extras, record_ms

LogCallback = Callable[["LogEntry"], None]


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One log record as the log viewer shows it (already redacted).

    ``seq`` increases by one per entry, so a viewer can ask for what it has not seen yet.
    """

    seq: int
    ts_ms: int
    level: str
    levelno: int
    component: str
    message: str
    correlation_id: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    exc_text: str | None = None


class RingBufferHandler(logging.Handler):
    """Keeps the last ``capacity`` entries and notifies subscribers of each new one.

    Thread-safe: records arrive from any thread. Subscribers are called in the logging
    thread, so they must be quick and must not log (the UI bridge just queues the entry).
    """

    def __init__(self, capacity: int = 5000, level: int = logging.NOTSET) -> None:
        """Create an empty buffer.

        Args:
            capacity: entries kept; older ones are dropped.
            level: lowest level stored.

        Raises:
            ValueError: ``capacity`` is less than 1.
        """
        if capacity < 1:
            raise ValueError(f"ring_capacity: must be at least 1, got {capacity}")
        super().__init__(level)
        self._entries: deque[LogEntry] = deque(maxlen=capacity)
        self._subscribers: list[LogCallback] = []
        self._guard = threading.Lock()
        self._seq = 0
        self._notifying = threading.local()

    @property
    def capacity(self) -> int:
        """Most entries kept."""
        return self._entries.maxlen or 0

    def emit(self, record: logging.LogRecord) -> None:
        """Store ``record`` and notify subscribers."""
        try:
            with self._guard:
                self._seq += 1
                entry = LogEntry(
                    seq=self._seq,
                    ts_ms=record_ms(record),
                    level=record.levelname,
                    levelno=record.levelno,
                    component=record.name,
                    message=record.getMessage(),
                    correlation_id=getattr(record, "correlation_id", None),
                    extra=record_extras(record),
                    exc_text=exception_text(record),
                )
                self._entries.append(entry)
                subscribers = tuple(self._subscribers)
        except Exception:
            self.handleError(record)
            return
        if getattr(self._notifying, "active", False):
            return  # a subscriber logged: store it, but do not recurse into subscribers
        self._notifying.active = True
        try:
            for callback in subscribers:
                try:
                    callback(entry)
                except Exception:
                    self.handleError(record)
        finally:
            self._notifying.active = False

    def snapshot(self, since_seq: int = 0) -> list[LogEntry]:
        """The stored entries, oldest first.

        Args:
            since_seq: only entries with a larger ``seq`` (0 = all).
        """
        with self._guard:
            return [entry for entry in self._entries if entry.seq > since_seq]

    def clear(self) -> None:
        """Drop every stored entry (sequence numbers keep increasing)."""
        with self._guard:
            self._entries.clear()

    def subscribe(self, callback: LogCallback) -> None:
        """Call ``callback(entry)`` for every new entry until unsubscribed."""
        with self._guard:
            self._subscribers.append(callback)

    def unsubscribe(self, callback: LogCallback) -> None:
        """Stop notifying ``callback``; unknown callbacks are ignored."""
        with self._guard:
            if callback in self._subscribers:
                self._subscribers.remove(callback)
