"""Executions, stored once per (venue, trade id) however often the exchange reports them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core.enums import Side
from app.core.models import Fill
from app.storage.database import Database
from app.storage.models import FillRecord


class FillRepository:
    """Stores fills idempotently.

    Args:
        database: a migrated database.
    """

    def __init__(self, database: Database) -> None:
        self._db = database

    def add(self, venue: str, fill: Fill) -> bool:
        """Store a fill unless its (venue, trade id) is already stored.

        Returns:
            True when the fill is new.

        Raises:
            StorageError: the database failed.
        """
        return self.add_many(venue, [fill]) == 1

    def add_many(self, venue: str, fills: Iterable[Fill]) -> int:
        """Store several fills in one transaction, skipping those already stored.

        Returns:
            How many were new.

        Raises:
            StorageError: the database failed (nothing is stored).
        """
        added = 0
        with self._db.session() as session:
            for fill in fills:
                added += _insert_once(session, venue, fill)
        return added

    def list(
        self,
        venue: str,
        *,
        client_order_id: str | None = None,
        symbol: str | None = None,
        since: int | None = None,
    ) -> list[Fill]:
        """Fills of ``venue`` (optionally of one order/symbol, from ``since`` ms), oldest first.

        Raises:
            StorageError: the database failed.
        """
        query = select(FillRecord).where(FillRecord.venue == venue)
        if client_order_id is not None:
            query = query.where(FillRecord.client_order_id == client_order_id)
        if symbol is not None:
            query = query.where(FillRecord.symbol == symbol)
        if since is not None:
            query = query.where(FillRecord.timestamp >= since)
        query = query.order_by(FillRecord.timestamp, FillRecord.id)
        with self._db.session(readonly=True) as session:
            return [_to_fill(record) for record in session.scalars(query)]


def _insert_once(session: Session, venue: str, fill: Fill) -> int:
    exists = select(FillRecord.id).where(
        FillRecord.venue == venue, FillRecord.trade_id == fill.trade_id
    )
    if session.scalar(exists) is not None:
        return 0
    record = FillRecord(
        venue=venue,
        trade_id=fill.trade_id,
        client_order_id=fill.client_order_id,
        exchange_order_id=fill.exchange_order_id,
        symbol=fill.symbol,
        side=fill.side.value,
        price=fill.price,
        amount=fill.amount,
        fee=fill.fee,
        fee_currency=fill.fee_currency,
        timestamp=fill.timestamp,
        is_maker=fill.is_maker,
    )
    try:
        with session.begin_nested():  # a concurrent writer (PostgreSQL) may have stored it
            session.add(record)
    except IntegrityError:
        return 0
    return 1


def _to_fill(record: FillRecord) -> Fill:
    return Fill(
        trade_id=record.trade_id,
        client_order_id=record.client_order_id,
        symbol=record.symbol,
        side=Side(record.side),
        price=record.price,
        amount=record.amount,
        fee=record.fee,
        fee_currency=record.fee_currency,
        timestamp=record.timestamp,
        exchange_order_id=record.exchange_order_id,
        is_maker=record.is_maker,
    )
