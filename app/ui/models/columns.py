"""Declarative table columns: title, raw value, display text, alignment."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from PySide6.QtCore import Qt

from app.ui.models.formatting import decimal_sort_key

R = TypeVar("R")

#: Role under which every model returns the raw sort value (float, int or str).
SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 1
#: Role under which every model returns the row's key (e.g. the client order id).
KEY_ROLE = int(Qt.ItemDataRole.UserRole) + 2


@dataclass(frozen=True, slots=True)
class Column(Generic[R]):
    """One column of a record table.

    ``value`` extracts the raw value from a record (Decimal, int, str, None); ``text`` turns it
    into display text (``str`` by default); ``numeric`` right-aligns the column and sorts it as
    a number; ``tone`` picks a colour role ("profit"/"loss"/"") from the raw value; ``width``
    is the initial column width in pixels (the view's default when None).
    """

    title: str
    value: Callable[[R], Any]
    text: Callable[[Any], str] = str
    numeric: bool = False
    tone: Callable[[Any], str] | None = None
    tooltip: str = ""
    width: int | None = None

    def display(self, record: R) -> str:
        """The cell text of ``record``."""
        raw = self.value(record)
        return "" if raw is None else self.text(raw)

    def sort_value(self, record: R) -> float | int | str:
        """The value the proxy sorts ``record`` by."""
        raw = self.value(record)
        if isinstance(raw, Decimal) or (raw is None and self.numeric):
            return decimal_sort_key(raw)
        if isinstance(raw, bool):
            return int(raw)
        if isinstance(raw, int | float):
            return raw
        return "" if raw is None else str(raw)


def pnl_tone(value: Any) -> str:
    """'profit' for positive, 'loss' for negative numbers, '' otherwise."""
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return "profit" if value > 0 else "loss" if value < 0 else ""
    return ""
