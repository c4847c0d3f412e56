"""ccxt's unified structures (orders, trades, tickers, balances, OHLCV) as domain values.

ccxt hands numbers over as floats; each becomes a Decimal through its shortest round-trip
string (``to_decimal``), which is the exact decimal the exchange sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from app.core.enums import OrderStatus, OrderType, Side, TimeInForce
from app.core.errors import BadExchangeReply
from app.core.models import Balance, Candle, Fill, Order
from app.core.money import ZERO, to_decimal

_STATUS = {
    "open": OrderStatus.OPEN,
    "closed": OrderStatus.FILLED,
    "canceled": OrderStatus.CANCELED,
    "cancelled": OrderStatus.CANCELED,
    "expired": OrderStatus.EXPIRED,
    "rejected": OrderStatus.REJECTED,
}
_TIME_IN_FORCE = {
    "GTC": TimeInForce.GTC,
    "IOC": TimeInForce.IOC,
    "FOK": TimeInForce.FOK,
    "PO": TimeInForce.POST_ONLY,
}


def decimal_or_none(value: object, field: str) -> Decimal | None:
    """A ccxt number (float/str/int/None) as a Decimal, or None.

    Raises:
        BadExchangeReply: the value is not a number.
    """
    if value is None:
        return None
    if isinstance(value, Decimal | str | int | float) and not isinstance(value, bool):
        try:
            return to_decimal(value, field=field)
        except ValueError as exc:
            raise BadExchangeReply(f"exchange reply: {exc}") from exc
    raise BadExchangeReply(f"exchange reply: {field} is not a number ({value!r})")


def _order_type(raw_type: object, has_trigger: bool) -> OrderType:
    text = str(raw_type or "").lower()
    is_limit = "limit" in text
    if has_trigger or "stop" in text:
        return OrderType.STOP_LIMIT if is_limit else OrderType.STOP_MARKET
    return OrderType.LIMIT if is_limit else OrderType.MARKET


def order_status(raw_status: object, filled: Decimal) -> OrderStatus:
    """ccxt's order status ("open", "closed", ...) as an OrderStatus."""
    status = _STATUS.get(str(raw_status or "").lower(), OrderStatus.UNKNOWN)
    if status is OrderStatus.OPEN and filled > 0:
        return OrderStatus.PARTIALLY_FILLED
    return status


def _average_price(raw: Mapping[str, Any], filled: Decimal) -> Decimal | None:
    """Average fill price: cost / filled in Decimal when both are reported.

    ccxt divides cost by filled in floats, which turns a venue's exact average (Binance:
    cummulativeQuoteQty / executedQty) into a neighbouring binary value.
    """
    cost = decimal_or_none(raw.get("cost"), "cost")
    if cost is not None and cost > 0 and filled > 0:
        return cost / filled
    return decimal_or_none(raw.get("average"), "average")


def order_from_ccxt(raw: Mapping[str, Any], fallback_client_order_id: str | None = None) -> Order:
    """A ccxt order structure as an Order.

    Args:
        raw: ccxt's unified order dict.
        fallback_client_order_id: used when the venue does not echo the client order id.

    Raises:
        BadExchangeReply: the reply is not an order structure (no id, no side, bad numbers).
    """
    if not isinstance(raw, Mapping) or not raw.get("id") or raw.get("side") not in ("buy", "sell"):
        raise BadExchangeReply(f"exchange reply is not an order: {str(raw)[:200]!r}")
    client_order_id = raw.get("clientOrderId") or fallback_client_order_id
    if not client_order_id:
        raise BadExchangeReply(f"exchange order {raw.get('id')} carries no client order id")
    filled = decimal_or_none(raw.get("filled"), "filled") or ZERO
    amount = decimal_or_none(raw.get("amount"), "amount") or filled
    stop_price = decimal_or_none(raw.get("triggerPrice") or raw.get("stopPrice"), "stop_price")
    fee = raw.get("fee") or {}
    timestamp = int(raw.get("timestamp") or 0)
    updated = raw.get("lastUpdateTimestamp") or raw.get("lastTradeTimestamp") or timestamp
    average = _average_price(raw, filled)
    return Order(
        client_order_id=str(client_order_id),
        symbol=str(raw.get("symbol")),
        side=Side(raw["side"]),
        type=_order_type(raw.get("type"), stop_price is not None),
        amount=amount,
        price=decimal_or_none(raw.get("price"), "price") if raw.get("type") != "market" else None,
        stop_price=stop_price,
        time_in_force=_TIME_IN_FORCE.get(str(raw.get("timeInForce") or "GTC"), TimeInForce.GTC),
        status=order_status(raw.get("status"), filled),
        exchange_order_id=str(raw["id"]),
        filled=filled,
        average_price=average if average else None,
        fee=decimal_or_none(fee.get("cost"), "fee") or ZERO,
        fee_currency=fee.get("currency"),
        created_at=timestamp,
        updated_at=int(updated),
    )


