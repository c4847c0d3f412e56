"""CcxtExchange market data against the emulator: markets, candles, tickers, websockets."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from app.core.errors import BadSymbol, ConfigError
from app.exchange.ccxt_adapter import CcxtExchange
from app.exchange.ccxt_config import build_ccxt_config
from app.exchange.credentials import Credentials
from tests.emulator.emulator import ExchangeEmulator
from tests.exchange.conftest import RecordingSleep

D = Decimal
MakeCcxt = Callable[..., CcxtExchange]


async def test_markets_are_loaded_once_with_decimal_precision_and_limits(
    make_ccxt: MakeCcxt, exchange_emulator: ExchangeEmulator
) -> None:
    exchange = make_ccxt()
    markets = await exchange.load_markets()
    await exchange.load_markets()
    assert exchange_emulator.recorder.counts() == {"GET /api/v3/exchangeInfo": 1}
    btc = markets["BTC/USDT"]
    assert (btc.base, btc.quote) == ("BTC", "USDT")
    assert btc.tick_size == D("0.01")
    assert btc.step_size == D("0.00001")
    assert btc.min_notional == D(5)
    await exchange.load_markets(reload=True)
    assert exchange_emulator.calls("GET /api/v3/exchangeInfo") == 2
    with pytest.raises(BadSymbol, match="DOGE/EUR"):
        await exchange.market("DOGE/EUR")


async def test_fetch_ohlcv_and_ticker(
    make_ccxt: MakeCcxt, exchange_emulator: ExchangeEmulator, data_dir: Path
) -> None:
    exchange = make_ccxt()
    frame = pd.read_csv(data_dir / "btc_usdt_1h.csv")
    since = int(frame["timestamp"].iloc[10])
    candles = await exchange.fetch_ohlcv("BTC/USDT", "1h", since=since, limit=3)
    assert [c.timestamp for c in candles] == frame["timestamp"].iloc[10:13].tolist()
    assert [c.close for c in candles] == frame["close"].iloc[10:13].tolist()
    exchange_emulator.set_price("BTC/USDT", "25000.5")
    assert await exchange.fetch_ticker("BTC/USDT") == D("25000.5")


async def test_watch_ticker_uses_the_websocket(
    make_ccxt: MakeCcxt, exchange_emulator: ExchangeEmulator
) -> None:
    exchange = make_ccxt()
    exchange_emulator.set_price("BTC/USDT", "30000")
    await exchange.load_markets()
    exchange_emulator.reset_counters()
    first = await asyncio.wait_for(exchange.watch_ticker("BTC/USDT"), 5)
    assert first == D(30000)
    pending = asyncio.create_task(exchange.watch_ticker("BTC/USDT"))
    await asyncio.sleep(0.05)
    await asyncio.to_thread(exchange_emulator.set_price, "BTC/USDT", "30123.45")
    assert await asyncio.wait_for(pending, 5) == D("30123.45")
    assert exchange_emulator.websocket_connections == 1
    assert exchange_emulator.calls("GET /api/v3/ticker/24hr") == 0


async def test_dropped_websocket_falls_back_to_rest_polling(
    make_ccxt: MakeCcxt, exchange_emulator: ExchangeEmulator, fake_sleep: RecordingSleep
) -> None:
    exchange = make_ccxt(poll_interval=2.5)
    exchange_emulator.set_price("BTC/USDT", "30000")
    exchange_emulator.inject("WS", "drop_websocket", times=1)
    assert await asyncio.wait_for(exchange.watch_ticker("BTC/USDT"), 5) == D(30000)
    assert exchange_emulator.calls("GET /api/v3/ticker/24hr") == 1
    exchange_emulator.set_price("BTC/USDT", "30010")
    assert await exchange.watch_ticker("BTC/USDT") == D(30010)  # polled, after a pause
    assert fake_sleep.delays == [2.5]
    assert exchange_emulator.calls("GET /api/v3/ticker/24hr") == 2


async def test_polling_only_when_websockets_are_disabled(
    make_ccxt: MakeCcxt, exchange_emulator: ExchangeEmulator, fake_sleep: RecordingSleep
) -> None:
    exchange = make_ccxt(use_websocket=False, poll_interval=1.0)
    exchange_emulator.set_price("BTC/USDT", "30000")
    assert await exchange.watch_ticker("BTC/USDT") == D(30000)
    assert fake_sleep.delays == [1.0]
    assert exchange_emulator.websocket_connections == 0


def test_constructor_validates_the_exchange_and_sandbox() -> None:
    with pytest.raises(ConfigError, match="'nosuchvenue' is not an exchange ccxt supports"):
        CcxtExchange("nosuchvenue")
    with pytest.raises(ConfigError, match="has no testnet"):
        CcxtExchange("bitfinex", sandbox=True)


async def test_sandbox_mode_points_at_the_testnet() -> None:
    exchange = CcxtExchange("binance", sandbox=True)
    try:
        assert "testnet" in str(exchange.client.urls["api"]["public"])
    finally:
        await exchange.close()


def test_config_merges_venue_defaults_user_config_and_credentials() -> None:
    secret = Credentials(api_key="key-123", secret="very-secret", password="pass")
    config = build_ccxt_config(
        "binance",
        {"options": {"defaultType": "spot"}, "timeout": 5000, "enableRateLimit": False},
        secret,
    )
    assert config["options"] == {
        "warnOnFetchOpenOrdersWithoutSymbol": False,
        "defaultType": "spot",
    }
    assert config["timeout"] == 5000
    assert config["enableRateLimit"] is False
    assert (config["apiKey"], config["secret"], config["password"]) == (
        "key-123",
        "very-secret",
        "pass",
    )
    assert "very-secret" not in repr(secret) and "key-123" not in repr(secret)
