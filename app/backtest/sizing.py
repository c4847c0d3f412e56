"""How many units an entry buys or sells: the backtest's built-in sizing rules.

Every rule answers ``quantity(equity, price)`` with a Decimal rounded DOWN to the quantity step.
Sizers of :mod:`app.risk.sizing` plug in through an adapter with the same method.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from app.core.errors import BacktestError
from app.core.money import ZERO, round_amount

_HUNDRED = Decimal(100)


class SizeRule(Protocol):
    """Quantity of a new position from the account equity and the expected fill price."""

    def quantity(
        self, equity: Decimal, price: Decimal, trade_returns: Sequence[Decimal]
    ) -> Decimal:
        """Units to buy/sell (>= 0; 0 means no order)."""
        ...

    def describe(self) -> str:
        """Short text for reports, e.g. ``"fixed 0.1"``."""
        ...


@dataclass(frozen=True, slots=True)
class FixedSize:
    """Always the same quantity (base currency units)."""

    qty: Decimal

    def __post_init__(self) -> None:
        if self.qty <= 0:
            raise BacktestError(f"size: must be greater than 0, got {self.qty}")

    def quantity(
        self, equity: Decimal, price: Decimal, trade_returns: Sequence[Decimal]
    ) -> Decimal:
        """The fixed quantity."""
        return self.qty

    def describe(self) -> str:
        """``"fixed <qty>"``."""
        return f"fixed {self.qty}"


@dataclass(frozen=True, slots=True)
class PercentOfEquity:
    """A share of the current equity, converted to units at the expected price."""

    pct: Decimal
    step: Decimal

    def __post_init__(self) -> None:
        if not ZERO < self.pct <= _HUNDRED:
            raise BacktestError(f"stake_pct: must be between 0 and 100, got {self.pct}")

    def quantity(
        self, equity: Decimal, price: Decimal, trade_returns: Sequence[Decimal]
    ) -> Decimal:
        """``equity x pct / 100 / price`` rounded down to the step."""
        return round_amount(equity * self.pct / _HUNDRED / price, self.step)

    def describe(self) -> str:
        """``"<pct> % of equity"``."""
        return f"{self.pct} % of equity"


@dataclass(frozen=True, slots=True)
class FixedQuoteAmount:
    """The same quote-currency amount per entry, converted to units at the expected price."""

    amount: Decimal
    step: Decimal

    def __post_init__(self) -> None:
        if self.amount <= 0:
            raise BacktestError(f"stake_amount: must be greater than 0, got {self.amount}")

    def quantity(
        self, equity: Decimal, price: Decimal, trade_returns: Sequence[Decimal]
    ) -> Decimal:
        """``amount / price`` rounded down to the step."""
        return round_amount(self.amount / price, self.step)

    def describe(self) -> str:
        """``"<amount> quote per trade"``."""
        return f"{self.amount} quote per trade"
