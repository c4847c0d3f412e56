"""``cryptobot data``: import, list and export against the real shared candles, in process."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.cli import data as data_cli
from app.cli import main

BTC = ["--exchange", "binance", "--symbol", "BTC/USDT", "--timeframe", "1h"]


def _import(path: Path, *series: str) -> int:
    return main(["data", "import", str(path), *(series or BTC)])


def test_import_twice_stores_once_and_reports_range_and_gaps(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(data_dir / "btc_usdt_1h.csv") == 0
    first = capsys.readouterr().out
    assert (
        "stored 5,482 new candles for binance BTC/USDT 1h (0 already present); "
        "range 2020-12-01 00:00 .. 2021-07-17 20:00 UTC; 6 gaps"
    ) in first
    assert _import(data_dir / "btc_usdt_1h.csv") == 0
    assert "stored 0 new candles for binance BTC/USDT 1h (5,482 already present)" in (
        capsys.readouterr().out
    )


def test_list_shows_series_range_and_gaps(
    data_dir: Path, isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["data", "list"]) == 0
    assert "no candles stored" in capsys.readouterr().out
    _import(data_dir / "btc_usdt_1h.csv")
    _import(
        data_dir / "eth_btc_5m.csv",
        "--exchange",
        "binance",
        "--symbol",
        "ETH/BTC",
        "--timeframe",
        "5m",
    )
    capsys.readouterr()
    assert main(["data", "list", "--gaps"]) == 0
    out = capsys.readouterr().out
    rows = [re.split(r"\s{2,}", line.strip()) for line in out.splitlines()]
    btc = ["binance", "BTC/USDT", "1h", "5,482", "2020-12-01 00:00", "2021-07-17 20:00", "6"]
    eth = ["binance", "ETH/BTC", "5m", "5,760", "2018-01-10 04:55", "2018-01-30 04:50", "0"]
    assert btc in rows
    assert eth in rows
    assert "binance BTC/USDT 1h: 6 gaps, 11 missing bars" in out
    assert "after 2020-12-21 14:00, next 2020-12-21 18:00 UTC: 3 missing bars" in out
    assert (isolated_home / "data" / "cryptobot.sqlite").is_file()


def test_export_round_trips_byte_identically(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _import(data_dir / "btc_usdt_1h.csv")
    out = tmp_path / "export" / "btc.csv"
    assert main(["data", "export", *BTC, "--output", str(out)]) == 0
    assert out.read_bytes() == (data_dir / "btc_usdt_1h.csv").read_bytes()
    assert "wrote 5,482 candles of binance BTC/USDT 1h" in capsys.readouterr().out


def test_export_range_is_inclusive_and_never_overwrites_silently(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _import(data_dir / "btc_usdt_1h.csv")
    out = tmp_path / "day.csv"
    args = ["data", "export", *BTC, "--start", "2021-01-01", "--end", "2021-01-02", "-o", str(out)]
    assert main(args) == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 1 + 25
    assert lines[1].startswith("1609459200000,")
    assert lines[-1].startswith("1609545600000,")
    out.write_text("precious")
    assert main(args) == 1
    assert "already exists" in capsys.readouterr().err
    assert out.read_text() == "precious"
    assert main([*args, "--force"]) == 0


def test_export_of_nothing_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "export", *BTC, "--output", str(tmp_path / "x.csv")]) == 1
    assert "no candles stored for binance BTC/USDT 1h" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_bad_file_is_refused_with_its_line_and_nothing_is_stored(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = (data_dir / "btc_usdt_1h.csv").read_text().splitlines()
    parts = lines[16].split(",")
    parts[2], parts[3] = parts[3], parts[2]  # swap high and low on line 17
    lines[16] = ",".join(parts)
    bad = tmp_path / "btc.csv"
    bad.write_text("\n".join(lines) + "\n")
    assert _import(bad) == 1
    err = capsys.readouterr().err
    assert f"btc.csv line 17: high {float(parts[2])!r} is below low {float(parts[3])!r}" in err
    assert "nothing was imported" in err
    assert main(["data", "list"]) == 0
    assert "no candles stored" in capsys.readouterr().out


def test_wrong_timeframe_is_caught_by_alignment(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        _import(
            data_dir / "btc_usdt_1h.csv",
            "--exchange",
            "binance",
            "--symbol",
            "BTC/USDT",
            "--timeframe",
            "1d",
        )
        == 1
    )
    assert "line 3: timestamp 1606784400000 is not aligned to the 1d timeframe" in (
        capsys.readouterr().err
    )


def test_invalid_timeframe_is_a_usage_error(data_dir: Path) -> None:
    with pytest.raises(SystemExit) as exited:
        _import(
            data_dir / "btc_usdt_1h.csv",
            "--exchange",
            "binance",
            "--symbol",
            "BTC/USDT",
            "--timeframe",
            "hourly",
        )
    assert exited.value.code == 2


def test_data_plugins_register_their_subcommands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data_cli, "DATA_SUBCOMMAND_MODULES", ("tests.cli.plugin_download",))
    assert main(["data", "download-demo", "--marker", "7"]) == 7


def test_delete_needs_confirmation(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _import(data_dir / "btc_usdt_1h.csv")
    assert main(["data", "delete", *BTC]) == 1
    assert "add --yes to confirm" in capsys.readouterr().err
    assert main(["data", "delete", *BTC, "--yes"]) == 0
    assert "deleted 5,482 candles of binance BTC/USDT 1h" in capsys.readouterr().out
    assert main(["data", "delete", *BTC, "--yes"]) == 1
    assert main(["data", "list"]) == 0
    assert "no candles stored" in capsys.readouterr().out


def test_database_url_from_environment_is_used(
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "elsewhere" / "candles.db"
    monkeypatch.setenv("CRYPTOBOT_DB_URL", f"sqlite:///{target}")
    assert _import(data_dir / "btc_usdt_1h.csv") == 0
    assert target.is_file()
    main(["data", "list"])
    assert str(target) in capsys.readouterr().out


def test_exchange_ids_are_case_insensitive(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _import(data_dir / "btc_usdt_1h.csv")
    capsys.readouterr()
    upper = ["--exchange", "Binance", "--symbol", "BTC/USDT", "--timeframe", "1h"]
    assert _import(data_dir / "btc_usdt_1h.csv", *upper) == 0
    assert "stored 0 new candles for binance BTC/USDT 1h" in capsys.readouterr().out
