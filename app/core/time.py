"""Time helpers: every timestamp inside the app is integer milliseconds UTC."""

from __future__ import annotations

import re
import time as _time
from datetime import UTC, datetime

_TIMEFRAME_RE = re.compile(r"^(\d+)([smhdwM])$")
_UNIT_MS = {
    "s": 1_000,
    "m": 60_000,
    "h": 3_600_000,
    "d": 86_400_000,
    "w": 604_800_000,
    "M": 2_592_000_000,  # 30 days; ccxt's convention for "1M"
}


def now_ms() -> int:
    """Current wall-clock time in integer milliseconds UTC."""
    return _time.time_ns() // 1_000_000


def timeframe_to_ms(timeframe: str) -> int:
    """Length of a ccxt timeframe string ("1m", "5m", "1h", "1d", ...) in milliseconds.

    Raises:
        ValueError: the string is not a timeframe.
    """
    match = _TIMEFRAME_RE.match(timeframe.strip())
    if not match or int(match.group(1)) <= 0:
        raise ValueError(f"timeframe: {timeframe!r} is not a timeframe like '1m', '5m', '1h', '1d'")
    return int(match.group(1)) * _UNIT_MS[match.group(2)]


def ms_to_datetime(ms: int) -> datetime:
    """Milliseconds UTC to an aware UTC datetime."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def datetime_to_ms(value: datetime) -> int:
    """Aware datetime to milliseconds UTC (naive datetimes are taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1000)


def parse_date_ms(text: str) -> int:
    """Parse '2021-01-31', '2021-01-31T12:00', ISO with offset, or integer ms, to ms UTC.

    Raises:
        ValueError: the text is not a date.
    """
    stripped = text.strip()
    if stripped.isdigit():
        return int(stripped)
    try:
        parsed = datetime.fromisoformat(stripped.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date; use YYYY-MM-DD, YYYY-MM-DDTHH:MM or milliseconds"
        ) from None
    return datetime_to_ms(parsed)


def format_ms(ms: int) -> str:
    """Milliseconds UTC as 'YYYY-MM-DD HH:MM' UTC (for messages and CLI output)."""
    return ms_to_datetime(ms).strftime("%Y-%m-%d %H:%M")
