"""Shared pieces of the simulation: signal arrays, the order-gate port, raw output, prices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, overload

from app.backtest.data import BoolArray, FloatArray
from app.backtest.trades import OpenTrade, RejectedOrder, Trade
from app.core.enums import Side


def price_of(value: float) -> Decimal:
    """A float market price as the Decimal of its shortest repr (exact, no binary artefacts)."""
    return Decimal(repr(value))


class OrderGate(Protocol):
    """Extra pre-trade checks (the risk manager) consulted before every signal order."""

    def advance(self, bar: int, cash: Decimal, position: Decimal) -> None:
        """Account state held unchanged through bar ``bar`` (inclusive): feed equity updates."""
        ...

    def approve(
        self, bar: int, side: Side, qty: Decimal, price: Decimal, cash: Decimal, position: Decimal
    ) -> tuple[Decimal, str]:
        """Approved quantity (0 refuses) and the reason when refused or resized."""
        ...

    def trade_closed(self, trade: Trade) -> None:
        """A round trip closed (feeds loss-streak breakers)."""
        ...


class TradeReturns(Sequence[Decimal]):
    """Closed trades' net P&L / entry notional, oldest first, computed only when read."""

    __slots__ = ("_trades",)

    def __init__(self, trades: Sequence[Trade]) -> None:
        self._trades = trades

    def __len__(self) -> int:
        return len(self._trades)

    @overload
    def __getitem__(self, index: int) -> Decimal: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Decimal]: ...

    def __getitem__(self, index: int | slice) -> Decimal | Sequence[Decimal]:
        if isinstance(index, slice):
            return [_trade_return(trade) for trade in self._trades[index]]
        return _trade_return(self._trades[index])


def _trade_return(trade: Trade) -> Decimal:
    return trade.pnl / (trade.qty * trade.entry_price)


@dataclass(frozen=True, slots=True)
class SignalArrays:
    """Boolean signals per bar (True at the close of the bar that raised them)."""

    entries: BoolArray
    exits: BoolArray
    short_entries: BoolArray | None = None
    short_exits: BoolArray | None = None


@dataclass(slots=True)
class SimulationOutput:
    """Raw result of a simulation: trades, refusals and the account path."""

    trades: list[Trade]
    open_trade: OpenTrade | None
    rejected: list[RejectedOrder]
    cash: FloatArray
    position: FloatArray
    equity: FloatArray
    final_cash: Decimal
    final_position: Decimal
    fees_paid: Decimal
