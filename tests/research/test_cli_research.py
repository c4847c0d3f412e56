"""``cryptobot optimize | walkforward | montecarlo``: summaries, JSON, progress and storage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from app.cli.data import open_database
from app.research.store import list_research_runs
from tests.research.conftest import BEST


def _data_args(data_dir: Path) -> list[str]:
    return ["--data", str(data_dir / "btc_usdt_1h.csv"), "--end", "2021-06-01", "--size", "0.1"]


def test_optimize_prints_the_table_writes_json_and_saves(
    cycle_candles: object,
    strategies_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from app.storage.candle_csv import write_candle_csv

    csv = tmp_path / "cycle.csv"
    write_candle_csv(cycle_candles, csv)  # type: ignore[arg-type]
    out = tmp_path / "opt.json"
    code = main(
        [
            "optimize",
            "--strategy",
            "cycle_phase",
            "--strategies-dir",
            str(strategies_dir),
            "--data",
            str(csv),
            "--size",
            "1",
            "--objective",
            "total_return",
            "--workers",
            "1",
            "--min-trades",
            "5",
            "--json",
            str(out),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert "best          phase=29, hold=20" in captured.out
    assert "optimize [" in captured.err and "100.0 %" in captured.err
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["best"]["params"] == BEST
    assert report["evaluated"] == 280
    database = open_database()
    try:
        runs = list_research_runs(database, "optimize")
    finally:
        database.dispose()
    assert len(runs) == 1
    assert runs[0].params == BEST
    assert runs[0].summary["objective"] == "total_return"


def test_walkforward_command(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "wf.json"
    code = main(
        [
            "walkforward",
            "--strategy",
            "sma_cross",
            *_data_args(data_dir),
            "--param",
            "fast=5:15:5",
            "--param",
            "slow=30:60:30",
            "--train",
            "1000",
            "--test",
            "500",
            "--min-trades",
            "2",
            "--workers",
            "1",
            "--json",
            str(out),
            "--no-save",
            "--no-progress",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert "walk-forward efficiency" in captured.out
    assert captured.err == ""
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["kind"] == "walkforward"
    assert report["steps"][0]["train"] == [0, 1000]


def test_montecarlo_command(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "mc.json"
    args = [
        "montecarlo",
        "--strategy",
        "sma_cross",
        *_data_args(data_dir),
        "--param",
        "fast=10",
        "--param",
        "slow=30",
        "--runs",
        "2000",
        "--seed",
        "3",
        "--ruin-pct",
        "10",
        "--workers",
        "1",
        "--json",
        str(out),
        "--no-save",
    ]
    assert main(args) == 0
    first = json.loads(out.read_text(encoding="utf-8"))
    assert main(args) == 0
    again = json.loads(out.read_text(encoding="utf-8"))
    assert "probability of a drawdown beyond 10 %" in capsys.readouterr().out
    assert first["max_drawdown_pct"] == again["max_drawdown_pct"]
    assert set(first["max_drawdown_pct"]) == {"p5", "p50", "p95"}
    assert first["runs"] == 2000


def test_bad_range_is_reported_with_the_fix(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "optimize",
            "--strategy",
            "sma_cross",
            *_data_args(data_dir),
            "--param",
            "fast=5:50",
            "--workers",
            "1",
        ]
    )
    assert code == 1
    assert "LOW:HIGH:STEP" in capsys.readouterr().err


def test_optimize_with_a_risk_preset_checks_every_run(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = [
        "optimize", "--strategy", "sma_cross", "--data", str(data_dir / "btc_usdt_1h.csv"),
        "--stake-pct", "90", "--param", "fast=5,10", "--param", "slow=30,60",
        "--workers", "1", "--min-trades", "1", "--no-save", "--no-progress",
    ]  # fmt: skip
    free_json, checked_json = tmp_path / "free.json", tmp_path / "checked.json"
    assert main([*base, "--json", str(free_json)]) == 0
    assert main([*base, "--risk", "conservative", "--json", str(checked_json)]) == 0
    capsys.readouterr()
    free = json.loads(free_json.read_text(encoding="utf-8"))
    checked = json.loads(checked_json.read_text(encoding="utf-8"))
    assert checked["settings"]["risk_limits"]["max_order_notional"] is not None
    assert free["settings"]["risk_limits"] is None
    # 90 % of equity per entry is above the preset's caps: the risk manager resizes or refuses
    final = {str(row["params"]): row["final_equity"] for row in free["results"]}
    assert len(checked["results"]) == len(final) == 4
    for row in checked["results"]:
        assert row["final_equity"] != pytest.approx(final[str(row["params"])])
