"""Log formats: one JSON object per line for files, a readable line for the console."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from app.observability.redaction import REDACTED_ATTR, extra_fields

_JSON_ATTR = "_cryptobot_json"

RESERVED_KEYS = (
    "ts",
    "ts_ms",
    "level",
    "component",
    "message",
    "correlation_id",
    "thread",
    "exc_info",
    "stack_info",
)


def record_ms(record: logging.LogRecord) -> int:
    """When the record was created, in integer milliseconds UTC."""
    return int(record.created * 1000)


def record_extras(record: logging.LogRecord) -> dict[str, Any]:
    """The caller's ``extra=`` fields without the correlation id (which has its own key)."""
    extras = extra_fields(record)
    extras.pop("correlation_id", None)
    return extras


def exception_text(record: logging.LogRecord) -> str | None:
    """The record's formatted exception (already redacted by the filter), or ``None``."""
    if record.exc_text:
        return record.exc_text
    if record.exc_info and record.exc_info[1] is not None:
        return logging.Formatter().formatException(record.exc_info)
    return None


class JsonFormatter(logging.Formatter):
    """One JSON object per record.

    Keys: ``ts`` (ISO 8601 UTC with milliseconds), ``ts_ms``, ``level``, ``component`` (the
    logger name), ``message``, ``correlation_id`` (``null`` when none), ``thread``, the caller's
    extra fields (renamed ``extra_<name>`` if they clash with these), and ``exc_info`` /
    ``stack_info`` text when present. Values JSON cannot represent are written with ``str()``.
    """

    def format(self, record: logging.LogRecord) -> str:
        """Render ``record`` as a single line of JSON.

        The line of a redacted record is cached on it: the rotating file handler formats each
        record twice (once to decide on rotation, once to write).
        """
        cached: str | None = vars(record).get(_JSON_ATTR)
        if cached is not None:
            return cached
        line = self._render(record)
        if getattr(record, REDACTED_ATTR, False):
            setattr(record, _JSON_ATTR, line)
        return line

    def _render(self, record: logging.LogRecord) -> str:
        millis = record_ms(record)
        stamp = datetime.fromtimestamp(millis / 1000, tz=UTC)
        entry: dict[str, Any] = {
            "ts": stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "ts_ms": millis,
            "level": record.levelname,
            "component": record.name,
            "message": record.getMessage(),
            "correlation_id": getattr(record, "correlation_id", None),
            "thread": record.threadName,
        }
        for key, value in record_extras(record).items():
            entry[f"extra_{key}" if key in RESERVED_KEYS else key] = value
        exc_text = exception_text(record)
        if exc_text:
            entry["exc_info"] = exc_text
        if record.stack_info:
            entry["stack_info"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


class ConsoleFormatter(logging.Formatter):
    """``HH:MM:SS.mmm LEVEL component: message key=value ... [correlation id]`` in local time."""

    def __init__(self) -> None:
        super().__init__(datefmt="%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        """Render ``record`` as one readable line (plus the traceback, if any)."""
        clock = f"{self.formatTime(record, self.datefmt)}.{int(record.msecs):03d}"
        line = f"{clock} {record.levelname:<8} {record.name}: {record.getMessage()}"
        extras = record_extras(record)
        if extras:
            line += " " + " ".join(f"{key}={value}" for key, value in extras.items())
        correlation_id = getattr(record, "correlation_id", None)
        if correlation_id:
            line += f" [{correlation_id}]"
        exc_text = exception_text(record)
        if exc_text:
            line += "\n" + exc_text
        if record.stack_info:
            line += "\n" + record.stack_info
        return line
