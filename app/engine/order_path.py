"""Wiring of the order path: tracker, circuit breaker, executor, reconciliation and audit.

:func:`build_order_path` assembles the pieces for one exchange account over one database;
:meth:`OrderPath.start` loads the store and reconciles before the first order. The periodic
workers are ``tracker.run``, ``reconciler.run`` and ``audit.run``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.core.ports import ExchangePort
from app.core.time import now_ms
from app.engine.audit import AuditWriter
from app.engine.bus import EventBus
from app.engine.exchange_breaker import ExchangeCircuitBreaker
from app.engine.executor import OrderExecutor
from app.engine.portfolio import Portfolio
from app.engine.reconciliation import Reconciler, ReconciliationReport
from app.engine.tracker import OrderTracker
from app.observability.metrics import MetricsRegistry
from app.storage.database import Database
from app.storage.repositories import FillRepository, OrderRepository


@dataclass(slots=True)
class OrderPath:
    """The order-path components of one exchange account."""

    bus: EventBus
    tracker: OrderTracker
    breaker: ExchangeCircuitBreaker
    executor: OrderExecutor
    reconciler: Reconciler
    audit: AuditWriter

    async def start(self) -> ReconciliationReport:
        """Load orders and fills from the store, then reconcile with the exchange.

        Raises:
            StorageError: the database failed.
        """
        self.tracker.load()
        report = await self.reconciler.reconcile()
        self.audit.flush()
        return report

    def close(self) -> None:
        """Write the buffered audit records (call on shutdown).

        Raises:
            StorageError: the database failed.
        """
        self.audit.close()


def build_order_path(
    exchange: ExchangePort,
    database: Database,
    venue: str,
    *,
    bus: EventBus | None = None,
    portfolio: Portfolio | None = None,
    symbols: Sequence[str] = (),
    clock: Callable[[], int] = now_ms,
    metrics: MetricsRegistry | None = None,
    breaker: ExchangeCircuitBreaker | None = None,
) -> OrderPath:
    """Assemble the order path of one account (the database must be migrated).

    Args:
        exchange: the venue.
        database: the store.
        venue: storage label of the account, e.g. "binance:testnet".
        bus: the engine bus (a private one when omitted); the audit writer is attached to it.
        portfolio: books fills exactly once.
        symbols: symbols whose trades reconciliation always checks.
        clock: ms UTC source.
        metrics: registry (the process-wide one by default).
        breaker: the exchange circuit breaker (a default one when omitted).
    """
    event_bus = bus or EventBus()
    audit = AuditWriter(database, clock=clock)
    audit.attach(event_bus)
    tracker = OrderTracker(
        exchange,
        OrderRepository(database),
        FillRepository(database),
        venue,
        portfolio=portfolio,
        publish=event_bus.publish,
        clock=clock,
        metrics=metrics,
    )
    circuit = breaker or ExchangeCircuitBreaker(
        exchange.exchange_id, event_bus.publish, clock=clock, metrics=metrics
    )
    executor = OrderExecutor(tracker, circuit, audit, clock=clock, metrics=metrics)
    reconciler = Reconciler(
        tracker,
        audit,
        database,
        publish=event_bus.publish,
        in_flight=executor.is_in_flight,
        symbols=symbols,
        clock=clock,
    )
    return OrderPath(event_bus, tracker, circuit, executor, reconciler, audit)
