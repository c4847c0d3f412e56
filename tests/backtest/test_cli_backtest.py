"""``cryptobot backtest`` end to end: CSV and stored candles, JSON, report, lookahead check."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from app.backtest import run_backtest
from app.cli import main
from app.cli.data import open_database
from app.storage.repositories.runs import BacktestRunRepository

PEEKING_STRATEGY = '''
import pandas as pd
from app.strategies.base import BaseStrategy, SignalFrame


class Peeker(BaseStrategy):
    """Buys before rises it can only know from the next bar."""

    name = "peeker"
    title = "Peeker"
    description = "Uses the next close."

    @classmethod
    def get_parameters(cls):
        return ()

    def generate_signals(self, data: pd.DataFrame) -> SignalFrame:
        close = data["close"]
        nxt = close.shift(-1)
        return SignalFrame(
            entries=(nxt > close).to_numpy(dtype=bool), exits=(nxt < close).to_numpy(dtype=bool)
        )
'''


def test_csv_backtest_prints_a_summary_and_writes_json_and_report(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_json, out_html = tmp_path / "run.json", tmp_path / "run.html"
    code = main([
        "backtest", "--strategy", "sma_cross", "--data", str(data_dir / "btc_usdt_1h.csv"),
        "--param", "fast=12", "--cash", "10000", "--fee", "0.001", "--size", "0.1",
        "--json", str(out_json), "--report", str(out_html), "--check-lookahead",
    ])  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    assert "Backtest sma_cross (fast=12" in printed
    assert "lookahead check: no signal changed" in printed
    payload = json.loads(out_json.read_text())
    expected = run_backtest(
        "sma_cross", pd.read_csv(data_dir / "btc_usdt_1h.csv"), params={"fast": 12}, size="0.1"
    )
    assert payload["num_trades"] == expected.num_trades
    assert payload["final_equity"] == float(expected.final_equity)
    assert payload["lookahead"]["peeks"] is False
    assert f"{payload['num_trades']:,} closed" in printed
    assert out_html.read_text().startswith("<!DOCTYPE html>")
    # the run is kept in the local database with its summary and full result
    assert "saved as backtest run" in printed
    database = open_database()
    try:
        (stored,) = BacktestRunRepository(database).list()
        full = BacktestRunRepository(database).get(stored.id or 0)
    finally:
        database.dispose()
    assert (stored.strategy, stored.exchange, stored.symbol, stored.timeframe) == (
        "sma_cross", "csv", "btc_usdt_1h.csv", "1h",
    )  # fmt: skip
    assert stored.summary["num_trades"] == expected.num_trades
    assert full is not None and full.result is not None
    assert len(full.result["trades"]) == expected.num_trades


def test_lookahead_check_fails_a_peeking_user_strategy(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "strategies"
    folder.mkdir()
    (folder / "peeker.py").write_text(PEEKING_STRATEGY)
    code = main([
        "backtest", "--strategy", "peeker", "--strategies-dir", str(folder),
        "--data", str(data_dir / "eth_btc_5m.csv"), "--size", "1", "--check-lookahead",
        "--no-save",
    ])  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 1
    assert "LOOKAHEAD: strategy peeker peeks at future data" in printed
    assert "with all data, False with data up to" in printed


def test_backtest_from_stored_candles_with_a_date_range(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = data_dir / "eth_usdt_1h.csv"
    assert main([
        "data", "import", str(source), "--exchange", "binance", "--symbol", "ETH/USDT",
        "--timeframe", "1h",
    ]) == 0  # fmt: skip
    out_json = tmp_path / "stored.json"
    code = main([
        "backtest", "--strategy", "rsi_revert", "--exchange", "binance", "--symbol", "ETH/USDT",
        "--timeframe", "1h", "--start", "2021-01-01", "--end", "2021-03-31T23:00",
        "--stake-pct", "50", "--json", str(out_json),
    ])  # fmt: skip
    capsys.readouterr()
    assert code == 0
    payload = json.loads(out_json.read_text())
    assert payload["start_time"] == 1609459200000  # 2021-01-01 00:00 UTC
    assert payload["end_time"] == 1617231600000  # 2021-03-31 23:00 UTC
    candles = pd.read_csv(source)
    window = candles[candles["timestamp"].between(1609459200000, 1617231600000)]
    expected = run_backtest("rsi_revert", window.reset_index(drop=True), stake_pct=50)
    assert payload["num_trades"] == expected.num_trades
    assert payload["final_equity"] == float(expected.final_equity)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--strategy", "nope", "--size", "1"], "unknown strategy 'nope'"),
        (["--strategy", "sma_cross", "--size", "1", "--param", "speed=3"], "unknown parameter"),
        (["--strategy", "sma_cross", "--size", "1", "--param", "fast"], "expected NAME=VALUE"),
        (["--strategy", "sma_cross", "--size", "1", "--cash", "-5"], "cash: must be greater"),
        (["--strategy", "sma_cross", "--size", "1", "--start", "2030-01-01"], "leaves 0 bars"),
    ],
)
def test_mistakes_are_reported_with_the_fix(
    arguments: list[str], message: str, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["backtest", "--data", str(data_dir / "eth_btc_5m.csv"), *arguments])
    assert code == 1
    assert message in capsys.readouterr().err


def test_missing_data_source_is_explained(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backtest", "--strategy", "sma_cross", "--size", "1"]) == 1
    assert "--data FILE.csv, or --exchange E --symbol S --timeframe T" in capsys.readouterr().err


def test_risk_preset_applies_the_limits_and_shows_the_halts(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_json = tmp_path / "risk.json"
    code = main([
        "backtest", "--strategy", "sma_cross", "--data", str(data_dir / "btc_usdt_1h.csv"),
        "--symbol", "BTC/USDT", "--stake-pct", "5", "--risk", "moderate", "--no-save",
        "--json", str(out_json),
    ])  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    payload = json.loads(out_json.read_text())
    assert payload["halted_periods"], "a 5 % stake on this year of BTC trips a breaker"
    first = payload["halted_periods"][0]
    assert f"  risk          {first['breaker']} {first['state']} from" in printed
    assert len(payload["risk_events"]) >= len(payload["halted_periods"])
    assert all(period["reason"] for period in payload["halted_periods"])
