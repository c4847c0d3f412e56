"""Audit writer: every decision, order and risk event goes to the append-only audit log.

:class:`AuditWriter` subscribes to the engine bus (signals, risk decisions, breaker changes,
order updates, fills, alerts) and buffers one record per event with its correlation id; the
buffer is written in batches (:meth:`AuditWriter.flush`, the periodic :meth:`AuditWriter.run`
worker, and :meth:`AuditWriter.close` on shutdown). Records that must exist before something
happens (the order row and its "submitting" record before the request leaves) go through
:meth:`AuditWriter.write_now`. Messages and payloads pass the secret redaction first.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any

from app.core.errors import StorageError
from app.core.events import (
    Alert,
    BreakerStateChanged,
    Event,
    FillReceived,
    OrderUpdated,
    RiskDecision,
    SignalGenerated,
)
from app.core.time import now_ms
from app.engine.bus import EventBus
from app.observability.redaction import redact_text, redact_value
from app.storage.database import Database
from app.storage.models import AuditRecord

logger = logging.getLogger(__name__)

AUDITED_EVENTS: tuple[type[Event], ...] = (
    SignalGenerated,
    RiskDecision,
    BreakerStateChanged,
    OrderUpdated,
    FillReceived,
    Alert,
)
"""Event types the writer records when attached to a bus."""


@dataclass(frozen=True, slots=True)
class AuditItem:
    """One record waiting to be written."""

    ts: int
    kind: str
    message: str
    component: str
    correlation_id: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)


def plain(value: object) -> Any:
    """A JSON-ready copy: dataclasses become dicts, Decimals exact strings, enums their value."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in value]
    return str(value)


def audit_item_of(event: Event) -> AuditItem | None:
    """The audit record of a bus event, None for event types that are not audited."""
    match event:
        case SignalGenerated(signal=signal):
            return AuditItem(
                event.timestamp,
                "signal",
                f"{signal.strategy_id}: {signal.action} {signal.symbol} at {signal.price}",
                "strategy",
                signal.correlation_id,
                plain(signal),
            )
        case RiskDecision():
            return AuditItem(
                event.timestamp,
                "risk_decision",
                f"{event.rule}: {event.verdict} {event.symbol} ({event.reason})",
                "risk",
                event.correlation_id,
                plain(event),
            )
        case BreakerStateChanged():
            return AuditItem(
                event.timestamp,
                "breaker",
                f"{event.breaker}: {event.old_state} -> {event.new_state} ({event.reason})",
                event.scope,
                None,
                plain(event),
            )
        case OrderUpdated(order=order):
            detail = f" ({order.reason})" if order.reason else ""
            return AuditItem(
                event.timestamp,
                "order_update",
                f"order {order.client_order_id} {order.status}: {order.side} {order.amount} "
                f"{order.symbol}, filled {order.filled}{detail}",
                "tracker",
                order.correlation_id,
                plain(order),
            )
        case FillReceived(fill=fill):
            return AuditItem(
                event.timestamp,
                "fill",
                f"fill {fill.trade_id} of {fill.client_order_id}: {fill.side} {fill.amount} "
                f"{fill.symbol} at {fill.price}, fee {fill.fee} {fill.fee_currency}".rstrip(),
                "tracker",
                event.correlation_id,
                plain(fill),
            )
        case Alert():
            return AuditItem(
                event.timestamp,
                "alert",
                f"{event.level}: {event.title}: {event.message}",
                "engine",
                event.correlation_id,
                plain(event),
            )
    return None


class AuditWriter:
    """Buffers audit records and appends them to the audit log in order, one transaction per
    batch (read them back with :class:`app.storage.repositories.AuditLog`).

    Args:
        database: the database holding the audit log.
        batch_size: a buffer this long is written at once (not waiting for the timer).
        clock: ms UTC source for records without a timestamp.
    """

    def __init__(
        self, database: Database, *, batch_size: int = 200, clock: Callable[[], int] = now_ms
    ) -> None:
        self._db = database
        self._batch_size = max(1, batch_size)
        self._clock = clock
        self._buffer: list[AuditItem] = []
        self._unsubscribe: list[Callable[[], None]] = []
        self.written = 0

    @property
    def pending(self) -> int:
        """Records buffered but not yet written."""
        return len(self._buffer)

    def attach(self, bus: EventBus) -> None:
        """Record every audited event published on ``bus`` from now on."""
        for event_type in AUDITED_EVENTS:
            self._unsubscribe.append(bus.subscribe(event_type, self.on_event))

    def detach(self) -> None:
        """Stop listening to the bus (buffered records stay buffered)."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()

    def on_event(self, event: Event) -> None:
        """Bus handler: buffer the event's record (written at the next flush)."""
        item = audit_item_of(event)
        if item is not None:
            self._add(item)

    def record(
        self,
        kind: str,
        message: str,
        *,
        correlation_id: str | None = None,
        component: str = "engine",
        payload: Mapping[str, Any] | None = None,
        ts: int | None = None,
    ) -> None:
        """Buffer one record (reconciliation reports, executor replies, ...).

        Args:
            kind: what happened ("order_reply", "reconciliation", ...).
            message: a readable sentence.
            correlation_id: ties the record to one decision/order.
            component: who recorded it.
            payload: structured details (made JSON-ready here).
            ts: ms UTC; now when omitted.
        """
        stamp = self._clock() if ts is None else ts
        self._add(AuditItem(stamp, kind, message, component, correlation_id, plain(payload or {})))

    def write_now(
        self,
        kind: str,
        message: str,
        *,
        correlation_id: str | None = None,
        component: str = "engine",
        payload: Mapping[str, Any] | None = None,
    ) -> None:
        """Write one record durably before returning (earlier buffered records go first).

        Raises:
            StorageError: the database failed (the caller must not proceed).
        """
        self._buffer.append(
            AuditItem(self._clock(), kind, message, component, correlation_id, plain(payload or {}))
        )
        self.flush()

    def flush(self) -> int:
        """Write every buffered record, oldest first, in one transaction.

        Returns:
            How many were written.

        Raises:
            StorageError: the database failed; the records stay buffered.
        """
        if not self._buffer:
            return 0
        batch = list(self._buffer)
        with self._db.session() as session:
            session.add_all(
                AuditRecord(
                    ts=item.ts,
                    kind=item.kind,
                    message=redact_text(item.message),
                    component=item.component,
                    correlation_id=item.correlation_id,
                    payload=redact_value(item.payload),
                )
                for item in batch
            )
        del self._buffer[: len(batch)]
        self.written += len(batch)
        return len(batch)

    async def run(self, interval: float = 1.0) -> None:
        """Worker: flush every ``interval`` seconds until cancelled (then flush once more)."""
        try:
            while True:
                await asyncio.sleep(interval)
                try:
                    self.flush()
                except StorageError:
                    logger.exception("audit log write failed; %d records kept", self.pending)
        finally:
            self._flush_quietly()

    def close(self) -> None:
        """Detach from the bus and write what is buffered (call on shutdown).

        Raises:
            StorageError: the database failed; the records are lost with the process.
        """
        self.detach()
        self.flush()

    def _add(self, item: AuditItem) -> None:
        self._buffer.append(item)
        if len(self._buffer) >= self._batch_size:
            self._flush_quietly()

    def _flush_quietly(self) -> None:
        try:
            self.flush()
        except StorageError:
            logger.exception("audit log write failed; %d records kept", self.pending)
