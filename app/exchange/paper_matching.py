"""Fill rules of the paper exchange: when an order executes against a price, and at what price.

- Market orders fill at the next price, moved against the trader by the slippage (taker fee).
- A limit order that crossed the last price when it was placed fills at the next price that
  still satisfies its limit (taker fee); a resting limit fills at its limit price when the price
  touches or crosses it (maker fee).
- Stop orders trigger when the price reaches the stop (buy: at or above, sell: at or below);
  a stop-market then fills like a market order, a stop-limit becomes a limit order.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.core.enums import OrderType, Side
from app.core.models import Market, Order
from app.core.money import ONE


@dataclass(frozen=True, slots=True)
class Execution:
    """Where and how an order fills."""

    price: Decimal
    is_maker: bool


def adverse_price(price: Decimal, side: Side, slippage: Decimal, market: Market) -> Decimal:
    """``price`` moved against a taker by ``slippage`` (fraction), rounded to the tick."""
    factor = ONE + slippage if side is Side.BUY else ONE - slippage
    return market.round_price(price * factor)


def stop_triggered(order: Order, price: Decimal) -> bool:
    """True when ``price`` reached the order's stop price."""
    if order.stop_price is None:
        return False
    if order.side is Side.BUY:
        return price >= order.stop_price
    return price <= order.stop_price


def limit_crossed(side: Side, limit: Decimal, price: Decimal) -> bool:
    """True when a limit order on ``side`` at ``limit`` can trade at ``price``."""
    return price <= limit if side is Side.BUY else price >= limit


def execution_for(
    order: Order, price: Decimal, market: Market, slippage: Decimal, *, taker: bool
) -> Execution | None:
    """The execution of an active order at ``price``, or None when it does not fill.

    Args:
        order: the active order (a triggered stop-limit has type LIMIT).
        price: the new market price.
        market: the symbol's rules (tick rounding).
        slippage: adverse fraction for taker fills at the market.
        taker: the limit order crossed the book when placed.
    """
    if order.type is OrderType.MARKET:
        return Execution(adverse_price(price, order.side, slippage, market), is_maker=False)
    if order.type is OrderType.STOP_MARKET:
        if not stop_triggered(order, price):
            return None
        return Execution(adverse_price(price, order.side, slippage, market), is_maker=False)
    if order.type is OrderType.STOP_LIMIT:
        return None  # not triggered yet: the exchange turns it into a limit when it triggers
    if order.price is None or not limit_crossed(order.side, order.price, price):
        return None
    if taker:
        return Execution(price, is_maker=False)
    return Execution(order.price, is_maker=True)
