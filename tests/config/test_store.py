"""settings.toml on disk: first run, round trip, backup, atomic save, corruption recovery."""

from __future__ import annotations

import os
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from app.config.paths import AppPaths
from app.config.settings import (
    Settings,
    load_settings,
    save_settings,
    settings_to_dict,
    with_changes,
)
from app.core.enums import TradingMode
from app.core.errors import ConfigError


def customised() -> Settings:
    return with_changes(
        Settings(),
        {
            "general": {"mode": "paper", "symbols": ["BTC/USDT"], "first_run_done": True},
            "exchange": {"api_key_ref": "binance:main", "ccxt_config": {"timeout": 15000}},
            "paper": {"fee_rate": "0.00075", "initial_balances": {"USDT": "2500.50"}},
            "risk": {"daily_loss_pct": "2", "stop_loss_pct": "1.5"},
        },
    )


def test_missing_file_is_first_run_with_defaults(paths: AppPaths) -> None:
    loaded = load_settings(paths)
    assert loaded.first_run is True
    assert loaded.settings == Settings()
    assert loaded.warnings == []
    assert loaded.path == paths.settings_file
    assert not paths.config_dir.exists()


def test_save_then_load_round_trips_exactly(paths: AppPaths) -> None:
    settings = customised()
    written = save_settings(settings, paths)
    assert written == paths.settings_file
    loaded = load_settings(paths)
    assert loaded.first_run is False
    assert loaded.warnings == []
    assert loaded.settings == settings
    assert loaded.settings.paper.fee_rate == Decimal("0.00075")
    assert loaded.settings.general.mode is TradingMode.PAPER


def test_file_is_commented_toml_with_decimal_strings(paths: AppPaths) -> None:
    save_settings(customised(), paths)
    content = paths.settings_file.read_text(encoding="utf-8")
    assert content.startswith("# Cryptobot settings.")
    assert "keyring" in content.split("version")[0]
    assert 'fee_rate = "0.00075"' in content
    assert 'USDT = "2500.50"' in content
    assert tomllib.loads(content) == settings_to_dict(customised())


def test_hand_written_partial_file_fills_defaults(paths: AppPaths) -> None:
    paths.config_dir.mkdir(parents=True)
    paths.settings_file.write_text(
        '# my settings\n[general]\ntheme = "light"  # easier on the eyes\n'
        '[risk]\ndaily_loss_pct = "1.5"\n',
        encoding="utf-8",
    )
    loaded = load_settings(paths)
    assert loaded.settings.general.theme == "light"
    assert loaded.settings.risk.daily_loss_pct == Decimal("1.5")
    assert loaded.settings.paper == Settings().paper
    assert loaded.first_run is False


def test_previous_file_is_kept_as_backup(paths: AppPaths) -> None:
    save_settings(Settings(), paths)
    first = paths.settings_file.read_bytes()
    save_settings(customised(), paths)
    backup = paths.config_dir / "settings.toml.bak"
    assert backup.read_bytes() == first
    assert paths.settings_file.read_bytes() != first


def test_invalid_values_raise_and_leave_file_untouched(paths: AppPaths) -> None:
    paths.config_dir.mkdir(parents=True)
    original = b'[general]\nmodee = "paper"\n[risk]\ndaily_loss_pct = 250\n'
    paths.settings_file.write_bytes(original)
    with pytest.raises(ConfigError) as info:
        load_settings(paths)
    message = str(info.value)
    assert str(paths.settings_file) in message
    assert "settings.general.modee: unknown setting (did you mean 'mode'?)" in message
    assert "settings.risk.daily_loss_pct: must be between 0 and 100, got 250" in message
    assert paths.settings_file.read_bytes() == original
    assert sorted(p.name for p in paths.config_dir.iterdir()) == ["settings.toml"]


