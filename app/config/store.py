"""Read and write ``settings.toml`` safely: atomic saves, a backup, recovery from corruption."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tomli_w

from app.config.paths import AppPaths
from app.config.schema import Settings
from app.config.validation import format_problems, settings_from_dict, settings_problems
from app.config.validation import settings_to_dict as _to_dict
from app.core.errors import ConfigError

logger = logging.getLogger(__name__)

BACKUP_SUFFIX = ".bak"
CORRUPT_SUFFIX = ".corrupt-"

HEADER = """\
# Cryptobot settings.
#
# You may edit this file by hand while Cryptobot is closed; it is checked when the app starts
# and every problem is reported by name (e.g. "settings.risk.daily_loss_pct").
# Amounts and rates are written as text ("0.001") so they stay exact; percentages are in
# percent (3 means 3 %). API keys are NEVER stored here: they live in the OS keyring and
# [exchange] api_key_ref only names the keyring entry.
# The previous version of this file is kept next to it as settings.toml.bak.

"""


@dataclass(frozen=True, slots=True)
class LoadedSettings:
    """Result of :func:`load_settings`.

    ``first_run`` is true when no usable settings were found (no file yet, or a corrupt file
    without a valid backup): the app should show its setup wizard. ``warnings`` are messages
    for the user about what was recovered and where the damaged file went.
    """

    settings: Settings
    path: Path
    first_run: bool
    warnings: list[str] = field(default_factory=list)


class _Unparsable(Exception):
    """The file exists but is not valid UTF-8 TOML."""


def load_settings(paths: AppPaths) -> LoadedSettings:
    """Load the user's settings, recovering from a corrupt file where possible.

    A missing file gives the defaults with ``first_run=True``. A file that cannot be parsed is
    moved aside to ``settings.toml.corrupt-YYYYmmddTHHMMSS`` and the backup
    ``settings.toml.bak`` is restored when it is valid, otherwise the defaults are used; the
    returned warnings say what happened and where the damaged file is.

    Args:
        paths: the application's directories.

    Returns:
        The settings, where they came from and any warnings.

    Raises:
        ConfigError: the file parses but has invalid values (every problem is listed; the file
            is left untouched), or it cannot be read at all (permissions).
    """
    path = paths.settings_file
    try:
        data = _read_toml(path)
    except FileNotFoundError:
        return LoadedSettings(Settings(), path, first_run=True)
    except _Unparsable as exc:
        return _recover(path, str(exc))
    problems = settings_problems(data)
    if problems:
        raise ConfigError(format_problems(problems, f"{path} (fix them and start again)"))
    return LoadedSettings(settings_from_dict(data), path, first_run=False)


def save_settings(settings: Settings, paths: AppPaths) -> Path:
    """Validate and write the settings atomically, keeping the previous file as a backup.

    The text goes to a temporary file in the same folder, is flushed and fsynced, then replaces
    ``settings.toml`` in one step, so a crash leaves either the old or the new file, never half
    of one. The previous file (when it was readable) is kept as ``settings.toml.bak``.

    Args:
        settings: the settings to store.
        paths: the application's directories (the config folder is created if needed).

    Returns:
        The path written.

    Raises:
        ConfigError: a value is invalid, something looks like a secret (those belong in the
            keyring), or the file cannot be written.
    """
    problems = settings_problems(settings)
    if problems:
        raise ConfigError(format_problems(problems, "the settings to save (nothing was written)"))
    content = HEADER + tomli_w.dumps(_to_dict(settings))
    target = paths.settings_file
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if _is_readable_toml(target):
            _atomic_write(_backup_path(target), target.read_bytes())
        _atomic_write(target, content.encode("utf-8"))
    except OSError as exc:
        raise ConfigError(
            f"Cannot write the settings file {target}: {exc.strerror or exc}; "
            "check free disk space and the folder's permissions"
        ) from exc
    logger.info("settings saved to %s", target)
    return target


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ConfigError(
            f"Cannot read the settings file {path}: {exc.strerror or exc}; "
            "check the file's permissions"
        ) from exc
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _Unparsable(f"it is not UTF-8 text: {exc.reason} at byte {exc.start}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise _Unparsable(f"it is not valid TOML: {exc}") from exc


def _is_readable_toml(path: Path) -> bool:
    try:
        _read_toml(path)
    except (FileNotFoundError, _Unparsable, ConfigError):
        return False
    return True


def _recover(path: Path, reason: str) -> LoadedSettings:
    moved = _move_aside(path)
    warnings = [f"The settings file {path} could not be read ({reason}); it was moved to {moved}."]
    backup = _backup_path(path)
    try:
        settings = settings_from_dict(_read_toml(backup))
    except FileNotFoundError:
        warnings.append("There is no backup of the settings, so the defaults are used.")
    except (_Unparsable, ConfigError) as exc:
        warnings.append(f"The backup {backup} is unusable too ({exc}); the defaults are used.")
    else:
        warnings.append(f"The settings were restored from the backup {backup}.")
        try:
            _atomic_write(path, backup.read_bytes())
        except OSError as exc:
            warnings.append(f"The backup could not be copied back to {path} ({exc}).")
        _log_warnings(warnings)
        return LoadedSettings(settings, path, first_run=False, warnings=warnings)
    _log_warnings(warnings)
    return LoadedSettings(Settings(), path, first_run=True, warnings=warnings)


def _log_warnings(warnings: list[str]) -> None:
    for message in warnings:
        logger.warning("%s", message)


def _backup_path(path: Path) -> Path:
    return path.with_name(path.name + BACKUP_SUFFIX)


def _move_aside(path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}{CORRUPT_SUFFIX}{stamp}")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.name}{CORRUPT_SUFFIX}{stamp}-{counter}")
        counter += 1
    path.replace(target)
    return target


def _atomic_write(target: Path, content: bytes) -> None:
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            shutil.copymode(target, temp)
        temp.replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    _fsync_dir(target.parent)


def _fsync_dir(directory: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
