"""ccxt.pro's spot user data stream (WebSocket API) against the emulator: order updates and
balances pushed as they happen, also for an order whose REST reply timed out."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from typing import Any

import aiohttp
import ccxt
import ccxt.pro as ccxt_pro
import pytest

from tests.emulator.emulator import ExchangeEmulator

WAIT_S = 5


async def _next(watch: Any) -> Any:
    return await asyncio.wait_for(watch, WAIT_S)


async def _subscribed(emulator: ExchangeEmulator) -> None:
    """Wait (bounded) until the emulator has registered a user data stream subscriber."""
    for _ in range(500):
        if emulator.user_stream_subscribers:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("ccxt never subscribed to the user data stream")


async def test_watch_orders_reports_new_then_fill(
    pro_client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.set_price("BTC/USDT", "30000")
    watching = asyncio.ensure_future(pro_client.watch_orders("BTC/USDT"))
    await _subscribed(exchange_emulator)
    await pro_client.create_order(
        "BTC/USDT", "limit", "buy", 0.01, 29000, {"clientOrderId": "cb-ws-1"}
    )
    [new] = await _next(watching)
    assert (new["clientOrderId"], new["status"], new["filled"]) == ("cb-ws-1", "open", 0)

    watching = asyncio.ensure_future(pro_client.watch_orders("BTC/USDT"))
    await asyncio.sleep(0)
    await asyncio.to_thread(exchange_emulator.set_price, "BTC/USDT", "28500")
    [filled] = await _next(watching)
    assert (filled["status"], filled["filled"], filled["average"]) == ("closed", 0.01, 29000)
    assert filled["fee"] == {"currency": "USDT", "cost": 0.29}
    assert exchange_emulator.calls("WS userDataStream.subscribe.signature") == 1


async def test_watch_balance_follows_fills(
    pro_client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.set_price("ETH/USDT", "2000")
    watching = asyncio.ensure_future(pro_client.watch_balance())
    await _subscribed(exchange_emulator)
    await pro_client.create_order("ETH/USDT", "market", "sell", 1)
    balance = await _next(watching)
    assert balance["ETH"]["free"] == 4
    assert balance["USDT"]["free"] == 11998


async def test_user_stream_reports_an_order_whose_reply_timed_out(
    exchange_emulator: ExchangeEmulator,
) -> None:
    exchange = ccxt_pro.binance(exchange_emulator.ccxt_config(timeout=200))
    try:
        await exchange.load_markets()
        exchange_emulator.set_price("BTC/USDT", "30000")
        watching = asyncio.ensure_future(exchange.watch_orders("BTC/USDT"))
        await _subscribed(exchange_emulator)
        exchange_emulator.inject("POST /api/v3/order", "timeout_after_accept")
        with pytest.raises(ccxt.RequestTimeout):
            await exchange.create_order(
                "BTC/USDT", "market", "buy", 0.01, None, {"clientOrderId": "cb-ws-lost"}
            )
        updates = await _next(watching)
        assert {o["clientOrderId"] for o in updates} == {"cb-ws-lost"}
        assert exchange_emulator.order("cb-ws-lost").status == "FILLED"
    finally:
        await exchange.close()


def _subscribe_message(emulator: ExchangeEmulator, secret: str) -> str:
    params: dict[str, object] = {"apiKey": emulator.api_key, "timestamp": int(time.time() * 1000)}
    query = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    params["signature"] = hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()
    return json.dumps({"id": "1", "method": "userDataStream.subscribe.signature", "params": params})


@pytest.mark.parametrize(
    ("good_secret", "status", "code"), [(True, 200, None), (False, 400, -1022)]
)
async def test_raw_subscription_checks_the_signature(
    exchange_emulator: ExchangeEmulator, good_secret: bool, status: int, code: int | None
) -> None:
    secret = exchange_emulator.api_secret if good_secret else "wrong"
    url = f"{exchange_emulator.ws_url}/ws-api/v3"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as socket:
        await socket.send_str(_subscribe_message(exchange_emulator, secret))
        reply = await asyncio.wait_for(socket.receive_json(), WAIT_S)
    assert (reply["id"], reply["status"]) == ("1", status)
    if code is None:
        assert reply["result"] == {"subscriptionId": 0}
    else:
        assert reply["error"]["code"] == code


async def test_canceled_order_keeps_its_client_id_on_the_stream(
    pro_client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.set_price("BTC/USDT", "30000")
    order = await pro_client.create_order(
        "BTC/USDT", "limit", "sell", 0.01, 31000, {"clientOrderId": "cb-ws-cancel"}
    )
    watching = asyncio.ensure_future(pro_client.watch_orders("BTC/USDT"))
    await _subscribed(exchange_emulator)
    await pro_client.cancel_order(order["id"], "BTC/USDT")
    [canceled] = await _next(watching)
    assert (canceled["clientOrderId"], canceled["status"]) == ("cb-ws-cancel", "canceled")
    assert canceled["info"]["c"] != "cb-ws-cancel"  # Binance puts the cancel's own id in "c"
