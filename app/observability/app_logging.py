"""Logging configured from the user's settings, once, by the app's entry points."""

from __future__ import annotations

import logging

from app.config.paths import AppPaths
from app.config.schema import LoggingSettings
from app.observability.logging_config import LoggingHandle, configure_logging, log_retention

logger = logging.getLogger(__name__)


def configure_app_logging(
    options: LoggingSettings, paths: AppPaths, *, console: bool | None = None
) -> LoggingHandle:
    """Configure logging from ``options`` and delete rotated logs past their retention.

    Args:
        options: the settings' logging section (levels, rotation, retention, console).
        paths: where the log folder is.
        console: overrides ``options.console`` (the GUI has no console of interest).

    Returns:
        The handle (ring buffer for the UI, ``close()`` at exit).
    """
    handle = configure_logging(
        paths.log_dir,
        level=options.level,
        component_levels=options.component_levels,
        max_bytes=options.max_bytes,
        backups=options.backups,
        console=options.console if console is None else console,
    )
    removed = log_retention(paths.log_dir, options.retention_days)
    if removed:
        logger.info(
            "deleted %d rotated log files older than %d days", len(removed), options.retention_days
        )
    return handle
