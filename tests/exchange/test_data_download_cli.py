"""``cryptobot data download`` in-process against the emulator: fills the store, then only new."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from app.cli import main
from app.config.paths import resolve_paths
from app.config.settings import database_url, load_settings
from app.storage.candles import CandleStore
from app.storage.database import Database
from tests.emulator.emulator import ExchangeEmulator

KLINES = "GET /api/v3/klines"
HOUR = 3_600_000


def stored(symbol: str, timeframe: str) -> pd.DataFrame:
    paths = resolve_paths()
    database = Database(database_url(load_settings(paths).settings, paths))
    try:
        return CandleStore(database).load("binance", symbol, timeframe)
    finally:
        database.dispose()


def test_download_fills_the_store_and_a_second_run_fetches_only_new_candles(
    exchange_emulator: ExchangeEmulator,
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    frame = pd.read_csv(data_dir / "btc_usdt_1h.csv")
    since = int(frame["timestamp"].iloc[-2500])
    config = json.dumps(exchange_emulator.ccxt_config(timeout=5000))
    argv = ["data", "download", "--exchange", "binance", "--symbol", "BTC/USDT"]
    argv += ["--timeframe", "1h", "--since", str(since), "--ccxt-config", config]

    assert main(argv) == 0
    first = stored("BTC/USDT", "1h")
    assert first["timestamp"].tolist() == frame["timestamp"].iloc[-2500:].tolist()
    assert exchange_emulator.calls(KLINES) == 4  # 1000 + 1000 + 500, then an empty page
    out, err = capsys.readouterr()
    assert "2500 new candles stored" in out
    assert "[##############################] 100.0%" in err

    last = frame.iloc[-1]
    extra = pd.DataFrame(
        {
            "timestamp": [int(last["timestamp"]) + HOUR * k for k in (1, 2, 3)],
            "open": [30000.0] * 3,
            "high": [30100.0] * 3,
            "low": [29900.0] * 3,
            "close": [30050.0] * 3,
            "volume": [1.5] * 3,
        }
    )
    exchange_emulator.load_candles("BTC/USDT", "1h", pd.concat([frame, extra]))
    exchange_emulator.reset_counters()
    assert main([*argv, "--quiet"]) == 0
    assert exchange_emulator.calls(KLINES) == 2  # the 3 new candles, then an empty page
    second = stored("BTC/USDT", "1h")
    assert len(second) == 2503
    assert second["timestamp"].tolist()[-3:] == extra["timestamp"].tolist()
    out, err = capsys.readouterr()
    assert "3 new candles stored" in out
    assert err == ""


def test_bad_ccxt_config_is_refused_with_a_clear_message(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["data", "download", "--symbol", "BTC/USDT", "--timeframe", "1h"]
    with pytest.raises(SystemExit):
        main([*argv, "--since", "2021-01-01", "--ccxt-config", "[1, 2]"])
    assert "--ccxt-config: must be a JSON object" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([*argv, "--since", "yesterday"])
    assert "is not a date" in capsys.readouterr().err


def test_unknown_exchange_is_a_config_error(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["data", "download", "--exchange", "notanexchange", "--symbol", "BTC/USDT"]
    assert main([*argv, "--timeframe", "1h", "--since", "2021-01-01", "--quiet"]) == 1
    assert "'notanexchange' is not an exchange ccxt supports" in capsys.readouterr().err
