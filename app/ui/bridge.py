"""The engine -> UI bridge: drains the engine's coalescing queue at ~30 Hz into typed Qt signals.

The engine thread puts events into :class:`~app.engine.bus.CoalescingQueue`; a QTimer on the
GUI thread drains it and re-emits the events, grouped by kind, as Qt signals the panels connect
to. Tickers, forming candles, equity and order snapshots arrive coalesced (latest only), so the
UI repaints at most ~30 times a second whatever the engine's event rate.
"""

from __future__ import annotations

import concurrent.futures
import logging
import time
from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import QObject, QTimer, Signal

from app.core.events import (
    Alert,
    BalanceUpdated,
    BreakerStateChanged,
    CandleClosed,
    CandleUpdated,
    ConnectionStateChanged,
    EngineStateChanged,
    EquityUpdated,
    Event,
    FillReceived,
    OrderUpdated,
    PositionUpdated,
    RiskDecision,
    StrategyStateChanged,
    TickerUpdated,
    WorkerHealthChanged,
)
from app.engine.bus import CoalescingQueue

logger = logging.getLogger(__name__)

DRAIN_INTERVAL_MS = 33


class EngineBridge(QObject):
    """Re-emits engine events as Qt signals on the GUI thread.

    Batched signals carry a ``list`` of the events' payloads from one drain (``orders``:
    list[Order], ``fills``: list[Fill], ``positions``: list[Position]); the others carry one
    event each, in arrival order.

    Args:
        queue: the facade's event queue (``facade.events``).
        interval_ms: drain period (33 ms = ~30 Hz).
        parent: owning object.
    """

    tickers = Signal(list)  # list[TickerUpdated], latest per symbol
    candle_updated = Signal(object)  # CandleUpdated
    candle_closed = Signal(object)  # CandleClosed
    orders = Signal(list)  # list[Order]
    fills = Signal(list)  # list[Fill]
    positions = Signal(list)  # list[Position]
    balances = Signal(tuple)  # tuple[Balance, ...]
    equity = Signal(object)  # EquityUpdated
    breaker = Signal(object)  # BreakerStateChanged
    engine_state = Signal(object)  # EngineStateChanged
    connection = Signal(object)  # ConnectionStateChanged
    worker_health = Signal(object)  # WorkerHealthChanged
    strategy_state = Signal(object)  # StrategyStateChanged
    risk_decision = Signal(object)  # RiskDecision
    alert = Signal(object)  # Alert
    drained = Signal(int)  # number of events handled in one drain

    def __init__(
        self,
        queue: CoalescingQueue,
        interval_ms: int = DRAIN_INTERVAL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._queue = queue
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.drain)
        self.events_handled = 0
        self.last_drain_ms = 0.0
        self._single: dict[type[Event], Callable[[Any], None]] = {
            CandleUpdated: self.candle_updated.emit,
            CandleClosed: self.candle_closed.emit,
            EquityUpdated: self.equity.emit,
            BreakerStateChanged: self.breaker.emit,
            EngineStateChanged: self.engine_state.emit,
            ConnectionStateChanged: self.connection.emit,
            WorkerHealthChanged: self.worker_health.emit,
            StrategyStateChanged: self.strategy_state.emit,
            RiskDecision: self.risk_decision.emit,
            Alert: self.alert.emit,
        }

    def set_queue(self, queue: CoalescingQueue) -> None:
        """Drain ``queue`` from now on (the engine was attached after the window showed)."""
        self._queue = queue

    def start(self) -> None:
        """Start draining on the timer."""
        self._timer.start()

    def stop(self) -> None:
        """Stop draining (pending events stay in the queue)."""
        self._timer.stop()

    @property
    def is_active(self) -> bool:
        """True while the drain timer runs."""
        return self._timer.isActive()

    def drain(self) -> int:
        """Take every pending event and emit the signals now.

        Returns:
            The number of events handled.
        """
        started = time.perf_counter()
        events = self._queue.drain()
        if not events:
            return 0
        tickers: list[TickerUpdated] = []
        orders: list[Any] = []
        fills: list[Any] = []
        positions: list[Any] = []
        latest_balances: BalanceUpdated | None = None
        for event in events:
            if isinstance(event, TickerUpdated):
                tickers.append(event)
            elif isinstance(event, OrderUpdated):
                orders.append(event.order)
            elif isinstance(event, FillReceived):
                fills.append(event.fill)
            elif isinstance(event, PositionUpdated):
                positions.append(event.position)
            elif isinstance(event, BalanceUpdated):
                latest_balances = event
            else:
                self._emit_single(event)
        # Orders before fills: a fill's order row exists when the fill is shown.
        for signal, batch in (
            (self.tickers, tickers),
            (self.orders, orders),
            (self.fills, fills),
            (self.positions, positions),
        ):
            if batch:
                signal.emit(batch)
        if latest_balances is not None:
            self.balances.emit(latest_balances.balances)
        self.events_handled += len(events)
        self.last_drain_ms = (time.perf_counter() - started) * 1000
        self.drained.emit(len(events))
        return len(events)

    def _emit_single(self, event: Event) -> None:
        emit = self._single.get(type(event))
        if emit is None:
            for base, candidate in self._single.items():
                if isinstance(event, base):
                    emit = candidate
                    break
        if emit is None:
            logger.debug("bridge: no signal for %s", type(event).__name__)
            return
        emit(event)


class FutureRelay(QObject):
    """Delivers the result of an engine future to callbacks on the GUI thread.

    The engine thread never touches a Qt object: a GUI-thread timer polls the future and calls
    ``on_success``/``on_error`` there once it is done. (Emitting a queued signal from the engine
    thread races with the owning widget's destruction and can crash PySide.) A relay with a parent
    dies with it, silently dropping a result nobody can show any more.
    """

    POLL_MS: ClassVar[int] = 15
    _pending: ClassVar[set[FutureRelay]] = set()  # keeps parentless relays alive until they fire

    def __init__(
        self,
        future: concurrent.futures.Future[Any],
        on_success: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._future = future
        self._on_success = on_success
        self._on_error = on_error
        if parent is None:
            FutureRelay._pending.add(self)
        self._timer = QTimer(self)
        self._timer.setInterval(self.POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._timer.start()

    def _poll(self) -> None:
        if self._future.done():
            self._timer.stop()
            self._deliver(self._future)

    def _deliver(self, future: concurrent.futures.Future[Any]) -> None:
        try:
            if future.cancelled():
                error: BaseException | None = concurrent.futures.CancelledError()
            else:
                error = future.exception()
            if error is not None:
                if self._on_error is not None:
                    self._on_error(error)
                else:
                    logger.error("engine command failed: %s", error, exc_info=error)
            elif self._on_success is not None:
                self._on_success(future.result())
        finally:
            FutureRelay._pending.discard(self)
            self.deleteLater()


def when_done(
    future: concurrent.futures.Future[Any],
    on_success: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    parent: QObject | None = None,
) -> FutureRelay:
    """Call ``on_success(result)`` or ``on_error(exception)`` on the GUI thread when done.

    Args:
        future: a facade command's future.
        on_success: called with the result.
        on_error: called with the exception (logged when omitted).
        parent: a GUI-thread object that owns the relay until it fires.

    Returns:
        The relay (it deletes itself after delivering).
    """
    return FutureRelay(future, on_success, on_error, parent)
