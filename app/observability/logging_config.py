"""Set up the application's logging once, in ``main()``: JSON-lines file, console, ring buffer."""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from logging.handlers import RotatingFileHandler
from pathlib import Path

from app.core.errors import ConfigError
from app.observability.correlation import CorrelationFilter
from app.observability.formatters import ConsoleFormatter, JsonFormatter
from app.observability.redaction import RedactionFilter
from app.observability.ring import RingBufferHandler

logger = logging.getLogger(__name__)

LOG_FILE_NAME = "cryptobot.jsonl"
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

_active_lock = threading.Lock()
_active: LoggingHandle | None = None


@dataclass(slots=True)
class LoggingHandle:
    """What :func:`configure_logging` installed; ``close()`` removes it again.

    ``ring`` feeds the UI's log viewer; ``log_file`` is the current JSON-lines file.
    """

    ring: RingBufferHandler
    log_file: Path
    handlers: list[logging.Handler]
    _root_level: int
    _component_levels: dict[str, int] = field(default_factory=dict)
    _closed: bool = False

    def set_level(self, level: str, component: str | None = None) -> None:
        """Change the level of the whole app, or of one component (logger name), at run time.

        Args:
            level: a level name such as ``"DEBUG"``.
            component: a logger name such as ``"app.exchange"``; ``None`` for the root.

        Raises:
            ConfigError: unknown level name.
        """
        number = _level_number(level, "logging.level")
        target = logging.getLogger(component)
        if component is not None and component not in self._component_levels:
            self._component_levels[component] = target.level
        target.setLevel(number)

    def close(self) -> None:
        """Remove and close the handlers and restore the previous levels (idempotent)."""
        global _active
        if self._closed:
            return
        self._closed = True
        root = logging.getLogger()
        for handler in self.handlers:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(self._root_level)
        for name, level in self._component_levels.items():
            logging.getLogger(name).setLevel(level)
        logging.captureWarnings(False)
        with _active_lock:
            if _active is self:
                _active = None


def configure_logging(
    log_dir: Path,
    *,
    level: str = "INFO",
    component_levels: Mapping[str, str] | None = None,
    max_bytes: int = 10 * 1024 * 1024,
    backups: int = 5,
    console: bool = True,
    ring_capacity: int = 5000,
) -> LoggingHandle:
    """Install the app's log handlers on the root logger.

    Every handler redacts secrets (see :mod:`app.observability.redaction`) and stamps the
    bound correlation id. Calling it again replaces only the handlers a previous call installed
    (other handlers, such as a test harness's, are left alone). Python warnings are logged too.

    Args:
        log_dir: folder of ``cryptobot.jsonl`` (created if needed).
        level: lowest level logged, e.g. ``"INFO"``.
        component_levels: logger name -> level, e.g. ``{"ccxt": "WARNING"}``.
        max_bytes: size at which the file is rotated to ``cryptobot.jsonl.1``.
        backups: rotated files kept (at least 1).
        console: also write readable lines to standard error (skipped when there is none).
        ring_capacity: entries kept in memory for the log viewer.

    Returns:
        The handle giving access to the ring buffer and undoing the setup.

    Raises:
        ConfigError: an unknown level name or a size/count out of range.
        OSError: the log folder or file cannot be created.
    """
    global _active
    root_level = _level_number(level, "logging.level")
    levels = {
        name: _level_number(value, f"logging.component_levels.{name}")
        for name, value in (component_levels or {}).items()
    }
    if max_bytes < 1024:
        raise ConfigError(f"logging.max_bytes: must be at least 1024, got {max_bytes}")
    if backups < 1:
        raise ConfigError(f"logging.backups: must be at least 1, got {backups}")

    with _active_lock:
        previous = _active
    if previous is not None:
        previous.close()

    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / LOG_FILE_NAME
    file_handler = RotatingFileHandler(
        log_file, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
    )
    file_handler.setFormatter(JsonFormatter())
    ring = RingBufferHandler(ring_capacity)
    handlers: list[logging.Handler] = [file_handler, ring]
    if console and sys.stderr is not None:  # None in a windowed (no console) Windows build
        console_handler = logging.StreamHandler(sys.stderr)
        console_handler.setFormatter(ConsoleFormatter())
        handlers.append(console_handler)

    root = logging.getLogger()
    handle = LoggingHandle(
        ring=ring,
        log_file=log_file,
        handlers=handlers,
        _root_level=root.level,
        _component_levels={name: logging.getLogger(name).level for name in levels},
    )
    for handler in handlers:
        handler.addFilter(CorrelationFilter())
        handler.addFilter(RedactionFilter())
        root.addHandler(handler)
    root.setLevel(root_level)
    for name, number in levels.items():
        logging.getLogger(name).setLevel(number)
    logging.captureWarnings(True)
    with _active_lock:
        _active = handle
    logger.debug("logging to %s at level %s", log_file, logging.getLevelName(root_level))
    return handle


def log_retention(log_dir: Path, days: int, *, now: float | None = None) -> list[Path]:
    """Delete rotated log files (``*.jsonl.N``, ``*.log.N``) last written more than ``days`` ago.

    The live files are never touched; a file that cannot be deleted (in use) is skipped.

    Args:
        log_dir: the log folder (a missing folder means nothing to do).
        days: age limit in days.
        now: current time in seconds since the epoch (for tests); the clock when omitted.

    Returns:
        The deleted files.
    """
    if not log_dir.is_dir():
        return []
    cutoff = (time.time() if now is None else now) - days * 86_400
    deleted: list[Path] = []
    for path in sorted(log_dir.iterdir()):
        if not _is_rotated_log(path):
            continue
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                deleted.append(path)
        except OSError as exc:
            logger.warning("could not delete old log file %s: %s", path, exc)
    if deleted:
        logger.info("deleted %d log files older than %d days", len(deleted), days)
    return deleted


def _is_rotated_log(path: Path) -> bool:
    stem, _, counter = path.name.rpartition(".")
    return counter.isdigit() and stem.endswith((".jsonl", ".log")) and path.is_file()


def _level_number(level: str, name: str) -> int:
    upper = level.strip().upper() if isinstance(level, str) else ""
    if upper not in _LEVELS:
        choices = ", ".join(repr(item) for item in _LEVELS)
        raise ConfigError(f"{name}: must be one of {choices}, got {level!r}")
    number: int = logging.getLevelNamesMapping()[upper]
    return number
