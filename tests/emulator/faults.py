"""Fault injection: faults armed per endpoint and consumed by the next matching requests."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Fault(StrEnum):
    """Faults the emulator can inject (``emulator.inject(endpoint, fault, ...)``).

    - ``latency``: answer normally after ``ms`` milliseconds.
    - ``http_429`` / ``http_418``: rate limited (Binance -1003 body, ``Retry-After`` header of
      ``retry_after`` seconds); the request is not processed.
    - ``http_500`` / ``http_502`` / ``http_503``: server error with a plain-text body, or a
      JSON Binance error when ``code`` and ``msg`` are given; not processed.
    - ``timeout_after_accept``: the request IS processed (an order is stored), then the reply
      is held for ``delay_ms`` (``mode="delay"``, the default) or the connection is dropped
      (``mode="drop"``).
    - ``timeout_before_accept``: the same without processing the request.
    - ``bad_json``: the request is processed, the reply body is cut short (invalid JSON).
    - ``drop_websocket``: the next websocket (un)subscription closes the connection instead of
      being answered (endpoint ``"WS"``).
    """

    LATENCY = "latency"
    HTTP_429 = "http_429"
    HTTP_418 = "http_418"
    HTTP_500 = "http_500"
    HTTP_502 = "http_502"
    HTTP_503 = "http_503"
    TIMEOUT_AFTER_ACCEPT = "timeout_after_accept"
    TIMEOUT_BEFORE_ACCEPT = "timeout_before_accept"
    BAD_JSON = "bad_json"
    DROP_WEBSOCKET = "drop_websocket"


_OPTIONS: dict[Fault, dict[str, Any]] = {
    Fault.LATENCY: {"ms": 100},
    Fault.HTTP_429: {"retry_after": 1},
    Fault.HTTP_418: {"retry_after": 60},
    Fault.HTTP_500: {"code": None, "msg": None},
    Fault.HTTP_502: {"code": None, "msg": None},
    Fault.HTTP_503: {"code": None, "msg": None},
    Fault.TIMEOUT_AFTER_ACCEPT: {"mode": "delay", "delay_ms": 5000},
    Fault.TIMEOUT_BEFORE_ACCEPT: {"mode": "delay", "delay_ms": 5000},
    Fault.BAD_JSON: {},
    Fault.DROP_WEBSOCKET: {},
}
"""Options each fault accepts, with their defaults."""

WEBSOCKET = "WS"
ANY_REST = "*"


@dataclass(slots=True)
class ArmedFault:
    """One injected fault: applies to the next ``remaining`` requests (None = until cleared)."""

    endpoint: str
    fault: Fault
    remaining: int | None
    options: dict[str, Any] = field(default_factory=dict)

    def option(self, name: str) -> Any:
        """Value of option ``name`` (the injected one or the fault's default)."""
        return self.options[name]


class FaultPlan:
    """Thread-safe list of armed faults, matched by endpoint (``"POST /api/v3/order"``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: list[ArmedFault] = []

    def arm(self, endpoint: str, fault: Fault | str, times: int | None, **options: Any) -> None:
        """Arm ``fault`` for the next ``times`` requests to ``endpoint``.

        Args:
            endpoint: ``"METHOD /path"``, ``"*"`` for any REST request, ``"WS"`` for websockets.
            fault: a :class:`Fault` or its value.
            times: how many requests it affects; None for every request until cleared.
            **options: the fault's options (see :class:`Fault`).

        Raises:
            ValueError: unknown fault or option, non-positive ``times``, or a websocket fault
                on a REST endpoint (and vice versa).
        """
        kind = Fault(fault)
        allowed = _OPTIONS[kind]
        unknown = sorted(set(options) - set(allowed))
        if unknown:
            raise ValueError(
                f"fault {kind.value} has no option(s) {unknown}; use {sorted(allowed)}"
            )
        if times is not None and times < 1:
            raise ValueError(f"times must be at least 1 (or None for always), got {times}")
        if (kind is Fault.DROP_WEBSOCKET) != (endpoint == WEBSOCKET):
            raise ValueError(f"fault {kind.value} cannot apply to endpoint {endpoint!r}")
        if options.get("mode", "delay") not in ("delay", "drop"):
            raise ValueError(f"mode must be 'delay' or 'drop', got {options['mode']!r}")
        with self._lock:
            self._armed.append(ArmedFault(endpoint, kind, times, {**allowed, **options}))

    def take(self, endpoint: str) -> ArmedFault | None:
        """Consume one use of the first fault armed for ``endpoint`` (exact match before ``*``)."""
        with self._lock:
            chosen = next((f for f in self._armed if f.endpoint == endpoint), None)
            if chosen is None and endpoint != WEBSOCKET:
                chosen = next((f for f in self._armed if f.endpoint == ANY_REST), None)
            if chosen is None:
                return None
            if chosen.remaining is not None:
                chosen.remaining -= 1
                if chosen.remaining == 0:
                    self._armed.remove(chosen)
            return chosen

    def pending(self) -> list[ArmedFault]:
        """Faults still armed (copies)."""
        with self._lock:
            return [
                ArmedFault(f.endpoint, f.fault, f.remaining, dict(f.options)) for f in self._armed
            ]

    def clear(self) -> None:
        """Disarm every fault."""
        with self._lock:
            self._armed.clear()
