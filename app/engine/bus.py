"""Typed event bus inside the engine loop, and the coalescing hand-off queue to the UI thread.

The bus is synchronous and lives on the engine's asyncio thread: ``publish`` calls every handler
subscribed to the event's type (or a base class) in subscription order. A failing handler is
logged and never stops delivery to the others.

:class:`CoalescingQueue` is the thread-safe bridge to the UI: the engine thread puts events, the
UI drains them on a ~30 Hz timer. High-rate events that only matter in their latest form
(tickers, forming candles, equity, order snapshots) replace the pending one with the same key,
so the UI never repaints per tick and the queue cannot grow without bound under a flood.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar, cast

from app.core.events import (
    BalanceUpdated,
    CandleUpdated,
    ConnectionStateChanged,
    EngineStateChanged,
    EquityUpdated,
    Event,
    OrderUpdated,
    PositionUpdated,
    TickerUpdated,
    WorkerHealthChanged,
)

logger = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)
Handler = Callable[[E], None]


class EventBus:
    """Publish/subscribe by event type; handlers run synchronously on the publishing thread."""

    def __init__(self) -> None:
        self._handlers: dict[type[Event], list[Callable[[Event], None]]] = {}
        self._dispatch_cache: dict[type[Event], tuple[Callable[[Event], None], ...]] = {}
        self.published = 0

    def subscribe(self, event_type: type[E], handler: Callable[[E], None]) -> Callable[[], None]:
        """Call ``handler`` for every event of ``event_type`` (and its subclasses).

        Returns:
            A function that removes this subscription.
        """
        handlers = self._handlers.setdefault(event_type, [])
        # A handler of E is only ever called with E instances (dispatch is by type).
        generic = cast(Callable[[Event], None], handler)
        handlers.append(generic)
        self._dispatch_cache.clear()

        def unsubscribe() -> None:
            if generic in handlers:
                handlers.remove(generic)
                self._dispatch_cache.clear()

        return unsubscribe

    def publish(self, event: Event) -> None:
        """Deliver ``event`` to every matching handler; handler errors are logged, not raised."""
        self.published += 1
        event_type = type(event)
        handlers = self._dispatch_cache.get(event_type)
        if handlers is None:
            handlers = self._resolve(event_type)
        for handler in handlers:
            try:
                handler(event)
            except Exception:
                logger.exception("event handler %r failed on %s", handler, event_type.__name__)

    def _resolve(self, event_type: type[Event]) -> tuple[Callable[[Event], None], ...]:
        resolved: list[Callable[[Event], None]] = []
        for base in event_type.__mro__:
            resolved.extend(self._handlers.get(base, ()))
        handlers = tuple(resolved)
        self._dispatch_cache[event_type] = handlers
        return handlers


def coalescing_key(event: Event) -> Hashable | None:
    """Key under which a newer event replaces a pending older one, or None to keep every event."""
    match event:
        case TickerUpdated(exchange=exchange, symbol=symbol):
            return ("ticker", exchange, symbol)
        case CandleUpdated(exchange=exchange, symbol=symbol, timeframe=timeframe):
            return ("candle", exchange, symbol, timeframe)
        case EquityUpdated():
            return ("equity",)
        case OrderUpdated(order=order):
            return ("order", order.client_order_id)
        case PositionUpdated(position=position):
            return ("position", position.symbol)
        case BalanceUpdated():
            return ("balances",)
        case EngineStateChanged():
            return ("engine",)
        case ConnectionStateChanged(exchange=exchange):
            return ("connection", exchange)
        case WorkerHealthChanged(worker=worker):
            return ("worker", worker)
    return None


class CoalescingQueue:
    """Thread-safe queue from the engine thread to the UI that keeps only the latest of each key.

    Events without a key (fills, alerts, risk decisions, candle closes) are all kept, in order,
    up to ``max_pending``; beyond that the oldest are dropped and counted in ``dropped``.
    """

    def __init__(self, max_pending: int = 50_000) -> None:
        self._lock = threading.Lock()
        self._pending: OrderedDict[Hashable, Event] = OrderedDict()
        self._sequence = 0
        self._max_pending = max_pending
        self.received = 0
        self.coalesced = 0
        self.dropped = 0

    def put(self, event: Event) -> None:
        """Queue ``event`` (called from the engine thread)."""
        key = coalescing_key(event)
        with self._lock:
            self.received += 1
            if key is None:
                self._sequence += 1
                key = ("seq", self._sequence)
            elif key in self._pending:
                self.coalesced += 1
                del self._pending[key]  # re-insert at the end: keeps delivery order by recency
            self._pending[key] = event
            if len(self._pending) > self._max_pending:
                self._pending.popitem(last=False)
                self.dropped += 1

    def drain(self) -> list[Event]:
        """Take every pending event, oldest first (called from the UI thread)."""
        with self._lock:
            if not self._pending:
                return []
            events = list(self._pending.values())
            self._pending.clear()
        return events

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)
