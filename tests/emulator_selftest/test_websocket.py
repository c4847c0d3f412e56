"""ccxt.pro against the emulator's websocket streams: tickers, klines, dropped connections."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import ccxt
import pytest

from tests.emulator.emulator import ExchangeEmulator

WAIT_S = 5


async def _next_message(socket: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    message = await asyncio.wait_for(socket.receive_json(), WAIT_S)
    assert isinstance(message, dict)
    return message


async def test_watch_ticker_gets_a_snapshot_then_every_price_move(
    pro_client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.set_price("BTC/USDT", "30000")
    first = await asyncio.wait_for(pro_client.watch_ticker("BTC/USDT"), WAIT_S)
    assert first["last"] == 30000
    assert first["info"]["e"] == "24hrMiniTicker"
    for price in ("30100.5", "29950", "30000.01"):
        pending = asyncio.ensure_future(pro_client.watch_ticker("BTC/USDT"))
        await asyncio.sleep(0)
        await asyncio.to_thread(exchange_emulator.set_price, "BTC/USDT", price)
        ticker = await asyncio.wait_for(pending, WAIT_S)
        assert ticker["last"] == float(price)
    subscriptions = exchange_emulator.requests("WS SUBSCRIBE")
    assert [r.params["params"] for r in subscriptions] == ["btcusdt@miniTicker"]
    assert exchange_emulator.calls("WS SUBSCRIBE") == 1


async def test_watch_ohlcv_follows_the_forming_and_closing_candle(
    pro_client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    candles = await asyncio.wait_for(pro_client.watch_ohlcv("ETH/USDT", "1h"), WAIT_S)
    opened = int(candles[-1][0])
    pending = asyncio.ensure_future(pro_client.watch_ohlcv("ETH/USDT", "1h"))
    await asyncio.sleep(0)
    await asyncio.to_thread(exchange_emulator.set_price, "ETH/USDT", "99999")
    candles = await asyncio.wait_for(pending, WAIT_S)
    assert candles[-1][0] == opened
    assert candles[-1][2] == 99999  # high
    assert candles[-1][4] == 99999  # close

    pending = asyncio.ensure_future(pro_client.watch_ohlcv("ETH/USDT", "1h"))
    await asyncio.sleep(0)
    await asyncio.to_thread(exchange_emulator.close_candle, "ETH/USDT", "1h")
    candles = await asyncio.wait_for(pending, WAIT_S)
    assert candles[-1][0] == opened  # the closed bar comes first
    pending = asyncio.ensure_future(pro_client.watch_ohlcv("ETH/USDT", "1h"))
    await asyncio.sleep(0)
    await asyncio.to_thread(exchange_emulator.set_price, "ETH/USDT", "100000")
    candles = await asyncio.wait_for(pending, WAIT_S)
    assert candles[-1][0] == opened + 3_600_000
    assert candles[-1][1:5] == [99999, 100000, 99999, 100000]  # opens at the last close

    rest = await pro_client.fetch_ohlcv("ETH/USDT", "1h", limit=2)
    assert [int(c[0]) for c in rest] == [opened, opened + 3_600_000]
    assert [rest[0][4], rest[1][4]] == [99999, 100000]


async def test_drop_websocket_fault_closes_the_connection(
    pro_client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.inject("WS", "drop_websocket")
    with pytest.raises(ccxt.NetworkError):
        await asyncio.wait_for(pro_client.watch_ticker("BTC/USDT"), WAIT_S)
    ticker = await asyncio.wait_for(pro_client.watch_ticker("BTC/USDT"), WAIT_S)
    assert ticker["symbol"] == "BTC/USDT"


async def test_drop_websockets_cuts_open_subscriptions(
    pro_client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    await asyncio.wait_for(pro_client.watch_ticker("BTC/USDT"), WAIT_S)
    assert exchange_emulator.websocket_connections == 1
    pending = asyncio.ensure_future(pro_client.watch_ticker("BTC/USDT"))
    await asyncio.sleep(0)
    assert await asyncio.to_thread(exchange_emulator.drop_websockets) == 1
    with pytest.raises(ccxt.NetworkError):
        await asyncio.wait_for(pending, WAIT_S)


async def test_raw_protocol_subscribe_reply_and_combined_stream(
    exchange_emulator: ExchangeEmulator,
) -> None:
    exchange_emulator.set_price("BTC/USDT", "30000")
    url = f"{exchange_emulator.ws_url}/stream"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as socket:
        await socket.send_str(
            json.dumps({"method": "SUBSCRIBE", "params": ["btcusdt@kline_5m"], "id": 7})
        )
        assert await _next_message(socket) == {"result": None, "id": 7}
        snapshot = await _next_message(socket)
        assert snapshot["stream"] == "btcusdt@kline_5m"
        assert snapshot["data"]["k"]["i"] == "5m"
        assert snapshot["data"]["k"]["x"] is False

        await socket.send_str(json.dumps({"method": "LIST_SUBSCRIPTIONS", "id": 8}))
        assert await _next_message(socket) == {"result": ["btcusdt@kline_5m"], "id": 8}

        await socket.send_str(json.dumps({"method": "SUBSCRIBE", "params": ["x@depth"], "id": 9}))
        error = await _next_message(socket)
        assert error["id"] == 9
        assert error["error"]["code"] == 2


async def test_raw_stream_path_subscribes_without_a_message(
    exchange_emulator: ExchangeEmulator,
) -> None:
    exchange_emulator.set_price("ETH/BTC", "0.05")
    url = f"{exchange_emulator.ws_url}/ws/ethbtc@miniTicker"
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as socket:
        event = await _next_message(socket)
        assert event["e"] == "24hrMiniTicker"
        assert event["c"] == "0.05000000"
