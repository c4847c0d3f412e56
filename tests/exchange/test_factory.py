"""Building the ExchangePort for each trading mode from the settings."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from app.config.paths import resource_path
from app.config.schema import ExchangeSettings, GeneralSettings, Settings
from app.core.enums import OrderStatus, OrderType, Side, TradingMode
from app.core.errors import ConfigError
from app.core.ports import ExchangePort
from app.exchange.ccxt_adapter import CcxtExchange
from app.exchange.ccxt_config import merge_ccxt_config
from app.exchange.credentials import Credentials
from app.exchange.factory import open_exchange
from app.exchange.paper import PaperExchange
from app.exchange.paper_ledger import InMemoryLedger
from app.exchange.replay import ReplayFeed
from app.exchange.replay_data import load_csv_series

KEYS = Credentials(api_key="k", secret="s")


def test_ccxt_config_override_merges_nested_options() -> None:
    base = {"options": {"defaultType": "spot", "recvWindow": 5000}, "timeout": 10000}
    merged = merge_ccxt_config(base, {"options": {"recvWindow": 10000}, "proxies": {"http": "x"}})
    assert merged == {
        "options": {"defaultType": "spot", "recvWindow": 10000},
        "timeout": 10000,
        "proxies": {"http": "x"},
    }
    assert base["options"] == {"defaultType": "spot", "recvWindow": 5000}  # not mutated


async def test_offline_is_the_default_and_trades_bundled_data_with_no_account() -> None:
    settings = Settings()
    assert settings.general.mode is TradingMode.OFFLINE
    exchange = await open_exchange(settings, InMemoryLedger())
    try:
        assert isinstance(exchange, ExchangePort)
        assert exchange.exchange_id == "offline"
        assert isinstance(exchange, PaperExchange)
        assert isinstance(exchange.market_data, ReplayFeed)
        price = await exchange.fetch_ticker("BTC/USDT")
        assert price > 0
        balances = await exchange.fetch_balance()
        assert balances["USDT"].free == Decimal(10000)
        order = await exchange.create_order(
            "first", "BTC/USDT", Side.BUY, OrderType.MARKET, Decimal("0.001")
        )
        assert order.status is OrderStatus.OPEN
    finally:
        await exchange.close()


async def test_offline_session_resumes_the_replay_after_its_history() -> None:
    settings = replace(Settings(), replay=replace(Settings().replay, speed=0.0))
    demo = load_csv_series(resource_path("demo", settings.replay.data_file))
    ledger = InMemoryLedger()
    first = await open_exchange(settings, ledger)
    assert await first.watch_ticker("BTC/USDT") == Decimal(repr(float(demo.ohlcv[0, 0])))
    await first.create_order("a", "BTC/USDT", Side.BUY, OrderType.MARKET, Decimal("0.001"))
    for _ in range(3 * 4):  # three candles of ticks
        await first.watch_ticker("BTC/USDT")
    filled = await first.fetch_order("BTC/USDT", "a")
    assert filled.status is OrderStatus.FILLED
    await first.close()

    again = await open_exchange(settings, ledger)  # the app restarted
    resumed_at = int(demo.timestamps[1])  # the first candle after the fill
    assert await again.watch_ticker("BTC/USDT") == Decimal(repr(float(demo.ohlcv[1, 0])))
    history = await again.fetch_ohlcv("BTC/USDT", "1h")
    assert [c.timestamp for c in history] == [int(demo.timestamps[0])]
    assert filled.updated_at < resumed_at
    await again.close()


async def test_paper_mode_uses_live_prices_without_keys() -> None:
    settings = replace(Settings(), general=GeneralSettings(mode=TradingMode.PAPER))
    exchange = await open_exchange(settings, InMemoryLedger())
    assert isinstance(exchange, PaperExchange)
    await exchange.close()


async def test_testnet_forces_sandbox_and_needs_keys() -> None:
    settings = replace(
        Settings(),
        general=GeneralSettings(mode=TradingMode.TESTNET),
        exchange=ExchangeSettings(id="binance", ccxt_config={"timeout": 1234}),
    )
    with pytest.raises(ConfigError, match="needs API keys for binance"):
        await open_exchange(settings, InMemoryLedger())
    exchange = await open_exchange(
        settings, InMemoryLedger(), credentials=KEYS, ccxt_overrides={"timeout": 4321}
    )
    assert isinstance(exchange, CcxtExchange)
    assert "testnet" in str(exchange.client.urls["api"]["public"])
    assert exchange.client.timeout == 4321
    await exchange.close()


async def test_live_needs_the_typed_confirmation() -> None:
    live = replace(Settings(), general=GeneralSettings(mode=TradingMode.LIVE))
    with pytest.raises(ConfigError, match="live_confirmed"):
        await open_exchange(live, InMemoryLedger(), credentials=KEYS)
    confirmed = replace(
        Settings(), general=GeneralSettings(mode=TradingMode.LIVE, live_confirmed=True)
    )
    exchange = await open_exchange(confirmed, InMemoryLedger(), credentials=KEYS)
    assert isinstance(exchange, CcxtExchange)
    assert "testnet" not in str(exchange.client.urls["api"]["public"])
    await exchange.close()
