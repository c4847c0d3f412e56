"""Public settings API: the typed model, load/save, conversions and the database URL.

Other packages import from here::

    from app.config.settings import Settings, load_settings, save_settings, database_url
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from app.config.paths import AppPaths
from app.config.schema import (
    SETTINGS_VERSION,
    DatabaseSettings,
    ExchangeSettings,
    GeneralSettings,
    LoggingSettings,
    PaperSettings,
    ReplaySettings,
    Settings,
    Theme,
)
from app.config.store import LoadedSettings, load_settings, save_settings
from app.config.validation import (
    format_problems,
    settings_from_dict,
    settings_problems,
    settings_to_dict,
)
from app.core.errors import ConfigError
from app.risk.limits import RiskLimits

__all__ = [
    "DB_URL_ENV",
    "SETTINGS_VERSION",
    "DatabaseSettings",
    "ExchangeSettings",
    "GeneralSettings",
    "LoadedSettings",
    "LoggingSettings",
    "PaperSettings",
    "ReplaySettings",
    "RiskLimits",
    "Settings",
    "Theme",
    "database_url",
    "default_sqlite_path",
    "load_settings",
    "save_settings",
    "settings_from_dict",
    "settings_problems",
    "settings_to_dict",
    "with_changes",
]

DB_URL_ENV = "CRYPTOBOT_DB_URL"
SQLITE_FILE_NAME = "cryptobot.sqlite"


def default_sqlite_path(paths: AppPaths) -> Path:
    """The embedded database file used when no URL is configured."""
    return paths.data_dir / SQLITE_FILE_NAME


def database_url(settings: Settings, paths: AppPaths, env: Mapping[str, str] | None = None) -> str:
    """The SQLAlchemy URL to connect to.

    ``CRYPTOBOT_DB_URL`` (when set and not empty) wins over ``settings.database.url``; without
    either, the SQLite file ``<data_dir>/cryptobot.sqlite`` is used (its folder is not created).

    Args:
        settings: the loaded settings.
        paths: the application's directories.
        env: environment to read; ``os.environ`` when omitted.

    Returns:
        A SQLAlchemy URL string.
    """
    environ = os.environ if env is None else env
    override = environ.get(DB_URL_ENV, "").strip()
    if override:
        return override
    if settings.database.url:
        return settings.database.url
    return f"sqlite:///{default_sqlite_path(paths).as_posix()}"


def with_changes(settings: Settings, changes: Mapping[str, Mapping[str, Any]]) -> Settings:
    """A copy of ``settings`` with some fields replaced, validated like a loaded file.

    Example: ``with_changes(s, {"general": {"theme": "light"}, "risk": {"daily_loss_pct": "2"}})``.
    Values use the file's plain form (strings or numbers for Decimals, enum values as text).
    A field given here replaces the whole value (a new ``ccxt_config`` table replaces the old one).

    Args:
        settings: the current settings.
        changes: section name -> field name -> new value.

    Returns:
        The new settings.

    Raises:
        ConfigError: a change names an unknown section/field or has an invalid value (all listed).
    """
    data = settings_to_dict(settings)
    problems: list[str] = []
    for section, values in changes.items():
        current = data.get(section)
        if not isinstance(current, dict) or not isinstance(values, Mapping):
            problems.append(f"settings.{section}: unknown section")
            continue
        current.update(values)
    if problems:
        raise ConfigError(format_problems(problems, "the changes"))
    return settings_from_dict(data)
