"""Kline semantics (startTime/endTime/limit), custom candles and the sync ccxt client."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import ccxt
import pandas as pd
import pytest

from tests.emulator.emulator import ExchangeEmulator

HOUR_MS = 3_600_000
COLUMNS = ("timestamp", "open", "high", "low", "close", "volume")


async def _get(emulator: ExchangeEmulator, path: str, **params: Any) -> tuple[int, Any]:
    query = {k: str(v) for k, v in params.items()}
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{emulator.base_url}{path}", params=query) as reply,
    ):
        return reply.status, await reply.json()


@pytest.fixture()
def btc_1h(data_dir: Path) -> pd.DataFrame:
    return pd.read_csv(data_dir / "btc_usdt_1h.csv")


async def test_start_end_and_limit_select_like_binance(
    exchange_emulator: ExchangeEmulator, btc_1h: pd.DataFrame
) -> None:
    stamps = [int(t) for t in btc_1h["timestamp"]]
    start = stamps[100] - 1  # between bars: the first bar at or after it
    status, rows = await _get(
        exchange_emulator,
        "/api/v3/klines",
        symbol="BTCUSDT",
        interval="1h",
        startTime=start,
        endTime=stamps[109],
        limit=1000,
    )
    assert status == 200
    assert [r[0] for r in rows] == stamps[100:110]
    assert rows[0][6] == stamps[100] + HOUR_MS - 1
    assert rows[0][1:6] == [
        f"{float(btc_1h[c].iloc[100]):.8f}" for c in ("open", "high", "low", "close", "volume")
    ]

    _, rows = await _get(
        exchange_emulator,
        "/api/v3/klines",
        symbol="BTCUSDT",
        interval="1h",
        endTime=stamps[109],
        limit=3,
    )
    assert [r[0] for r in rows] == stamps[107:110]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"symbol": "BTCUSDT", "interval": "7m"}, -1120),
        ({"symbol": "DOGEUSDT", "interval": "1h"}, -1121),
        ({"symbol": "BTCUSDT", "interval": "1h", "limit": 1001}, -1130),
        ({"interval": "1h"}, -1102),
    ],
)
async def test_bad_kline_requests(
    exchange_emulator: ExchangeEmulator, params: dict[str, Any], code: int
) -> None:
    status, body = await _get(exchange_emulator, "/api/v3/klines", **params)
    assert (status, body["code"]) == (400, code)


async def test_load_candles_serves_a_frame_and_sets_the_price(
    exchange_emulator: ExchangeEmulator,
) -> None:
    frame = pd.DataFrame(
        {
            "timestamp": [0, HOUR_MS, 2 * HOUR_MS],
            "open": [1.0, 2.0, 3.0],
            "high": [1.5, 2.5, 3.5],
            "low": [0.5, 1.5, 2.5],
            "close": [2.0, 3.0, 4.25],
            "volume": [10.0, 20.0, 30.0],
        }
    )
    exchange_emulator.load_candles("ETH/BTC", "1h", frame)
    _, rows = await _get(exchange_emulator, "/api/v3/klines", symbol="ETHBTC", interval="1h")
    assert [(r[0], r[4]) for r in rows] == [
        (0, "2.00000000"),
        (HOUR_MS, "3.00000000"),
        (2 * HOUR_MS, "4.25000000"),
    ]
    _, price = await _get(exchange_emulator, "/api/v3/ticker/price", symbol="ETHBTC")
    assert price == {"symbol": "ETHBTC", "price": "4.25000000"}


def test_load_candles_refuses_unsorted_or_incomplete_frames(
    exchange_emulator: ExchangeEmulator,
) -> None:
    with pytest.raises(ValueError, match="increasing"):
        exchange_emulator.load_candles(
            "BTC/USDT",
            "1h",
            pd.DataFrame(
                {c: [2, 1] for c in ("timestamp", "open", "high", "low", "close", "volume")}
            ),
        )
    with pytest.raises(ValueError, match="lacks columns"):
        exchange_emulator.load_candles("BTC/USDT", "1h", pd.DataFrame({"timestamp": [1]}))


def test_sync_ccxt_client_works_too(exchange_emulator: ExchangeEmulator) -> None:
    exchange = ccxt.binance(exchange_emulator.ccxt_config())
    markets = exchange.load_markets()
    assert "ETH/BTC" in markets
    candles = exchange.fetch_ohlcv("ETH/BTC", "5m", limit=1000)
    assert len(candles) == 1000
    order = exchange.create_order("ETH/BTC", "market", "sell", 0.5)
    assert order["status"] == "closed"
    assert exchange_emulator.calls() == 3


def test_emulator_without_data_has_no_prices(exchange_emulator_factory: Any) -> None:
    emulator = exchange_emulator_factory(data_dir=None)
    exchange = ccxt.binance(emulator.ccxt_config())
    exchange.load_markets()
    assert exchange.fetch_ohlcv("BTC/USDT", "1h") == []
    ticker = exchange.fetch_ticker("BTC/USDT")
    assert (ticker["last"], ticker["bid"], ticker["ask"]) == (None, None, None)  # zeros dropped
