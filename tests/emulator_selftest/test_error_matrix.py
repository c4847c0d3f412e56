"""Venue error matrix: each Binance error the emulator returns and the ccxt class it becomes.

Observed with ccxt 4.5.90 ``binance`` (the fault matrix is in ``test_faults.py``; key and clock
errors are in ``test_auth.py``):

=====================================  ======  =====  ===================================
situation                              status  code   ccxt raises
=====================================  ======  =====  ===================================
duplicate newClientOrderId             400     -2010  InvalidOrder ("Duplicate order sent.";
                                                      never DuplicateOrderId)
insufficient balance                   400     -2010  InsufficientFunds
stop would trigger immediately         400     -2010  OrderImmediatelyFillable
LIMIT_MAKER would take                 400     -2010  OrderImmediatelyFillable
no price yet ("Market is closed.")     400     -2010  MarketClosed
LOT_SIZE / PRICE_FILTER                400     -1013  InvalidOrder
NOTIONAL                               400     -1013  BadRequest
cancel unknown / closed order          400     -2011  OrderNotFound
query unknown order                    400     -2013  OrderNotFound
unknown symbol (raw request)           400     -1121  BadSymbol
unknown key                            401     -2015  AuthenticationError; DDoSProtection
                                                      once a private call has succeeded
bad signature                          400     -1022  AuthenticationError
timestamp outside recvWindow           400     -1021  InvalidNonce
no API key header                      401     -2014  AuthenticationError
=====================================  ======  =====  ===================================
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import ccxt
import pytest

from tests.emulator.emulator import ExchangeEmulator

Call = Callable[[Any], Awaitable[object]]


def _limit(side: str, amount: float, price: float, **params: object) -> Call:
    return lambda ex: ex.create_order("BTC/USDT", "limit", side, amount, price, dict(params))


def _raw_order(**params: str) -> Call:
    base = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC"}
    return lambda ex: ex.private_post_order({**base, **params})


CASES: list[tuple[str, Call, str, int, int, type[Exception]]] = [
    (
        "duplicate client order id",
        _limit("buy", 0.001, 20000, clientOrderId="cb-taken"),
        "POST /api/v3/order",
        400,
        -2010,
        ccxt.InvalidOrder,
    ),
    (
        "insufficient balance",
        _limit("buy", 1, 29000),
        "POST /api/v3/order",
        400,
        -2010,
        ccxt.InsufficientFunds,
    ),
    (
        "stop would trigger immediately",
        lambda ex: ex.create_order(
            "BTC/USDT", "STOP_LOSS_LIMIT", "buy", 0.001, 29000, {"stopPrice": 29000}
        ),
        "POST /api/v3/order",
        400,
        -2010,
        ccxt.OrderImmediatelyFillable,
    ),
    (
        "limit maker would take",
        _raw_order(type="LIMIT_MAKER", quantity="0.001", price="31000", timeInForce=""),
        "POST /api/v3/order",
        400,
        -2010,
        ccxt.OrderImmediatelyFillable,
    ),
    (
        "lot size",
        _raw_order(quantity="0.000015", price="30000"),
        "POST /api/v3/order",
        400,
        -1013,
        ccxt.InvalidOrder,
    ),
    (
        "notional",
        _raw_order(quantity="0.0001", price="30000"),
        "POST /api/v3/order",
        400,
        -1013,
        ccxt.BadRequest,
    ),
    (
        "cancel unknown order",
        lambda ex: ex.cancel_order("424242", "BTC/USDT"),
        "DELETE /api/v3/order",
        400,
        -2011,
        ccxt.OrderNotFound,
    ),
    (
        "query unknown order",
        lambda ex: ex.fetch_order(None, "BTC/USDT", {"origClientOrderId": "nobody"}),
        "GET /api/v3/order",
        400,
        -2013,
        ccxt.OrderNotFound,
    ),
    (
        "unknown symbol",
        lambda ex: ex.public_get_ticker_24hr({"symbol": "DOGEUSDT"}),
        "GET /api/v3/ticker/24hr",
        400,
        -1121,
        ccxt.BadSymbol,
    ),
]


@pytest.mark.parametrize(
    ("call", "endpoint", "status", "code", "ccxt_error"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
async def test_venue_error_matrix(
    client: Any,
    exchange_emulator: ExchangeEmulator,
    call: Call,
    endpoint: str,
    status: int,
    code: int,
    ccxt_error: type[Exception],
) -> None:
    exchange_emulator.set_price("BTC/USDT", "30000")
    await client.create_order(
        "BTC/USDT", "limit", "buy", 0.001, 20000, {"clientOrderId": "cb-taken"}
    )
    orders_before = exchange_emulator.snapshot().orders
    exchange_emulator.reset_counters()

    with pytest.raises(ccxt_error) as raised:
        await call(client)

    assert type(raised.value) is ccxt_error
    assert exchange_emulator.calls(endpoint) == 1
    assert exchange_emulator.calls() == 1
    [logged] = exchange_emulator.requests(endpoint)
    assert (logged.status, logged.code) == (status, code)
    assert exchange_emulator.snapshot().orders == orders_before


async def test_market_order_before_any_price_is_market_closed(
    exchange_emulator_factory: Any,
) -> None:
    emulator = exchange_emulator_factory(data_dir=None)
    exchange = ccxt.async_support.binance(emulator.ccxt_config())
    try:
        await exchange.load_markets()
        with pytest.raises(ccxt.MarketClosed):
            await exchange.create_order("BTC/USDT", "market", "buy", 0.001)
    finally:
        await exchange.close()
    assert [(r.status, r.code) for r in emulator.requests("POST /api/v3/order")] == [(400, -2010)]
