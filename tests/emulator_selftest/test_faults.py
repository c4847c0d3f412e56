"""Fault matrix: every injected fault, the reply the emulator gives and what real ccxt raises.

Observed with ccxt 4.5.90 ``binance`` (async_support); the exchange adapter's error mapping is
built on these facts:

=========================  ==========================  ===================================
fault                      reply                        ccxt raises (calls made)
=========================  ==========================  ===================================
http_429                   429, -1003, Retry-After      DDoSProtection (1) - not its
                                                        subclass RateLimitExceeded
http_418                   418, -1003, Retry-After      DDoSProtection (1)
http_500/502/503           5xx, HTML body               ExchangeNotAvailable (1)
http_503 + code -1007      503, -1007 JSON              RequestTimeout (1)
timeout_before_accept      no reply in time             RequestTimeout (1), nothing stored
timeout_after_accept       no reply in time             RequestTimeout (1), order STORED
timeout_after_accept drop  connection reset             POST: ExchangeNotAvailable (1),
                                                        order STORED; GET: aiohttp silently
                                                        retries once -> success (2 calls)
bad_json                   200, truncated JSON          nothing: ccxt returns a structure
                                                        of None fields (``info`` is the raw
                                                        text) - the adapter must check
latency                    normal reply, late           success (1)
=========================  ==========================  ===================================
"""

from __future__ import annotations

import time
from typing import Any

import ccxt
import ccxt.async_support as ccxt_async
import pytest

from tests.emulator.emulator import ExchangeEmulator

TICKER = "GET /api/v3/ticker/24hr"
ORDER = "POST /api/v3/order"
TIMEOUT_MS = 200
BACKEND_TIMEOUT = (
    "Timeout waiting for response from backend server. "
    "Send status unknown; execution status unknown."
)


@pytest.fixture()
async def fast_client(exchange_emulator: ExchangeEmulator) -> Any:
    """A ccxt client with a short timeout, so timeout faults are quick."""
    exchange = ccxt_async.binance(exchange_emulator.ccxt_config(timeout=TIMEOUT_MS))
    await exchange.load_markets()
    exchange_emulator.set_price("BTC/USDT", "30000")
    exchange_emulator.reset_counters()
    try:
        yield exchange
    finally:
        await exchange.close()


@pytest.mark.parametrize(
    ("fault", "options", "status", "code", "ccxt_error"),
    [
        ("http_429", {"retry_after": 7}, 429, -1003, ccxt.DDoSProtection),
        ("http_418", {"retry_after": 120}, 418, -1003, ccxt.DDoSProtection),
        ("http_500", {}, 500, None, ccxt.ExchangeNotAvailable),
        ("http_502", {}, 502, None, ccxt.ExchangeNotAvailable),
        ("http_503", {}, 503, None, ccxt.ExchangeNotAvailable),
        ("http_503", {"code": -1007, "msg": BACKEND_TIMEOUT}, 503, -1007, ccxt.RequestTimeout),
        ("timeout_before_accept", {}, 0, None, ccxt.RequestTimeout),
        ("timeout_after_accept", {}, 200, None, ccxt.RequestTimeout),
    ],
)
async def test_read_fault_matrix(
    fast_client: Any,
    exchange_emulator: ExchangeEmulator,
    fault: str,
    options: dict[str, Any],
    status: int,
    code: int | None,
    ccxt_error: type[Exception],
) -> None:
    exchange_emulator.inject(TICKER, fault, **options)
    with pytest.raises(ccxt_error) as raised:
        await fast_client.fetch_ticker("BTC/USDT")
    assert type(raised.value) is ccxt_error
    assert exchange_emulator.calls(TICKER) == 1
    [logged] = exchange_emulator.requests(TICKER)
    assert logged.fault == fault
    assert (logged.status, logged.code) == (status, code)
    if "retry_after" in options:
        assert fast_client.last_response_headers["Retry-After"] == str(options["retry_after"])
        assert '"code": -1003' in str(raised.value)
    assert await fast_client.fetch_ticker("BTC/USDT")
    assert exchange_emulator.calls(TICKER) == 2


