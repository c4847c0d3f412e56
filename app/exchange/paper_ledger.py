"""Where the paper exchange keeps its orders, fills and balances between runs.

:class:`PaperLedger` is the small protocol the paper exchange needs; the storage package's
repositories back it in the app (see :mod:`app.exchange.paper_storage`), and
:class:`InMemoryLedger` is the explicit opt-out of persistence (tests, throw-away sessions).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from app.core.models import Balance, Fill, Order


class PaperLedger(Protocol):
    """Persistence of one paper account."""

    def load_orders(self) -> Sequence[Order]:
        """Every order of the account, oldest first."""
        ...

    def save_order(self, order: Order) -> None:
        """Insert or update an order (keyed by client order id)."""
        ...

    def load_fills(self) -> Sequence[Fill]:
        """Every fill of the account, oldest first."""
        ...

    def save_fill(self, fill: Fill) -> None:
        """Append a fill."""
        ...

    def load_balances(self) -> Mapping[str, Balance]:
        """Balances by currency (empty for a new account)."""
        ...

    def save_balances(self, balances: Mapping[str, Balance]) -> None:
        """Replace the stored balances."""
        ...


class InMemoryLedger:
    """A ledger that forgets everything when the process ends (explicit opt-out)."""

    def __init__(self) -> None:
        self._orders: dict[str, Order] = {}
        self._fills: list[Fill] = []
        self._balances: dict[str, Balance] = {}

    def load_orders(self) -> Sequence[Order]:
        """Every order, in insertion order."""
        return list(self._orders.values())

    def save_order(self, order: Order) -> None:
        """Insert or update an order."""
        self._orders[order.client_order_id] = order

    def load_fills(self) -> Sequence[Fill]:
        """Every fill, in insertion order."""
        return list(self._fills)

    def save_fill(self, fill: Fill) -> None:
        """Append a fill."""
        self._fills.append(fill)

    def load_balances(self) -> Mapping[str, Balance]:
        """Balances by currency."""
        return dict(self._balances)

    def save_balances(self, balances: Mapping[str, Balance]) -> None:
        """Replace the balances."""
        self._balances = dict(balances)
