"""Portfolio accounting in Decimal: positions, average entry, realised/unrealised P&L, fees, equity.

Conventions:
- ``Position.realised_pnl`` is gross (price difference x closed quantity); fees are tracked
  separately in ``Position.fees`` (quote currency) and in :attr:`Portfolio.fees_paid`.
- A fee charged in the base currency reduces the quantity received (buy) or delivered (sell) and
  is valued at the fill price in the quote currency.
- A fee charged in a third coin (e.g. BNB on Binance with "pay fees with BNB") touches neither
  the position nor the cash; it is summed per coin in :attr:`Portfolio.fees_in_other_coins`
  (there is no price here to value it in the quote currency).
- Increasing a position moves the average entry to the quantity-weighted mean; reducing it
  realises P&L at the average entry; crossing through zero closes, then opens the remainder at
  the fill price.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from app.core.enums import Side
from app.core.models import Fill, Position
from app.core.money import ZERO

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PortfolioSnapshot:
    """Account valuation in the quote currency at given marks."""

    cash: Decimal
    equity: Decimal
    realised_pnl: Decimal
    unrealised_pnl: Decimal
    fees_paid: Decimal
    exposure: Decimal
    positions: tuple[Position, ...]


class Portfolio:
    """Owns positions and cash of one account in one quote currency; publishes copies."""

    def __init__(self, quote_currency: str, cash: Decimal = ZERO) -> None:
        self.quote_currency = quote_currency
        self.cash = cash
        self.fees_paid = ZERO
        self.fees_in_other_coins: dict[str, Decimal] = {}
        self._positions: dict[str, Position] = {}

    def position(self, symbol: str) -> Position:
        """Current position of ``symbol`` (flat when never traded)."""
        return self._positions.get(symbol) or Position(symbol)

    @property
    def positions(self) -> tuple[Position, ...]:
        """Every position ever touched, flat ones included (they carry realised P&L)."""
        return tuple(self._positions.values())

    def apply_fill(self, fill: Fill, base_currency: str | None = None) -> Position:
        """Book one execution; returns the symbol's new position.

        Args:
            fill: the execution.
            base_currency: base asset of the symbol (defaults to the part before "/"), used to
                recognise fees charged in the base currency.
        """
        base = base_currency or fill.symbol.split("/", 1)[0]
        fee_in_quote = fill.fee
        quantity = fill.amount
        if fill.fee and fill.fee_currency == base:
            fee_in_quote = fill.fee * fill.price
            quantity = fill.amount - fill.fee if fill.side is Side.BUY else fill.amount
        elif fill.fee and fill.fee_currency not in (None, "", self.quote_currency):
            coin = str(fill.fee_currency)
            if coin not in self.fees_in_other_coins:
                logger.info(
                    "%s: fees paid in %s are summed apart (not in the %s P&L)",
                    fill.symbol,
                    coin,
                    self.quote_currency,
                )
            self.fees_in_other_coins[coin] = self.fees_in_other_coins.get(coin, ZERO) + fill.fee
            fee_in_quote = ZERO
        signed = quantity if fill.side is Side.BUY else -quantity
        notional = fill.price * fill.amount
        self.cash += -notional if fill.side is Side.BUY else notional
        if fill.fee_currency in (None, "", self.quote_currency):
            self.cash -= fill.fee
        self.fees_paid += fee_in_quote
        position = _apply_trade(self.position(fill.symbol), signed, fill.price)
        position = replace(position, fees=position.fees + fee_in_quote)
        self._positions[fill.symbol] = position
        return position

    def snapshot(self, marks: Mapping[str, Decimal]) -> PortfolioSnapshot:
        """Value the account at ``marks`` (last prices by symbol; entry price when missing)."""
        unrealised = ZERO
        market_value = ZERO
        exposure = ZERO
        for position in self._positions.values():
            if position.is_flat:
                continue
            mark = marks.get(position.symbol, position.average_entry)
            unrealised += position.unrealised_pnl(mark)
            value = position.market_value(mark)
            market_value += value
            exposure += abs(value)
        realised = sum((p.realised_pnl for p in self._positions.values()), ZERO)
        return PortfolioSnapshot(
            cash=self.cash,
            equity=self.cash + market_value,
            realised_pnl=realised,
            unrealised_pnl=unrealised,
            fees_paid=self.fees_paid,
            exposure=exposure,
            positions=self.positions,
        )

    def replay(self, fills: Iterable[Fill]) -> None:
        """Book many fills in order (restores state after a restart)."""
        for fill in fills:
            self.apply_fill(fill)


def _apply_trade(position: Position, signed_qty: Decimal, price: Decimal) -> Position:
    """New position after trading ``signed_qty`` (> 0 buy) at ``price``."""
    current = position.quantity
    if signed_qty == 0:
        return position
    if current == 0 or (current > 0) == (signed_qty > 0):
        new_qty = current + signed_qty
        average = (abs(current) * position.average_entry + abs(signed_qty) * price) / abs(new_qty)
        return replace(position, quantity=new_qty, average_entry=average)
    closing = min(abs(signed_qty), abs(current))
    direction = Decimal(1) if current > 0 else Decimal(-1)
    realised = position.realised_pnl + (price - position.average_entry) * closing * direction
    new_qty = current + signed_qty
    if new_qty == 0:
        return replace(position, quantity=ZERO, average_entry=ZERO, realised_pnl=realised)
    if (new_qty > 0) == (current > 0):
        return replace(position, quantity=new_qty, realised_pnl=realised)
    return replace(position, quantity=new_qty, average_entry=price, realised_pnl=realised)
