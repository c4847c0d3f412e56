"""Field readers for the settings file: turn a raw TOML value into a typed one or explain why not.

Each reader is a callable ``(path, raw) -> value`` that raises :class:`ValueError` whose message
names the field (``path``, e.g. ``settings.paper.fee_rate``), what is expected and what was found.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from enum import StrEnum
from typing import Any

from app.core.money import to_decimal
from app.core.time import timeframe_to_ms

Reader = Callable[[str, Any], Any]

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

CURRENCY_RE = re.compile(r"^[A-Z0-9]{2,12}$")
SYMBOL_RE = re.compile(r"^[A-Za-z0-9._-]+/[A-Za-z0-9._-]+(:[A-Za-z0-9._-]+)?$")
EXCHANGE_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
LOGGER_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
CSV_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.csv$")


def show(raw: Any) -> str:
    """Render a raw value for an error message the way the user typed it."""
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, str):
        return repr(raw)
    if isinstance(raw, Mapping):
        return "a table"
    if isinstance(raw, list | tuple):
        return "a list"
    return str(raw)


def boolean() -> Reader:
    """Reader for true/false."""

    def read(path: str, raw: Any) -> bool:
        if not isinstance(raw, bool):
            raise ValueError(f"{path}: must be true or false, got {show(raw)}")
        return raw

    return read


def integer(low: int, high: int) -> Reader:
    """Reader for a whole number in ``[low, high]``."""

    def read(path: str, raw: Any) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueError(f"{path}: must be a whole number, got {show(raw)}")
        if not low <= raw <= high:
            raise ValueError(f"{path}: must be between {low} and {high}, got {raw}")
        return raw

    return read


def decimal(low: Decimal, high: Decimal | None = None, hint: str = "") -> Reader:
    """Reader for an exact number (written as a string or number) in ``[low, high]``."""
    suffix = f" ({hint})" if hint else ""

    def read(path: str, raw: Any) -> Decimal:
        if isinstance(raw, Mapping | list | tuple) or raw is None:
            raise ValueError(f"{path}: must be a number, got {show(raw)}")
        value = to_decimal(raw, field=path)
        if high is None and value < low:
            raise ValueError(f"{path}: must be at least {low}{suffix}, got {value}")
        if high is not None and not low <= value <= high:
            raise ValueError(f"{path}: must be between {low} and {high}{suffix}, got {value}")
        return value

    return read


def real(low: float, high: float) -> Reader:
    """Reader for a finite floating-point number in ``[low, high]`` (not money)."""

    def read(path: str, raw: Any) -> float:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ValueError(f"{path}: must be a number, got {show(raw)}")
        value = float(raw)
        if not math.isfinite(value) or not low <= value <= high:
            raise ValueError(f"{path}: must be between {low:.15g} and {high:.15g}, got {raw}")
        return value

    return read


def text(pattern: re.Pattern[str], expected: str) -> Reader:
    """Reader for a string matching ``pattern``; ``expected`` describes it for the user."""

    def read(path: str, raw: Any) -> str:
        if not isinstance(raw, str):
            raise ValueError(f"{path}: must be {expected}, got {show(raw)}")
        value = raw.strip()
        if not pattern.match(value):
            raise ValueError(f"{path}: must be {expected}, got {show(raw)}")
        return value

    return read


def any_text(path: str, raw: Any) -> str:
    """Reader for a non-empty string."""
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError(f"{path}: must be a non-empty text, got {show(raw)}")
    return raw.strip()


def choice(enum: type[StrEnum]) -> Reader:
    """Reader for one of an enum's values; the message lists the choices."""
    choices = ", ".join(repr(member.value) for member in enum)

    def read(path: str, raw: Any) -> StrEnum:
        if isinstance(raw, str):
            try:
                return enum(raw.strip().lower())
            except ValueError:
                pass
        raise ValueError(f"{path}: must be one of {choices}, got {show(raw)}")

    return read


def log_level(path: str, raw: Any) -> str:
    """Reader for a logging level name (case-insensitive); returns it upper-case."""
    if isinstance(raw, str) and raw.strip().upper() in LOG_LEVELS:
        return raw.strip().upper()
    choices = ", ".join(repr(level) for level in LOG_LEVELS)
    raise ValueError(f"{path}: must be one of {choices}, got {show(raw)}")


def timeframe(path: str, raw: Any) -> str:
    """Reader for a ccxt timeframe such as ``"1m"`` or ``"1h"``."""
    if isinstance(raw, str):
        try:
            timeframe_to_ms(raw)
        except ValueError:
            pass
        else:
            return raw.strip()
    raise ValueError(f"{path}: must be a timeframe like '1m', '5m', '1h' or '1d', got {show(raw)}")


def optional(reader: Reader) -> Reader:
    """Wrap ``reader`` so that ``None`` (and an empty string) mean "not set"."""

    def read(path: str, raw: Any) -> Any:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        return reader(path, raw)

    return read


def symbol_list(path: str, raw: Any) -> tuple[str, ...]:
    """Reader for a non-empty list of distinct ccxt symbols (``"BTC/USDT"``)."""
    if not isinstance(raw, list | tuple) or not raw:
        raise ValueError(f'{path}: must be a non-empty list like ["BTC/USDT"], got {show(raw)}')
    read_symbol = text(SYMBOL_RE, "a symbol like 'BTC/USDT'")
    symbols = tuple(read_symbol(f"{path}[{index}]", item) for index, item in enumerate(raw))
    duplicates = sorted({item for item in symbols if symbols.count(item) > 1})
    if duplicates:
        raise ValueError(f"{path}: lists {', '.join(duplicates)} more than once")
    return symbols


def table(path: str, raw: Any) -> dict[str, Any]:
    """Reader for a table of plain TOML values (text, numbers, booleans, lists, tables)."""
    if not isinstance(raw, Mapping):
        raise ValueError(f"{path}: must be a table, got {show(raw)}")
    return {str(key): _plain_value(f"{path}.{key}", value) for key, value in raw.items()}


def _plain_value(path: str, raw: Any) -> Any:
    if isinstance(raw, Mapping):
        return table(path, raw)
    if isinstance(raw, list | tuple):
        return [_plain_value(f"{path}[{index}]", item) for index, item in enumerate(raw)]
    if isinstance(raw, str | int | float | bool):
        return raw
    raise ValueError(
        f"{path}: must be text, a number, true/false, a list or a table, got {type(raw).__name__}"
    )


def mapping_of(key_reader: Reader, value_reader: Reader, *, non_empty: bool = False) -> Reader:
    """Reader for a table whose keys and values are each checked by a reader."""

    def read(path: str, raw: Any) -> dict[Any, Any]:
        if not isinstance(raw, Mapping):
            raise ValueError(f"{path}: must be a table, got {show(raw)}")
        if non_empty and not raw:
            raise ValueError(f"{path}: must have at least one entry")
        result: dict[Any, Any] = {}
        for key, value in raw.items():
            item_path = f"{path}.{key}"
            result[key_reader(item_path, key)] = value_reader(item_path, value)
        return result

    return read
