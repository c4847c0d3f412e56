"""`cryptobot run` as a real process: offline paper trading, clean stop on SIGTERM."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_run_without_settings_trades_offline_and_stops_cleanly_on_sigterm(
    isolated_home: Path,
) -> None:
    env = {**os.environ, "CRYPTOBOT_HOME": str(isolated_home), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "run", "--status-every", "0.2"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("status:"):
                break
        assert any("offline paper trading on the bundled demo data" in x for x in lines), lines
        assert any(x.startswith("running in offline mode") for x in lines), lines
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "stopped cleanly" in out
    database = isolated_home / "data" / "cryptobot.sqlite"
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        statuses = {row[0] for row in connection.execute("SELECT status FROM orders")}
    assert statuses <= {"pending_submit", "open", "filled", "canceled", "rejected", "expired"}
    assert "pending_submit" not in statuses


def test_live_mode_without_confirmation_is_refused_with_the_fix(
    isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main

    assert main(["run", "--mode", "live"]) == 1
    assert "confirm live trading in the app" in capsys.readouterr().err


def test_an_unreadable_config_file_is_refused_with_its_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main

    config = tmp_path / "broken.toml"
    config.write_text("[general\nmode = ", encoding="utf-8")
    assert main(["run", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert str(config) in err and "cannot read the settings file" in err


def test_a_config_file_with_bad_values_lists_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main

    config = tmp_path / "settings.toml"
    config.write_text('[general]\nmode = "moon"\n', encoding="utf-8")
    assert main(["run", "--config", str(config)]) == 1
    assert "general.mode" in capsys.readouterr().err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_while_trading_at_full_speed_leaves_a_consistent_store(
    isolated_home: Path, tmp_path: Path
) -> None:
    from dataclasses import replace

    from app.config.paths import AppPaths
    from app.config.schema import Settings
    from app.config.store import save_settings

    base = Settings()
    folder = tmp_path / "cfg"
    paths = AppPaths(folder, folder, folder, folder, folder)
    config = save_settings(replace(base, replay=replace(base.replay, speed=0.0)), paths)
    env = {**os.environ, "CRYPTOBOT_HOME": str(isolated_home), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "run", "--config", str(config), "--status-every", "0.5"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    database = isolated_home / "data" / "cryptobot.sqlite"
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line or line.startswith("status:"):
                break
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _count(database, "fills") < 4:
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0 and "stopped cleanly" in out
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        orders = connection.execute("SELECT client_order_id, status, filled FROM orders").fetchall()
        fills: dict[str, Decimal] = {}
        for client_order_id, amount in connection.execute(
            "SELECT client_order_id, amount FROM fills"
        ):
            fills[client_order_id] = fills.get(client_order_id, Decimal(0)) + Decimal(amount)
        submitted = connection.execute(
            "SELECT COUNT(*) FROM audit_log WHERE kind = 'order_submitting'"
        ).fetchone()[0]
    assert len(fills) >= 4
    assert submitted == len(orders)
    for client_order_id, status, filled in orders:
        assert status in ("open", "filled"), (client_order_id, status)
        if status == "filled":
            assert fills[client_order_id] == Decimal(filled)


def _count(database: Path, table: str) -> int:
    if not database.exists():
        return 0
    try:
        with sqlite3.connect(database) as connection:
            return int(connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
    except sqlite3.OperationalError:
        return 0
