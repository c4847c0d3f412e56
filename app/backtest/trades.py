"""What a backtest produced, trade by trade: closed round trips, the open trade, refusals."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any


def json_number(value: Decimal) -> float | int:
    """A Decimal as a JSON number (ints stay ints; floats print their shortest form)."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


@dataclass(frozen=True, slots=True)
class Trade:
    """One closed round trip. ``pnl`` is net of the entry and exit fees (quote currency)."""

    side: str
    qty: Decimal
    entry_bar: int
    entry_time: int
    entry_price: Decimal
    entry_fee: Decimal
    exit_bar: int
    exit_time: int
    exit_price: Decimal
    exit_fee: Decimal
    pnl: Decimal
    exit_reason: str

    @property
    def fees(self) -> Decimal:
        """Entry fee + exit fee."""
        return self.entry_fee + self.exit_fee

    @property
    def bars_held(self) -> int:
        """Bars from the entry fill to the exit fill (rows, not clock time)."""
        return self.exit_bar - self.entry_bar

    @property
    def return_pct(self) -> Decimal:
        """Net P&L as a percentage of the entry notional."""
        return self.pnl / (self.qty * self.entry_price) * 100

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (times integer ms UTC, money as numbers)."""
        return {
            "side": self.side,
            "entry_time": self.entry_time,
            "entry_price": json_number(self.entry_price),
            "exit_time": self.exit_time,
            "exit_price": json_number(self.exit_price),
            "qty": json_number(self.qty),
            "fees": json_number(self.fees),
            "pnl": json_number(self.pnl),
            "return_pct": round(float(self.return_pct), 6),
            "bars_held": self.bars_held,
            "exit_reason": self.exit_reason,
        }


@dataclass(frozen=True, slots=True)
class OpenTrade:
    """The position still open after the last bar, marked to the last close (not closed).

    ``unrealised_pnl`` is net of the entry fee only (no exit has happened).
    """

    side: str
    qty: Decimal
    entry_bar: int
    entry_time: int
    entry_price: Decimal
    entry_fee: Decimal
    mark_price: Decimal

    @property
    def unrealised_pnl(self) -> Decimal:
        """(mark - entry) x signed qty - entry fee."""
        sign = 1 if self.side == "long" else -1
        return (self.mark_price - self.entry_price) * self.qty * sign - self.entry_fee

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "side": self.side,
            "entry_time": self.entry_time,
            "entry_price": json_number(self.entry_price),
            "qty": json_number(self.qty),
            "fees": json_number(self.entry_fee),
            "mark_price": json_number(self.mark_price),
            "unrealised_pnl": json_number(self.unrealised_pnl),
        }


@dataclass(frozen=True, slots=True)
class RejectedOrder:
    """An order the backtest refused; ``stage`` is "signal", "fill" or "risk"."""

    time: int
    side: str
    qty: Decimal
    price: Decimal
    stage: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "time": self.time,
            "side": self.side,
            "qty": json_number(self.qty),
            "price": json_number(self.price),
            "stage": self.stage,
            "reason": self.reason,
        }
