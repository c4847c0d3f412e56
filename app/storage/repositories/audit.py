"""The append-only audit log: every decision, order and risk event, with its correlation id.

There is no update or delete here, and SQLite triggers refuse them at the database level.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.core.time import now_ms
from app.storage.database import Database
from app.storage.models import AuditRecord


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audit record; ``payload`` holds structured details (Decimals stored as strings)."""

    id: int
    ts: int
    kind: str
    message: str
    component: str
    correlation_id: str | None
    payload: dict[str, Any] = field(default_factory=dict)


class AuditLog:
    """Appends to and queries the audit log.

    Args:
        database: a migrated database.
    """

    def __init__(self, database: Database) -> None:
        self._db = database

    def append(
        self,
        kind: str,
        message: str,
        correlation_id: str | None = None,
        component: str = "",
        payload: dict[str, Any] | None = None,
        *,
        ts: int | None = None,
    ) -> int:
        """Record an event and return its id.

        Args:
            kind: what happened ("order_submitted", "risk_rejected", ...).
            message: a readable sentence.
            correlation_id: ties the entry to one decision/order.
            component: who recorded it ("executor", "risk").
            payload: JSON-serialisable details; Decimals are stored as exact strings.
            ts: ms UTC; now when omitted.

        Raises:
            StorageError: the database failed or the payload is not JSON-serialisable.
        """
        record = AuditRecord(
            ts=now_ms() if ts is None else ts,
            kind=kind,
            message=message,
            component=component,
            correlation_id=correlation_id,
            payload=dict(payload or {}),
        )
        with self._db.session() as session:
            session.add(record)
            session.flush()
            return record.id

    def query(
        self,
        *,
        correlation_id: str | None = None,
        kind: str | None = None,
        since: int | None = None,
        until: int | None = None,
        limit: int | None = None,
    ) -> list[AuditEntry]:
        """Entries matching every given filter, oldest first.

        Args:
            correlation_id: only this decision/order.
            kind: only this kind.
            since: from this time (ms UTC, inclusive).
            until: up to this time (ms UTC, inclusive).
            limit: at most this many (the oldest ones).

        Raises:
            StorageError: the database failed.
        """
        query = select(AuditRecord)
        if correlation_id is not None:
            query = query.where(AuditRecord.correlation_id == correlation_id)
        if kind is not None:
            query = query.where(AuditRecord.kind == kind)
        if since is not None:
            query = query.where(AuditRecord.ts >= since)
        if until is not None:
            query = query.where(AuditRecord.ts <= until)
        query = query.order_by(AuditRecord.ts, AuditRecord.id).limit(limit)
        with self._db.session(readonly=True) as session:
            return [
                AuditEntry(
                    id=record.id,
                    ts=record.ts,
                    kind=record.kind,
                    message=record.message,
                    component=record.component,
                    correlation_id=record.correlation_id,
                    payload=record.payload,
                )
                for record in session.scalars(query)
            ]
