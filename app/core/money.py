"""Decimal helpers for the order path: exact construction, tick/step quantisation.

Money is never a float here. Values arrive as strings (ccxt's ``*_to_precision`` output,
settings, the database) or ints and become :class:`~decimal.Decimal` through :func:`to_decimal`.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_UP, Decimal, InvalidOperation

ZERO = Decimal(0)
ONE = Decimal(1)

DecimalLike = Decimal | str | int | float


def to_decimal(value: DecimalLike, *, field: str = "value") -> Decimal:
    """Convert ``value`` to a finite Decimal without binary-float artefacts.

    Floats go through ``repr`` (shortest round-trip string), so ``0.1`` becomes ``Decimal("0.1")``.

    Args:
        value: a Decimal, str, int or float.
        field: name used in the error message.

    Raises:
        ValueError: the value is not a finite number (the message names ``field``).
    """
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise ValueError(f"{field}: expected a number, got a boolean")
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{field}: {value!r} is not a number") from None
    else:
        raise ValueError(f"{field}: expected a number, got {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"{field}: must be a finite number, got {value!r}")
    return result


def quantize_to_increment(value: Decimal, increment: Decimal, rounding: str) -> Decimal:
    """Round ``value`` to a whole multiple of ``increment`` using ``rounding``.

    The result keeps the exponent of ``increment`` (``0.010`` stays ``0.010``), so it prints
    the way the exchange expects.
    """
    if increment <= 0:
        return value
    units = (value / increment).to_integral_value(rounding=rounding)
    return (units * increment).quantize(increment)


def round_amount(amount: Decimal, step: Decimal) -> Decimal:
    """Round an order quantity DOWN to the market's step size (never buy more than asked)."""
    return quantize_to_increment(amount, step, ROUND_DOWN)


def round_price(price: Decimal, tick: Decimal) -> Decimal:
    """Round a price to the nearest tick (banker's rounding on exact halves)."""
    return quantize_to_increment(price, tick, ROUND_HALF_EVEN)


def round_price_passive(price: Decimal, tick: Decimal, *, is_buy: bool) -> Decimal:
    """Round a limit price to the tick on the passive side (buys down, sells up)."""
    return quantize_to_increment(price, tick, ROUND_DOWN if is_buy else ROUND_UP)


def is_multiple_of(value: Decimal, increment: Decimal) -> bool:
    """True when ``value`` is an exact multiple of ``increment`` (or increment is 0)."""
    if increment <= 0:
        return True
    return (value % increment) == 0


def quantize_quote(value: Decimal, places: int = 8) -> Decimal:
    """Round a quote-currency amount (fee, P&L) for display/storage to ``places`` decimals."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