async def test_dropped_get_is_retried_once_by_aiohttp(
    fast_client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    await fast_client.fetch_ticker("BTC/USDT")  # opens the keep-alive connection
    exchange_emulator.inject(TICKER, "timeout_after_accept", mode="drop")
    ticker = await fast_client.fetch_ticker("BTC/USDT")
    assert ticker["last"] == 30000
    assert exchange_emulator.calls(TICKER) == 3


async def test_bad_json_is_not_an_error_for_ccxt(
    fast_client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.inject(TICKER, "bad_json")
    ticker = await fast_client.fetch_ticker("BTC/USDT")
    assert ticker["last"] is None
    assert isinstance(ticker["info"], str)
    assert exchange_emulator.calls(TICKER) == 1


async def test_latency_delays_but_answers(
    fast_client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.inject(TICKER, "latency", ms=80)
    started = time.perf_counter()
    ticker = await fast_client.fetch_ticker("BTC/USDT")
    assert time.perf_counter() - started >= 0.08
    assert ticker["last"] == 30000


async def test_timeout_after_accept_stores_the_order_which_is_found_by_client_id(
    fast_client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.inject(ORDER, "timeout_after_accept")
    params = {"clientOrderId": "cb-ambiguous-1"}
    with pytest.raises(ccxt.RequestTimeout):
        await fast_client.create_order("BTC/USDT", "limit", "buy", 0.01, 29000, params)
    assert exchange_emulator.order("cb-ambiguous-1").status == "NEW"

    found = await fast_client.fetch_order(None, "BTC/USDT", {"origClientOrderId": "cb-ambiguous-1"})
    assert found["status"] == "open"
    assert found["amount"] == 0.01

    with pytest.raises(ccxt.InvalidOrder, match="Duplicate order sent"):
        await fast_client.create_order("BTC/USDT", "limit", "buy", 0.01, 29000, params)
    assert len(exchange_emulator.snapshot().orders) == 1
    assert exchange_emulator.calls(ORDER) == 2


async def test_timeout_before_accept_stores_nothing(
    fast_client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.inject(ORDER, "timeout_before_accept")
    with pytest.raises(ccxt.RequestTimeout):
        await fast_client.create_order(
            "BTC/USDT", "market", "buy", 0.01, None, {"clientOrderId": "cb-lost"}
        )
    with pytest.raises(ccxt.OrderNotFound):
        await fast_client.fetch_order(None, "BTC/USDT", {"origClientOrderId": "cb-lost"})
    assert exchange_emulator.snapshot().orders == {}


async def test_dropped_order_connection_is_exchange_not_available_but_order_exists(
    fast_client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.inject(ORDER, "timeout_after_accept", mode="drop")
    with pytest.raises(ccxt.ExchangeNotAvailable):
        await fast_client.create_order(
            "BTC/USDT", "market", "buy", 0.01, None, {"clientOrderId": "cb-dropped"}
        )
    assert exchange_emulator.calls(ORDER) == 1
    assert exchange_emulator.order("cb-dropped").status == "FILLED"


async def test_bad_json_order_reply_hides_an_accepted_order(
    fast_client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.inject(ORDER, "bad_json")
    order = await fast_client.create_order(
        "BTC/USDT", "market", "buy", 0.01, None, {"clientOrderId": "cb-garbled"}
    )
    assert order["id"] is None
    assert exchange_emulator.order("cb-garbled").status == "FILLED"


async def test_fault_applies_only_the_given_number_of_times(
    fast_client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.inject(TICKER, "http_503", times=2)
    for _ in range(2):
        with pytest.raises(ccxt.ExchangeNotAvailable):
            await fast_client.fetch_ticker("BTC/USDT")
    assert await fast_client.fetch_ticker("BTC/USDT")
    assert exchange_emulator.pending_faults() == []
    assert [r.status for r in exchange_emulator.requests(TICKER)] == [503, 503, 200]


async def test_wildcard_fault_hits_any_endpoint_until_cleared(
    fast_client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.inject("*", "http_502", times=None)
    with pytest.raises(ccxt.ExchangeNotAvailable):
        await fast_client.fetch_balance()
    with pytest.raises(ccxt.ExchangeNotAvailable):
        await fast_client.fetch_ticker("ETH/USDT")
    exchange_emulator.clear_faults()
    assert (await fast_client.fetch_balance())["USDT"]["free"] == 10000


def test_inject_rejects_unknown_faults_and_options(exchange_emulator: ExchangeEmulator) -> None:
    with pytest.raises(ValueError, match="http_999"):
        exchange_emulator.inject(TICKER, "http_999")
    with pytest.raises(ValueError, match="no option"):
        exchange_emulator.inject(TICKER, "latency", seconds=1)
    with pytest.raises(ValueError, match="cannot apply"):
        exchange_emulator.inject(TICKER, "drop_websocket")
    with pytest.raises(ValueError, match="times"):
        exchange_emulator.inject(TICKER, "http_500", times=0)
