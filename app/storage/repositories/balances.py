"""Balances per venue and currency (the paper exchange persists its account here)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select

from app.core.models import Balance
from app.core.time import now_ms
from app.storage.database import Database
from app.storage.models import BalanceRecord


class BalanceRepository:
    """Reads and writes the balances of a venue.

    Args:
        database: a migrated database.
    """

    def __init__(self, database: Database) -> None:
        self._db = database

    def get(self, venue: str) -> dict[str, Balance]:
        """Stored balances of ``venue`` by currency (empty when none).

        Raises:
            StorageError: the database failed.
        """
        query = select(BalanceRecord).where(BalanceRecord.venue == venue)
        with self._db.session(readonly=True) as session:
            return {
                record.currency: Balance(record.currency, free=record.free, used=record.used)
                for record in session.scalars(query)
            }

    def set(
        self,
        venue: str,
        balances: Iterable[Balance],
        updated_at: int | None = None,
        *,
        replace: bool = False,
    ) -> None:
        """Store balances of ``venue`` in one transaction.

        Args:
            venue: exchange id + account/mode label.
            balances: the balances to write (other stored currencies are kept).
            updated_at: ms UTC; now when omitted.
            replace: True to make ``balances`` the complete snapshot (other currencies of the
                venue are removed).

        Raises:
            StorageError: the database failed (nothing is written).
        """
        stamp = now_ms() if updated_at is None else updated_at
        wanted = {balance.currency: balance for balance in balances}
        with self._db.session() as session:
            if replace:
                session.execute(
                    delete(BalanceRecord).where(
                        BalanceRecord.venue == venue, BalanceRecord.currency.not_in(wanted)
                    )
                )
            query = select(BalanceRecord).where(
                BalanceRecord.venue == venue, BalanceRecord.currency.in_(wanted)
            )
            stored = {record.currency: record for record in session.scalars(query)}
            for currency, balance in wanted.items():
                record = stored.get(currency)
                if record is None:
                    record = BalanceRecord(venue=venue, currency=currency)
                    session.add(record)
                record.free = balance.free
                record.used = balance.used
                record.updated_at = stamp
