"""PaperLedger over the storage repositories: the paper account's history in the database."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.core.models import Balance, Fill, Order
from app.storage.database import Database
from app.storage.repositories import BalanceRepository, FillRepository, OrderRepository


class StoragePaperLedger:
    """Orders, fills and balances of one paper account, stored under ``venue``.

    Args:
        database: a migrated database.
        venue: account label in the tables, e.g. "binance:paper" or "offline".
    """

    def __init__(self, database: Database, venue: str) -> None:
        self._venue = venue
        self._orders = OrderRepository(database)
        self._fills = FillRepository(database)
        self._balances = BalanceRepository(database)

    @property
    def venue(self) -> str:
        """Account label the rows are stored under."""
        return self._venue

    def load_orders(self) -> Sequence[Order]:
        """Every order of the account, oldest first."""
        return list(reversed(self._orders.list_all(self._venue)))

    def save_order(self, order: Order) -> None:
        """Insert or update an order."""
        self._orders.upsert(self._venue, order)

    def load_fills(self) -> Sequence[Fill]:
        """Every fill of the account, oldest first."""
        return self._fills.list(self._venue)

    def save_fill(self, fill: Fill) -> None:
        """Store a fill (a trade id already stored is skipped)."""
        self._fills.add(self._venue, fill)

    def load_balances(self) -> Mapping[str, Balance]:
        """Balances by currency (empty for a new account)."""
        return self._balances.get(self._venue)

    def save_balances(self, balances: Mapping[str, Balance]) -> None:
        """Replace the stored balances with ``balances``."""
        self._balances.set(self._venue, balances.values(), replace=True)