def test_corrupt_file_is_moved_aside_and_backup_restored(paths: AppPaths) -> None:
    save_settings(customised(), paths)
    save_settings(customised(), paths)  # now a valid .bak exists
    paths.settings_file.write_text("[general\nmode = ", encoding="utf-8")
    loaded = load_settings(paths)
    assert loaded.settings == customised()
    assert loaded.first_run is False
    corrupt = list(paths.config_dir.glob("settings.toml.corrupt-*"))
    assert len(corrupt) == 1
    assert corrupt[0].read_text(encoding="utf-8") == "[general\nmode = "
    assert len(corrupt[0].name) == len("settings.toml.corrupt-20260101T000000")
    assert str(corrupt[0]) in loaded.warnings[0]
    assert "settings.toml.bak" in loaded.warnings[1]
    # The backup was put back in place, so the next start is normal.
    again = load_settings(paths)
    assert again.settings == customised()
    assert again.warnings == []


def test_corrupt_file_without_backup_falls_back_to_defaults(paths: AppPaths) -> None:
    paths.config_dir.mkdir(parents=True)
    paths.settings_file.write_bytes(b"\xff\xfe not text")
    loaded = load_settings(paths)
    assert loaded.settings == Settings()
    assert loaded.first_run is True
    assert "not UTF-8" in loaded.warnings[0]
    assert "no backup" in loaded.warnings[1]
    assert not paths.settings_file.exists()
    assert len(list(paths.config_dir.glob("settings.toml.corrupt-*"))) == 1


def test_corrupt_file_with_bad_backup_uses_defaults(paths: AppPaths) -> None:
    paths.config_dir.mkdir(parents=True)
    paths.settings_file.write_text("= broken", encoding="utf-8")
    (paths.config_dir / "settings.toml.bak").write_text(
        "[risk]\ndaily_loss_pct = 250\n", encoding="utf-8"
    )
    loaded = load_settings(paths)
    assert loaded.settings == Settings()
    assert loaded.first_run is True
    assert "unusable too" in loaded.warnings[1]
    assert "settings.risk.daily_loss_pct" in loaded.warnings[1]


def test_two_corruptions_in_one_second_keep_both_files(paths: AppPaths) -> None:
    paths.config_dir.mkdir(parents=True)
    for content in ("= one", "= two"):
        paths.settings_file.write_text(content, encoding="utf-8")
        load_settings(paths)
    kept = sorted(p.read_text(encoding="utf-8") for p in paths.config_dir.glob("*.corrupt-*"))
    assert kept == ["= one", "= two"]


def test_save_refuses_secrets_and_writes_nothing(paths: AppPaths) -> None:
    leaky = with_changes(Settings(), {"exchange": {"ccxt_config": {"timeout": 1}}})
    object.__setattr__(leaky.exchange, "ccxt_config", {"secret": "s3cr3t-value"})
    with pytest.raises(ConfigError) as info:
        save_settings(leaky, paths)
    assert "settings.exchange.ccxt_config.secret" in str(info.value)
    assert "keyring" in str(info.value)
    assert not paths.settings_file.exists()


def test_save_refuses_invalid_values_and_keeps_old_file(paths: AppPaths) -> None:
    save_settings(Settings(), paths)
    before = paths.settings_file.read_bytes()
    bad = Settings()
    object.__setattr__(bad.paper, "fee_rate", Decimal(2))
    with pytest.raises(ConfigError, match=r"settings\.paper\.fee_rate"):
        save_settings(bad, paths)
    assert paths.settings_file.read_bytes() == before


def test_failed_write_keeps_old_file_and_leaves_no_temp(
    paths: AppPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_settings(Settings(), paths)
    before = paths.settings_file.read_bytes()

    def disk_full(self: Path, target: Path) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "replace", disk_full)
    with pytest.raises(ConfigError, match="No space left on device"):
        save_settings(customised(), paths)
    assert paths.settings_file.read_bytes() == before
    assert not [p for p in paths.config_dir.iterdir() if p.suffix == ".tmp"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_new_settings_file_is_private(paths: AppPaths) -> None:
    save_settings(Settings(), paths)
    assert paths.settings_file.stat().st_mode & 0o077 == 0
