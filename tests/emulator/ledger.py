"""Balances of the emulated account: free and locked amounts per asset, all Decimal."""

from __future__ import annotations

from decimal import Decimal

from app.core.money import ZERO
from tests.emulator.errors import INSUFFICIENT_BALANCE, order_rejected


class Ledger:
    """Free and locked balance per asset; every change keeps both non-negative."""

    def __init__(self, balances: dict[str, Decimal] | None = None) -> None:
        self._free: dict[str, Decimal] = {}
        self._locked: dict[str, Decimal] = {}
        for asset, amount in (balances or {}).items():
            self.set_free(asset, amount)

    def assets(self) -> list[str]:
        """Every asset the account has held, sorted."""
        return sorted(set(self._free) | set(self._locked))

    def free(self, asset: str) -> Decimal:
        """Spendable amount of ``asset``."""
        return self._free.get(asset, ZERO)

    def locked(self, asset: str) -> Decimal:
        """Amount of ``asset`` reserved by open orders."""
        return self._locked.get(asset, ZERO)

    def set_free(self, asset: str, amount: Decimal) -> None:
        """Set the free amount of ``asset`` (a test's deposit or withdrawal).

        Raises:
            ValueError: ``amount`` is negative.
        """
        if amount < 0:
            raise ValueError(f"balance of {asset} cannot be negative, got {amount}")
        self._free[asset] = amount
        self._locked.setdefault(asset, ZERO)

    def lock(self, asset: str, amount: Decimal) -> None:
        """Move ``amount`` from free to locked.

        Raises:
            BinanceError: -2010 insufficient balance when free < amount.
        """
        if self.free(asset) < amount:
            raise order_rejected(INSUFFICIENT_BALANCE)
        self._free[asset] = self.free(asset) - amount
        self._locked[asset] = self.locked(asset) + amount

    def unlock(self, asset: str, amount: Decimal) -> None:
        """Move ``amount`` from locked back to free."""
        self._locked[asset] = self.locked(asset) - amount
        self._free[asset] = self.free(asset) + amount

    def debit_free(self, asset: str, amount: Decimal) -> None:
        """Spend ``amount`` of free ``asset``.

        Raises:
            BinanceError: -2010 insufficient balance when free < amount.
        """
        if self.free(asset) < amount:
            raise order_rejected(INSUFFICIENT_BALANCE)
        self._free[asset] = self.free(asset) - amount

    def credit(self, asset: str, amount: Decimal) -> None:
        """Add ``amount`` to free ``asset``."""
        self._free[asset] = self.free(asset) + amount
        self._locked.setdefault(asset, ZERO)

    def snapshot(self) -> dict[str, tuple[Decimal, Decimal]]:
        """``{asset: (free, locked)}`` for every asset."""
        return {asset: (self.free(asset), self.locked(asset)) for asset in self.assets()}
