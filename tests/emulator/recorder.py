"""Request counters and log of the emulator (what the client really sent)."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request as the emulator saw it.

    ``endpoint`` is ``"METHOD /path"`` (websocket connections: ``"WS /path"``); ``params``
    excludes the signature; ``code`` is the Binance error code of an error reply; ``fault`` the
    injected fault's name, if any.
    """

    time: int
    endpoint: str
    params: dict[str, str]
    status: int
    code: int | None = None
    fault: str | None = None


@dataclass(slots=True)
class Recorder:
    """Thread-safe call counters per endpoint and the full request log."""

    _counts: Counter[str] = field(default_factory=Counter)
    _log: list[RequestRecord] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, endpoint: str) -> None:
        """Count one call to ``endpoint`` (done when the request arrives)."""
        with self._lock:
            self._counts[endpoint] += 1

    def record(self, entry: RequestRecord) -> None:
        """Append ``entry`` to the log (done when the reply is decided)."""
        with self._lock:
            self._log.append(entry)

    def calls(self, endpoint: str | None = None) -> int:
        """Calls received for ``endpoint`` (all endpoints when None)."""
        with self._lock:
            if endpoint is None:
                return sum(self._counts.values())
            return self._counts[endpoint]

    def counts(self) -> dict[str, int]:
        """Calls per endpoint."""
        with self._lock:
            return dict(self._counts)

    def log(self, endpoint: str | None = None) -> list[RequestRecord]:
        """Logged requests, oldest first (only ``endpoint``'s when given)."""
        with self._lock:
            return [r for r in self._log if endpoint in (None, r.endpoint)]

    def reset(self) -> None:
        """Forget every count and log entry."""
        with self._lock:
            self._counts.clear()
            self._log.clear()
