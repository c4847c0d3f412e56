"""Display text for Decimals and timestamps (money is formatted from Decimal, never float)."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal

_CENT = Decimal("0.01")


def format_decimal(value: Decimal | None, *, places: int | None = None) -> str:
    """``value`` with thousands separators and no exponent ('' for None).

    Args:
        value: the number.
        places: fixed decimal places (banker's rounding); None keeps the value's own digits
            without trailing zeros.

    Returns:
        e.g. ``"12,345.67"``.
    """
    if value is None:
        return ""
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    elif value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    else:
        value = value.normalize()
    return f"{value:,f}"


def format_money(value: Decimal | None) -> str:
    """A quote-currency amount to the cent, e.g. ``"-1,234.50"``."""
    return format_decimal(value, places=2)


def format_signed_money(value: Decimal | None) -> str:
    """Like :func:`format_money` with an explicit ``+`` for gains."""
    if value is None:
        return ""
    text = format_money(value)
    return f"+{text}" if value.quantize(_CENT) > 0 else text


def format_local_time(ms: int | None) -> str:
    """Milliseconds UTC shown in the local time zone as ``YYYY-MM-DD HH:MM:SS`` ('' for 0/None)."""
    if not ms:
        return ""
    return datetime.fromtimestamp(ms / 1000).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def decimal_sort_key(value: Decimal | None) -> float:
    """A float to sort numeric columns by (display ordering only, never used for money)."""
    return float("-inf") if value is None else float(value)
