"""Real ccxt against the emulator: markets, candles across pages, tickers, order book."""

from __future__ import annotations

from typing import Any

import ccxt.async_support as ccxt_async
import pandas as pd

from tests.emulator.emulator import ExchangeEmulator

HOUR_MS = 3_600_000
FIVE_MIN_MS = 300_000


async def test_load_markets_calls_only_exchange_info(exchange_emulator: ExchangeEmulator) -> None:
    exchange = ccxt_async.binance(exchange_emulator.ccxt_config())
    try:
        markets = await exchange.load_markets()
    finally:
        await exchange.close()
    assert exchange_emulator.recorder.counts() == {"GET /api/v3/exchangeInfo": 1}
    btc = markets["BTC/USDT"]
    assert btc["id"] == "BTCUSDT"
    assert btc["spot"] is True
    assert btc["active"] is True
    assert btc["precision"]["price"] == 0.01
    assert btc["precision"]["amount"] == 0.00001
    assert btc["limits"]["cost"]["min"] == 5
    assert set(markets) == {"BTC/USDT", "ETH/USDT", "ETH/BTC"}


async def test_fetch_ohlcv_pages_through_10000_candles(
    client: Any, exchange_emulator: ExchangeEmulator, data_dir: Any
) -> None:
    frame = pd.read_csv(data_dir / "btc_usdt_5m.csv")
    since = int(frame["timestamp"].iloc[0])
    candles: list[list[float]] = []
    cursor = since
    for _ in range(20):
        page = await client.fetch_ohlcv("BTC/USDT", "5m", since=cursor, limit=1000)
        if not page:
            break
        candles.extend(page)
        cursor = int(page[-1][0]) + FIVE_MIN_MS
        if len(candles) >= 12_000:
            break
    assert len(candles) == 12_000
    assert exchange_emulator.calls("GET /api/v3/klines") == 12
    stamps = [int(c[0]) for c in candles]
    assert stamps == sorted(set(stamps))
    expected = frame.iloc[:12_000]
    assert stamps == [int(t) for t in expected["timestamp"]]
    assert [c[4] for c in candles[:3]] == [float(x) for x in expected["close"].iloc[:3]]


async def test_fetch_ohlcv_default_returns_latest_500(client: Any, data_dir: Any) -> None:
    frame = pd.read_csv(data_dir / "btc_usdt_1h.csv")
    candles = await client.fetch_ohlcv("BTC/USDT", "1h")
    assert len(candles) == 500
    assert int(candles[-1][0]) == int(frame["timestamp"].iloc[-1])


async def test_fetch_ohlcv_without_data_is_empty(client: Any) -> None:
    assert await client.fetch_ohlcv("ETH/USDT", "1d") == []


async def test_fetch_ticker_reports_the_last_price(
    client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.set_price("BTC/USDT", "25000.5")
    ticker = await client.fetch_ticker("BTC/USDT")
    assert ticker["last"] == 25000.5
    assert ticker["bid"] < ticker["last"] < ticker["ask"]
    book = await client.fetch_order_book("BTC/USDT", limit=5)
    assert book["bids"][0][0] == 25000.49
    assert book["asks"][0][0] == 25000.51
