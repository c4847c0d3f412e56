"""Pre-submission checks of an order against the market's precision and limits.

Both the ccxt adapter and the paper exchange refuse the same orders with the same messages,
before anything is sent or reserved.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from app.core.enums import OrderType
from app.core.errors import BadSymbol, InvalidOrder
from app.core.models import Market

_NEEDS_PRICE = (OrderType.LIMIT, OrderType.STOP_LIMIT)
_NEEDS_STOP = (OrderType.STOP_MARKET, OrderType.STOP_LIMIT)


def market_for(markets: Mapping[str, Market], symbol: str, exchange_id: str) -> Market:
    """The market of ``symbol``.

    Raises:
        BadSymbol: the venue does not list the symbol.
    """
    market = markets.get(symbol)
    if market is None:
        raise BadSymbol(
            f"{exchange_id}: symbol {symbol!r} is not listed; pick one of the exchange's markets "
            "(for example BTC/USDT)"
        )
    return market


def check_order(
    market: Market,
    order_type: OrderType,
    amount: Decimal,
    price: Decimal | None,
    stop_price: Decimal | None,
    reference_price: Decimal | None = None,
) -> None:
    """Refuse an order the exchange would refuse: off-grid, too small, or missing a price.

    Args:
        market: the symbol's trading rules.
        order_type: market, limit, stop-market or stop-limit.
        amount: base quantity (must already be rounded to the step size).
        price: limit price (limit and stop-limit orders).
        stop_price: trigger price (stop orders).
        reference_price: price used for the minimum-notional check of orders without a limit
            price (the last known price); the check is skipped when None.

    Raises:
        InvalidOrder: the message names the symbol, the value and the rule it breaks.
    """
    symbol = market.symbol
    if not market.active:
        raise InvalidOrder(f"{symbol}: the market is not active on the exchange")
    if not market.is_valid_amount(amount):
        raise InvalidOrder(
            f"{symbol}: amount {amount} is not a positive multiple of the step size "
            f"{market.step_size} within [{market.min_amount}, {market.max_amount or 'no max'}]; "
            "round it with Market.round_amount"
        )
    if order_type in _NEEDS_PRICE and price is None:
        raise InvalidOrder(f"{symbol}: a {order_type} order needs a limit price")
    if order_type in _NEEDS_STOP and stop_price is None:
        raise InvalidOrder(f"{symbol}: a {order_type} order needs a stop price")
    for name, value in (("price", price), ("stop price", stop_price)):
        if value is not None and not market.is_valid_price(value):
            raise InvalidOrder(
                f"{symbol}: {name} {value} is not a positive multiple of the tick size "
                f"{market.tick_size}; round it with Market.round_price"
            )
    notional_price = price if price is not None else stop_price or reference_price
    if notional_price is not None and not market.meets_min_notional(amount, notional_price):
        raise InvalidOrder(
            f"{symbol}: order value {amount * notional_price} is below the exchange's minimum "
            f"of {market.min_notional} {market.quote}; increase the amount"
        )
