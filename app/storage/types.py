"""Column types: Decimal stored losslessly as TEXT."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Dialect, Text
from sqlalchemy.types import TypeDecorator


class DecimalText(TypeDecorator[Decimal]):
    """A :class:`~decimal.Decimal` column stored as TEXT, so every digit survives a round trip.

    ``Decimal("0.10")`` is stored as ``"0.10"`` and read back as ``Decimal("0.10")``; REAL or
    NUMERIC columns would round through binary floats (SQLite) or a fixed scale. Floats are
    refused: a float has already lost the exact value, so the caller must build the Decimal
    from a string.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        """Decimal (or int) -> its exact string; None stays NULL.

        Raises:
            TypeError: ``value`` is a float, a bool or another non-Decimal type.
            ValueError: ``value`` is NaN or infinite.
        """
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, Decimal | int):
            raise TypeError(
                f"DecimalText columns take Decimal values, got {type(value).__name__} {value!r}; "
                "build the Decimal from a string (app.core.money.to_decimal)"
            )
        decimal_value = Decimal(value)
        if not decimal_value.is_finite():
            raise ValueError(f"DecimalText columns take finite values, got {value!r}")
        return str(decimal_value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        """Stored text -> Decimal; None stays None.

        Raises:
            ValueError: the stored text is not a number (the database was edited by hand).
        """
        if value is None:
            return None
        try:
            return Decimal(value)
        except InvalidOperation:
            raise ValueError(f"stored value {value!r} is not a decimal number") from None
