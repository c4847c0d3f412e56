"""Where Cryptobot keeps its files: per-user platform directories or one portable home folder.

Nothing here touches the disk until :meth:`AppPaths.ensure` is called.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from platformdirs import PlatformDirs

APP_NAME = "Cryptobot"
HOME_ENV = "CRYPTOBOT_HOME"
SETTINGS_FILE_NAME = "settings.toml"


@dataclass(frozen=True, slots=True)
class AppPaths:
    """The application's directories.

    ``config_dir`` holds settings, ``data_dir`` the database and downloaded candles, ``log_dir``
    the JSON-lines logs, ``strategies_dir`` user strategy files and ``cache_dir`` anything that
    can be deleted at will.
    """

    config_dir: Path
    data_dir: Path
    log_dir: Path
    strategies_dir: Path
    cache_dir: Path

    @property
    def settings_file(self) -> Path:
        """The human-editable settings file (``<config_dir>/settings.toml``)."""
        return self.config_dir / SETTINGS_FILE_NAME

    def ensure(self) -> None:
        """Create every directory (and missing parents); existing ones are left alone.

        Raises:
            OSError: a directory cannot be created (permissions, a file in the way).
        """
        for item in fields(self):
            directory: Path = getattr(self, item.name)
            directory.mkdir(parents=True, exist_ok=True)


def resolve_paths(env: Mapping[str, str] | None = None) -> AppPaths:
    """Work out the application's directories.

    With ``CRYPTOBOT_HOME`` set (portable installs, tests) everything lives under that folder:
    ``config``, ``data``, ``logs``, ``strategies`` and ``cache``. Otherwise the platform's
    per-user directories for "Cryptobot" are used (e.g. ``~/.config/Cryptobot`` on Linux,
    ``%LOCALAPPDATA%\\Cryptobot`` on Windows).

    Args:
        env: environment to read; ``os.environ`` when omitted.

    Returns:
        The paths; no directory is created.
    """
    environ = os.environ if env is None else env
    home = environ.get(HOME_ENV, "").strip()
    if home:
        root = Path(home).expanduser().absolute()
        return AppPaths(
            config_dir=root / "config",
            data_dir=root / "data",
            log_dir=root / "logs",
            strategies_dir=root / "strategies",
            cache_dir=root / "cache",
        )
    dirs = PlatformDirs(APP_NAME, appauthor=False)
    return AppPaths(
        config_dir=dirs.user_config_path,
        data_dir=dirs.user_data_path,
        log_dir=dirs.user_log_path,
        strategies_dir=dirs.user_data_path / "strategies",
        cache_dir=dirs.user_cache_path,
    )


def resource_path(*parts: str) -> Path:
    """Path of a bundled resource under the top-level ``resources/`` folder.

    Works from a source checkout (``<repo>/resources``) and from a PyInstaller bundle
    (``sys._MEIPASS/resources``).

    Args:
        parts: path components inside ``resources/``, e.g. ``("demo", "btc_usdt_1h.csv")``.

    Returns:
        The path (it is not checked for existence).
    """
    bundle_root = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle_root:
        base = Path(bundle_root) / "resources"
    else:
        base = Path(__file__).resolve().parents[2] / "resources"
    return base.joinpath(*parts)
