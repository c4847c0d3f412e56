"""History download: pages, resume after an interruption, de-duplication, closed candles only."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

from app.exchange.ccxt_adapter import CcxtExchange
from app.exchange.download import DownloadProgress, download_candles
from app.storage.candles import CandleStore
from app.storage.database import Database
from tests.emulator.emulator import ExchangeEmulator

FIVE_MIN = 300_000
KLINES = "GET /api/v3/klines"


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[CandleStore]:
    database = Database(f"sqlite:///{tmp_path / 'candles.db'}")
    database.migrate()
    yield CandleStore(database)
    database.dispose()


@pytest.fixture()
def btc_5m(data_dir: Path) -> pd.DataFrame:
    return pd.read_csv(data_dir / "btc_usdt_5m.csv")


class Interrupt(Exception):
    pass


async def test_downloads_10000_candles_across_pages_and_resumes_after_interruption(
    make_ccxt: Callable[..., CcxtExchange],
    exchange_emulator: ExchangeEmulator,
    store: CandleStore,
    btc_5m: pd.DataFrame,
) -> None:
    exchange = make_ccxt()
    stamps = btc_5m["timestamp"].to_numpy()
    since, until = int(stamps[-12_500]), int(stamps[-500])  # 12,000 candles
    seen: list[DownloadProgress] = []

    def stop_after_five_pages(progress: DownloadProgress) -> None:
        seen.append(progress)
        if progress.requests == 5:
            raise Interrupt

    args = {"exchange": "binance", "symbol": "BTC/USDT", "timeframe": "5m", "since": since}
    with pytest.raises(Interrupt):
        await download_candles(exchange, store, **args, until=until, progress=stop_after_five_pages)
    assert store.last_timestamp("binance", "BTC/USDT", "5m") == int(stamps[-12_500 + 4999])
    assert [round(p.fraction, 3) for p in seen] == [0.083, 0.167, 0.25, 0.333, 0.417]

    exchange_emulator.reset_counters()
    result = await download_candles(exchange, store, **args, until=until)
    assert result.resumed
    assert result.stored == 7_000
    assert exchange_emulator.calls(KLINES) == 7
    frame = store.load("binance", "BTC/USDT", "5m")
    assert len(frame) == 12_000
    expected = btc_5m.iloc[-12_500:-500].reset_index(drop=True)
    assert frame["timestamp"].tolist() == expected["timestamp"].tolist()
    assert frame["close"].tolist() == expected["close"].tolist()


async def test_forming_candle_is_not_stored_and_nothing_is_stored_twice(
    make_ccxt: Callable[..., CcxtExchange],
    exchange_emulator: ExchangeEmulator,
    store: CandleStore,
    btc_5m: pd.DataFrame,
) -> None:
    exchange = make_ccxt()
    stamps = btc_5m["timestamp"].to_numpy()
    now = int(stamps[-1]) + 60_000  # the last candle is still forming
    args = {"exchange": "binance", "symbol": "BTC/USDT", "timeframe": "5m"}
    first = await download_candles(
        exchange, store, **args, since=int(stamps[-30]), clock=lambda: now
    )
    assert first.stored == 29
    assert store.last_timestamp("binance", "BTC/USDT", "5m") == int(stamps[-2])
    later = now + FIVE_MIN  # the candle closed
    again = await download_candles(
        exchange, store, **args, since=int(stamps[-30]), clock=lambda: later
    )
    assert again.stored == 1
    assert len(store.load("binance", "BTC/USDT", "5m")) == 30
