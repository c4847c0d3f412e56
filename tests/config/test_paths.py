"""Application directories: portable home, platform dirs, resources."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app.config.paths import AppPaths, resolve_paths, resource_path


def test_home_env_puts_every_directory_under_it(tmp_path: Path) -> None:
    home = tmp_path / "portable"
    paths = resolve_paths({"CRYPTOBOT_HOME": str(home)})
    assert paths == AppPaths(
        config_dir=home / "config",
        data_dir=home / "data",
        log_dir=home / "logs",
        strategies_dir=home / "strategies",
        cache_dir=home / "cache",
    )
    assert paths.settings_file == home / "config" / "settings.toml"


def test_resolving_creates_nothing_until_ensure(tmp_path: Path) -> None:
    home = tmp_path / "portable"
    paths = resolve_paths({"CRYPTOBOT_HOME": str(home)})
    assert not home.exists()
    paths.ensure()
    for directory in (paths.config_dir, paths.data_dir, paths.log_dir, paths.cache_dir):
        assert directory.is_dir()
    assert paths.strategies_dir.is_dir()
    paths.ensure()  # idempotent


def test_default_reads_process_environment(isolated_home: Path) -> None:
    assert resolve_paths().config_dir == isolated_home / "config"


def test_without_home_uses_per_user_platform_dirs() -> None:
    paths = resolve_paths({})
    for directory in (paths.config_dir, paths.data_dir, paths.log_dir, paths.cache_dir):
        assert "Cryptobot" in directory.parts
        assert directory.is_absolute()
    assert paths.strategies_dir.parent == paths.data_dir


def test_blank_home_is_ignored() -> None:
    assert resolve_paths({"CRYPTOBOT_HOME": "  "}) == resolve_paths({})


def test_paths_are_frozen(tmp_path: Path) -> None:
    paths = resolve_paths({"CRYPTOBOT_HOME": str(tmp_path)})
    with pytest.raises(AttributeError):
        paths.data_dir = tmp_path  # type: ignore[misc]


def test_resource_path_from_source_is_repo_resources() -> None:
    repo = Path(__file__).resolve().parents[2]
    expected = repo / "resources" / "demo" / "btc_usdt_1h.csv"
    assert resource_path("demo", "btc_usdt_1h.csv") == expected


def test_resource_path_in_pyinstaller_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resource_path("style.qss") == tmp_path / "resources" / "style.qss"
