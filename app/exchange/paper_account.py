"""Decimal balances of a paper account: reservations for open orders and settlement of fills.

Buys reserve quote for amount x reference price x (1 + the higher fee rate); sells reserve the
base amount. Fees are charged in the quote currency.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from app.core.enums import OrderType, Side
from app.core.errors import InsufficientFunds
from app.core.models import Balance, Market, Order
from app.core.money import ONE, ZERO


class PaperAccount:
    """Free and reserved (used) funds per currency.

    Args:
        balances: the starting balances.
        venue: account name, for messages.
        slippage: adverse fraction added to the reference price of market-priced buys.
    """

    def __init__(self, balances: Mapping[str, Balance], venue: str, slippage: Decimal) -> None:
        self._balances = dict(balances)
        self._reserved: dict[str, Decimal] = {}
        self._venue = venue
        self._slippage = slippage

    def snapshot(self) -> dict[str, Balance]:
        """A copy of the balances by currency."""
        return dict(self._balances)

    def reference_price(self, order: Order, last: Decimal) -> Decimal:
        """Price a reservation is computed at: the limit, else the stop or last price plus
        slippage."""
        if order.price is not None:
            return order.price
        base = order.stop_price if order.stop_price is not None else last
        return base * (ONE + self._slippage)

    def reservation(self, order: Order, market: Market, reference: Decimal) -> tuple[str, Decimal]:
        """The currency and amount ``order`` must hold back (nothing is changed).

        Raises:
            InsufficientFunds: the free balance cannot cover it.
        """
        currency, needed = _needed(order, market, reference)
        free = self._balances.get(currency, Balance(currency)).free
        if free < needed:
            raise InsufficientFunds(
                f"{self._venue}: {order.side} {order.amount} {order.symbol} needs {needed} "
                f"{currency}, only {free} free"
            )
        return currency, needed

    def hold(self, client_order_id: str, currency: str, amount: Decimal) -> None:
        """Move ``amount`` of ``currency`` from free to used for an order."""
        balance = self._balances.get(currency, Balance(currency))
        self._balances[currency] = Balance(currency, balance.free - amount, balance.used + amount)
        self._reserved[client_order_id] = amount

    def release(self, order: Order, market: Market) -> None:
        """Return an order's reservation to free funds (no-op when it holds none)."""
        currency = market.quote if order.side is Side.BUY else market.base
        amount = self._reserved.pop(order.client_order_id, ZERO)
        balance = self._balances.get(currency, Balance(currency))
        self._balances[currency] = Balance(currency, balance.free + amount, balance.used - amount)

    def shortfall(self, order: Order, market: Market, cost: Decimal, fee: Decimal) -> Decimal:
        """How much quote a buy lacks to pay ``cost + fee`` (0 for sells or when covered)."""
        if order.side is Side.SELL:
            return ZERO
        free = self._balances.get(market.quote, Balance(market.quote)).free
        return max(cost + fee - free, ZERO)

    def settle(self, order: Order, market: Market, cost: Decimal, fee: Decimal) -> None:
        """Book a complete fill: base in/out, quote out/in, fee out (call after ``release``)."""
        quote = self._balances.get(market.quote, Balance(market.quote))
        base = self._balances.get(market.base, Balance(market.base))
        sign = order.side.sign
        self._balances[market.quote] = Balance(
            quote.currency, quote.free - sign * cost - fee, quote.used
        )
        self._balances[market.base] = Balance(
            base.currency, base.free + sign * order.amount, base.used
        )

    def rebuild(self, active: Iterable[tuple[Order, Market]]) -> None:
        """Recompute reservations and ``used`` from the active orders (after a restart).

        Totals are kept; market orders must already have been closed by the caller.
        """
        totals = {currency: b.total for currency, b in self._balances.items()}
        used: dict[str, Decimal] = {}
        self._reserved.clear()
        for order, market in active:
            if order.type is OrderType.MARKET:
                continue
            currency, needed = _needed(order, market, self.reference_price(order, ZERO))
            self._reserved[order.client_order_id] = needed
            used[currency] = used.get(currency, ZERO) + needed
        for currency in set(totals) | set(used):
            held = used.get(currency, ZERO)
            self._balances[currency] = Balance(currency, totals.get(currency, ZERO) - held, held)


def _needed(order: Order, market: Market, reference: Decimal) -> tuple[str, Decimal]:
    if order.side is Side.BUY:
        fee = max(market.maker_fee, market.taker_fee)
        return market.quote, order.amount * reference * (ONE + fee)
    return market.base, order.amount
