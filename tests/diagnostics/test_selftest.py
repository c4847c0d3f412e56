"""cryptobot self-test: each check passes on a good install and names the problem on a bad one."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from app.cli import main as cli_main
from app.config.paths import resolve_paths
from app.diagnostics import window
from app.diagnostics.checks import (
    SelfTestContext,
    check_backtest,
    check_keyring,
    check_resources,
)
from app.diagnostics.report import CheckResult, SelfTestReport, Status
from app.diagnostics.runner import CHECKS, run_check, run_self_test

ROOT = Path(__file__).resolve().parents[2]


def _context(tmp_path: Path, demo_dir: Path) -> SelfTestContext:
    paths = resolve_paths({"CRYPTOBOT_HOME": str(tmp_path / "scratch")})
    paths.ensure()
    return SelfTestContext(paths, demo_dir)


def test_report_fails_when_any_check_fails_and_names_it() -> None:
    report = SelfTestReport(
        (
            CheckResult("database", Status.PASS, "ok", 0.1),
            CheckResult("keyring", Status.WARN, "no keyring", 0.0),
            CheckResult("engine", Status.FAIL, "boom", 1.0),
        )
    )
    assert report.exit_code == 1
    assert [result.name for result in report.failed] == ["engine"]
    assert report.text().splitlines()[-1] == "self-test FAILED: engine"
    assert report.text().splitlines()[2].startswith("FAIL  engine    boom")


def test_warnings_alone_pass() -> None:
    report = SelfTestReport((CheckResult("keyring", Status.WARN, "no keyring", 0.0),))
    assert report.exit_code == 0
    assert report.text().endswith("self-test passed: 1 checks (1 warning)")


def test_database_and_backtest_pass_in_a_scratch_home_that_is_removed(
    isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch_parent = tmp_path / "tmp"
    scratch_parent.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch_parent))
    seen: list[CheckResult] = []
    report = run_self_test(["database", "backtest"], on_result=seen.append)
    assert report.ok, report.text()
    assert [result.name for result in seen] == ["database", "backtest"]
    assert "migrated to revision" in seen[0].detail
    assert "sma_cross on 500 bars" in seen[1].detail
    assert not isolated_home.exists(), "the self-test must not touch the user's own home"
    assert list(scratch_parent.iterdir()) == [], "the scratch home must be deleted"


def test_unknown_check_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown self-test check gpu"):
        run_self_test(["gpu"])


def test_keyring_with_a_backend_passes(tmp_path: Path) -> None:
    status, detail = check_keyring(_context(tmp_path, tmp_path))
    assert status is Status.PASS
    assert "system keyring" in detail


def test_missing_keyring_backend_is_a_warning_with_the_fix(tmp_path: Path) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    try:
        status, detail = check_keyring(_context(tmp_path, tmp_path))
    finally:
        keyring.set_keyring(previous)
    assert status is Status.WARN
    assert "encrypted key file" in detail


def test_keyring_without_plugin_metadata_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("importlib.metadata.entry_points", lambda group: [])
    status, detail = check_keyring(_context(tmp_path, tmp_path))
    assert status is Status.FAIL
    assert "reinstall Cryptobot" in detail


def test_backtest_without_demo_data_fails_naming_the_file(tmp_path: Path) -> None:
    empty = tmp_path / "demo"
    empty.mkdir()
    result = run_check("backtest", CHECKS["backtest"], _context(tmp_path, empty))
    assert result.status is Status.FAIL
    assert "btc_usdt_1h.csv" in result.detail


def test_backtest_on_real_candles_passes(tmp_path: Path, data_dir: Path) -> None:
    demo = tmp_path / "demo"
    demo.mkdir()
    shutil.copy(data_dir / "btc_usdt_1h.csv", demo / "btc_usdt_1h.csv")
    status, detail = check_backtest(_context(tmp_path, demo))
    assert status is Status.PASS, detail
    assert "trades, equity 10,000.00 ->" in detail


def test_engine_boots_in_offline_paper_mode(tmp_path: Path, data_dir: Path) -> None:
    result = run_check("engine", CHECKS["engine"], _context(tmp_path, data_dir))
    assert result.status is Status.PASS, result.detail
    assert "BTC/USDT replay" in result.detail
    assert "10000 USDT" in result.detail


def test_window_failure_reports_exit_code_and_stderr(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = "import sys; print('Qt platform plugin missing', file=sys.stderr); sys.exit(3)"
    monkeypatch.setattr(window, "self_command", lambda: [sys.executable, "-c", script])
    result = run_check("window", CHECKS["window"], _context(tmp_path, data_dir))
    assert result.status is Status.FAIL
    assert result.detail == (
        "the main window did not open (exit code 3): Qt platform plugin missing"
    )


def test_window_child_runs_offscreen_in_the_scratch_home(tmp_path: Path, data_dir: Path) -> None:
    context = _context(tmp_path, data_dir)
    env = window.child_environment(context, {"QT_QPA_PLATFORM": "xcb", "CRYPTOBOT_DB_URL": "x"})
    assert env["QT_QPA_PLATFORM"] == "offscreen"
    assert env["CRYPTOBOT_HOME"] == str(tmp_path / "scratch")
    assert "CRYPTOBOT_DB_URL" not in env


def test_cli_runs_the_chosen_checks(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["self-test", "--only", "database", "--only", "keyring"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("PASS  database")
    assert out[1].startswith("PASS  keyring")
    assert out[-1] == "self-test passed: 2 checks"


def test_every_check_is_offered_by_the_cli() -> None:
    assert list(CHECKS) == ["resources", "database", "keyring", "backtest", "engine", "window"]


def test_installed_resources_pass(tmp_path: Path) -> None:
    status, detail = check_resources(_context(tmp_path, tmp_path))
    assert status is Status.PASS, detail


def test_missing_theme_fails_naming_it(tmp_path: Path) -> None:
    resources = tmp_path / "resources"
    shutil.copytree(ROOT / "resources", resources)
    (resources / "styles" / "light.qss").unlink()
    context = SelfTestContext(_context(tmp_path, tmp_path).paths, tmp_path, resources)
    status, detail = check_resources(context)
    assert status is Status.FAIL
    assert "styles/light.qss" in detail and "reinstall Cryptobot" in detail


def test_engine_without_replay_data_fails_naming_the_file(tmp_path: Path) -> None:
    empty = tmp_path / "demo"
    empty.mkdir()
    result = run_check("engine", CHECKS["engine"], _context(tmp_path, empty))
    assert result.status is Status.FAIL
    assert "btc_usdt_1h.csv" in result.detail