def fill_from_ccxt(raw: Mapping[str, Any], client_order_id: str) -> Fill:
    """A ccxt trade structure as a Fill.

    Args:
        raw: ccxt's unified trade dict.
        client_order_id: our id of the order the trade belongs to ("" when unknown).

    Raises:
        BadExchangeReply: the reply is not a trade structure.
    """
    try:
        fee = raw.get("fee") or {}
        price = decimal_or_none(raw["price"], "price")
        amount = decimal_or_none(raw["amount"], "amount")
        if price is None or amount is None:
            raise BadExchangeReply(f"trade {raw.get('id')} has no price or amount")
        return Fill(
            trade_id=str(raw["id"]),
            client_order_id=client_order_id,
            symbol=str(raw["symbol"]),
            side=Side(raw["side"]),
            price=price,
            amount=amount,
            fee=decimal_or_none(fee.get("cost"), "fee") or ZERO,
            fee_currency=str(fee.get("currency") or ""),
            timestamp=int(raw.get("timestamp") or 0),
            exchange_order_id=None if raw.get("order") is None else str(raw["order"]),
            is_maker=raw.get("takerOrMaker") == "maker",
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise BadExchangeReply(f"exchange reply is not a trade: {str(raw)[:200]!r}") from exc


def candles_from_ccxt(rows: object) -> list[Candle]:
    """ccxt OHLCV rows ``[ts, o, h, l, c, v]`` as Candles, oldest first.

    Raises:
        BadExchangeReply: the reply is not a list of 6-number rows.
    """
    if not isinstance(rows, Sequence) or isinstance(rows, str | bytes):
        raise BadExchangeReply(f"exchange reply is not a candle list: {str(rows)[:200]!r}")
    try:
        candles = [
            Candle(
                int(row[0]),
                float(row[1]),
                float(row[2]),
                float(row[3]),
                float(row[4]),
                float(row[5] or 0.0),
            )
            for row in rows
        ]
    except (TypeError, ValueError, IndexError) as exc:
        raise BadExchangeReply(f"exchange reply holds a malformed candle: {exc}") from exc
    candles.sort(key=lambda candle: candle.timestamp)
    return candles


def last_price_from_ticker(raw: object, symbol: str) -> Decimal:
    """The last price of a ccxt ticker (falls back to close, then bid/ask midpoint).

    Raises:
        BadExchangeReply: the ticker carries no price.
    """
    if isinstance(raw, Mapping):
        for key in ("last", "close"):
            value = decimal_or_none(raw.get(key), f"{symbol}.{key}")
            if value is not None and value > 0:
                return value
        bid = decimal_or_none(raw.get("bid"), f"{symbol}.bid")
        ask = decimal_or_none(raw.get("ask"), f"{symbol}.ask")
        if bid is not None and ask is not None and bid > 0 and ask > 0:
            return (bid + ask) / 2
    raise BadExchangeReply(f"ticker for {symbol} carries no price: {str(raw)[:200]!r}")


def balances_from_ccxt(raw: object) -> dict[str, Balance]:
    """A ccxt balance structure as Balances by currency (currencies with a total only).

    Raises:
        BadExchangeReply: the reply is not a balance structure.
    """
    if not isinstance(raw, Mapping) or not isinstance(raw.get("total"), Mapping):
        raise BadExchangeReply(f"exchange reply is not a balance: {str(raw)[:200]!r}")
    free = raw.get("free") or {}
    used = raw.get("used") or {}
    result: dict[str, Balance] = {}
    for currency in raw["total"]:
        balance = Balance(
            currency=str(currency),
            free=decimal_or_none(free.get(currency), f"{currency}.free") or ZERO,
            used=decimal_or_none(used.get(currency), f"{currency}.used") or ZERO,
        )
        result[balance.currency] = balance
    return result


_CCXT_ORDER_TYPE = {
    OrderType.MARKET: "market",
    OrderType.LIMIT: "limit",
    OrderType.STOP_MARKET: "market",
    OrderType.STOP_LIMIT: "limit",
}
_CCXT_TIME_IN_FORCE = {
    TimeInForce.IOC: "IOC",
    TimeInForce.FOK: "FOK",
    TimeInForce.POST_ONLY: "PO",
}


def ccxt_order_arguments(
    order: Order,
) -> tuple[str, str, str, float, float | None, dict[str, Any]]:
    """``create_order``'s positional arguments for ``order``: symbol, type, side, amount,
    price and params (the client order id, trigger price and time in force).

    Decimals go to ccxt as floats; ccxt re-formats them with its ``*_to_precision`` helpers.
    """
    params: dict[str, Any] = {"clientOrderId": order.client_order_id}
    if order.stop_price is not None:
        params["triggerPrice"] = float(order.stop_price)
    if order.time_in_force in _CCXT_TIME_IN_FORCE and order.type is not OrderType.MARKET:
        params["timeInForce"] = _CCXT_TIME_IN_FORCE[order.time_in_force]
    price = None if order.price is None else float(order.price)
    return (
        order.symbol,
        _CCXT_ORDER_TYPE[order.type],
        order.side.value,
        float(order.amount),
        price,
        params,
    )
