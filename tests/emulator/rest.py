"""Binance spot REST endpoints of the emulator, as plain functions of (state, params).

Each handler runs with the state lock held and returns the JSON body of a 200 reply or raises
:class:`~tests.emulator.errors.BinanceError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.core.money import ZERO
from tests.emulator.candles import interval_ms
from tests.emulator.errors import bad_request
from tests.emulator.markets import exchange_info_json, fmt
from tests.emulator.orders import STOP_TYPES, EmuOrder, NewOrder
from tests.emulator.params import (
    Params,
    decimal_param,
    flag_param,
    int_param,
    limit_param,
    required,
    symbols_param,
)
from tests.emulator.state import State

Handler = Callable[[State, Params], object]

SIDES = frozenset({"BUY", "SELL"})


@dataclass(frozen=True, slots=True)
class Route:
    """One endpoint: its handler, whether it is signed, whether it trades."""

    handler: Handler
    signed: bool = False
    trading: bool = False


# ---------------------------------------------------------------------- public
def ping(state: State, params: Params) -> object:
    """GET /api/v3/ping."""
    return {}


def server_time(state: State, params: Params) -> object:
    """GET /api/v3/time."""
    return {"serverTime": state.server_time()}


def exchange_info(state: State, params: Params) -> object:
    """GET /api/v3/exchangeInfo (optionally for ``symbol`` or ``symbols``)."""
    wanted = symbols_param(params)
    if params.get("symbol"):
        wanted = [params["symbol"]]
    specs = list(state.venue.markets.values())
    if wanted is not None:
        specs = [state.market(market_id) for market_id in wanted]
    return exchange_info_json(specs, state.server_time())


def klines(state: State, params: Params) -> object:
    """GET /api/v3/klines: startTime/endTime/limit (default 500, max 1000)."""
    market_id = required(params, "symbol")
    interval = required(params, "interval")
    interval_ms(interval)
    state.market(market_id)
    limit = limit_param(params, 500, 1000)
    series = state.candles.get((market_id, interval))
    if series is None:
        return []
    start, end = int_param(params, "startTime"), int_param(params, "endTime")
    return series.rows_json(start, end, limit)


def _symbols_or_all(state: State, params: Params) -> tuple[list[str], bool]:
    if params.get("symbol"):
        state.market(params["symbol"])
        return [params["symbol"]], True
    wanted = symbols_param(params)
    if wanted is not None:
        for market_id in wanted:
            state.market(market_id)
        return wanted, False
    return list(state.venue.markets), False


def ticker_24hr(state: State, params: Params) -> object:
    """GET /api/v3/ticker/24hr (one symbol as an object, else a list)."""
    ids, single = _symbols_or_all(state, params)
    tickers = [state.ticker_json(market_id) for market_id in ids]
    return tickers[0] if single else tickers


def ticker_price(state: State, params: Params) -> object:
    """GET /api/v3/ticker/price."""
    ids, single = _symbols_or_all(state, params)
    prices = [{"symbol": i, "price": state.ticker_json(i)["lastPrice"]} for i in ids]
    return prices[0] if single else prices


def book_ticker(state: State, params: Params) -> object:
    """GET /api/v3/ticker/bookTicker (one tick either side of the last price)."""
    ids, single = _symbols_or_all(state, params)
    books = []
    for market_id in ids:
        ticker = state.ticker_json(market_id)
        books.append(
            {
                "symbol": market_id,
                "bidPrice": ticker["bidPrice"],
                "bidQty": ticker["bidQty"],
                "askPrice": ticker["askPrice"],
                "askQty": ticker["askQty"],
            }
        )
    return books[0] if single else books


def depth(state: State, params: Params) -> object:
    """GET /api/v3/depth: a small synthetic book around the last price (1 unit per level)."""
    market_id = required(params, "symbol")
    spec = state.market(market_id)
    levels = min(limit_param(params, 100, 5000), 20)
    last = state.last_price(market_id)
    if last is None:
        return {"lastUpdateId": 1, "bids": [], "asks": []}
    steps = range(1, levels + 1)
    bids = [
        [fmt(last - spec.tick_size * n), "1.00000000"] for n in steps if last > spec.tick_size * n
    ]
    asks = [[fmt(last + spec.tick_size * n), "1.00000000"] for n in steps]
    return {"lastUpdateId": len(state.venue.trades) + 1, "bids": bids, "asks": asks}


# ---------------------------------------------------------------------- signed
def _new_order(params: Params) -> NewOrder:
    side = required(params, "side")
    order_type = required(params, "type")
    if side not in SIDES:
        raise bad_request(-1117, "Invalid side.")
    if order_type not in {"MARKET", "LIMIT", "LIMIT_MAKER"} | STOP_TYPES:
        raise bad_request(-1116, "Invalid orderType.")
    return NewOrder(
        symbol=required(params, "symbol"),
        side=side,
        type=order_type,
        quantity=decimal_param(params, "quantity"),
        quote_order_qty=decimal_param(params, "quoteOrderQty"),
        price=decimal_param(params, "price"),
        stop_price=decimal_param(params, "stopPrice"),
        time_in_force=params.get("timeInForce") or None,
        client_order_id=params.get("newClientOrderId") or None,
    )


def create_order(state: State, params: Params) -> object:
    """POST /api/v3/order; replies per newOrderRespType (FULL for MARKET/LIMIT by default)."""
    order, trades = state.venue.place(_new_order(params))
    default = "FULL" if order.type in ("MARKET", "LIMIT") else "ACK"
    kind = params.get("newOrderRespType") or default
    now = state.server_time()
    if kind == "ACK":
        return order.to_ack_json(now)
    body = order.to_result_json(now)
    if kind == "FULL":
        body["fills"] = [trade.to_fill_json() for trade in trades]
    return body


def validate_order(state: State, params: Params) -> object:
    """POST /api/v3/order/test: validates the parameters only."""
    request = _new_order(params)
    state.market(request.symbol)
    return {}


def _ids(params: Params, client_key: str) -> tuple[int | None, str | None]:
    return int_param(params, "orderId"), params.get(client_key) or None


def cancel_order(state: State, params: Params) -> object:
    """DELETE /api/v3/order by orderId or origClientOrderId (-2011 when unknown/closed)."""
    order_id, client_id = _ids(params, "origClientOrderId")
    order = state.venue.cancel(required(params, "symbol"), order_id, client_id)
    cancel_id = params.get("newClientOrderId") or f"emucancel{order.order_id:010d}"
    return order.to_cancel_json(cancel_id, state.server_time())


def cancel_open_orders(state: State, params: Params) -> object:
    """DELETE /api/v3/openOrders for one symbol."""
    orders = state.venue.cancel_all(required(params, "symbol"))
    now = state.server_time()
    return [o.to_cancel_json(f"emucancel{o.order_id:010d}", now) for o in orders]


def query_order(state: State, params: Params) -> object:
    """GET /api/v3/order by orderId or origClientOrderId (-2013 when unknown)."""
    order_id, client_id = _ids(params, "origClientOrderId")
    return state.venue.find(required(params, "symbol"), order_id, client_id).to_json()


def open_orders(state: State, params: Params) -> object:
    """GET /api/v3/openOrders (all symbols when ``symbol`` is absent)."""
    market_id = params.get("symbol") or None
    if market_id is not None:
        state.market(market_id)
    return [order.to_json() for order in state.venue.open_orders(market_id)]


def _window(items: list[EmuOrder], params: Params) -> list[EmuOrder]:
    start, end = int_param(params, "startTime"), int_param(params, "endTime")
    from_id = int_param(params, "orderId")
    kept = [
        o
        for o in items
        if (start is None or o.time >= start)
        and (end is None or o.time <= end)
        and (from_id is None or o.order_id >= from_id)
    ]
    limit = limit_param(params, 500, 1000)
    return kept[:limit] if from_id is not None or start is not None else kept[-limit:]


def all_orders(state: State, params: Params) -> object:
    """GET /api/v3/allOrders for one symbol (orderId/startTime/endTime/limit)."""
    market_id = required(params, "symbol")
    state.market(market_id)
    orders = [o for o in state.venue.orders.values() if o.symbol == market_id]
    return [order.to_json() for order in _window(orders, params)]


def my_trades(state: State, params: Params) -> object:
    """GET /api/v3/myTrades for one symbol (orderId/startTime/endTime/fromId/limit)."""
    market_id = required(params, "symbol")
    state.market(market_id)
    order_id = int_param(params, "orderId")
    start, end = int_param(params, "startTime"), int_param(params, "endTime")
    from_id = int_param(params, "fromId")
    trades = [
        t
        for t in state.venue.trades
        if t.symbol == market_id
        and (order_id is None or t.order_id == order_id)
        and (start is None or t.time >= start)
        and (end is None or t.time <= end)
        and (from_id is None or t.trade_id >= from_id)
    ]
    limit = limit_param(params, 500, 1000)
    chosen = trades[:limit] if from_id is not None or start is not None else trades[-limit:]
    return [trade.to_json() for trade in chosen]


def account(state: State, params: Params) -> object:
    """GET /api/v3/account: balances (omitZeroBalances honoured) and permissions."""
    ledger = state.venue.ledger
    balances = [
        {"asset": asset, "free": fmt(free), "locked": fmt(locked)}
        for asset, (free, locked) in ledger.snapshot().items()
        if not (flag_param(params, "omitZeroBalances") and free == 0 and locked == 0)
    ]
    rate = fmt(state.venue.fee_rate)
    commission = int(state.venue.fee_rate * 10000)
    perms = state.auth.permissions
    return {
        "makerCommission": commission,
        "takerCommission": commission,
        "buyerCommission": 0,
        "sellerCommission": 0,
        "commissionRates": {"maker": rate, "taker": rate, "buyer": fmt(ZERO), "seller": fmt(ZERO)},
        "canTrade": perms.can_trade,
        "canWithdraw": perms.can_withdraw,
        "canDeposit": perms.can_deposit,
        "brokered": False,
        "requireSelfTradePrevention": False,
        "preventSor": False,
        "updateTime": state.server_time(),
        "accountType": "SPOT",
        "balances": balances,
        "permissions": ["SPOT"],
        "uid": 100000001,
    }


def api_restrictions(state: State, params: Params) -> object:
    """GET /sapi/v1/account/apiRestrictions: what the key may do."""
    return state.auth.permissions.restrictions_json()


ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/api/v3/ping"): Route(ping),
    ("GET", "/api/v3/time"): Route(server_time),
    ("GET", "/api/v3/exchangeInfo"): Route(exchange_info),
    ("GET", "/api/v3/klines"): Route(klines),
    ("GET", "/api/v3/ticker/24hr"): Route(ticker_24hr),
    ("GET", "/api/v3/ticker/price"): Route(ticker_price),
    ("GET", "/api/v3/ticker/bookTicker"): Route(book_ticker),
    ("GET", "/api/v3/depth"): Route(depth),
    ("POST", "/api/v3/order"): Route(create_order, signed=True, trading=True),
    ("POST", "/api/v3/order/test"): Route(validate_order, signed=True, trading=True),
    ("DELETE", "/api/v3/order"): Route(cancel_order, signed=True, trading=True),
    ("GET", "/api/v3/order"): Route(query_order, signed=True),
    ("GET", "/api/v3/openOrders"): Route(open_orders, signed=True),
    ("DELETE", "/api/v3/openOrders"): Route(cancel_open_orders, signed=True, trading=True),
    ("GET", "/api/v3/allOrders"): Route(all_orders, signed=True),
    ("GET", "/api/v3/account"): Route(account, signed=True),
    ("GET", "/api/v3/myTrades"): Route(my_trades, signed=True),
    ("GET", "/sapi/v1/account/apiRestrictions"): Route(api_restrictions, signed=True),
}
"""Every emulated endpoint, keyed by (HTTP method, path)."""
