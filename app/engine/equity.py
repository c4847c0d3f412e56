"""Daily P&L and drawdown of the account equity, as shown to the user."""

from __future__ import annotations

from decimal import Decimal

from app.core.money import ZERO

DAY_MS = 86_400_000
_HUNDRED = Decimal(100)


class EquityCurve:
    """Follows the equity at each update: running peak, equity at the start of the UTC day."""

    def __init__(self) -> None:
        self._peak: Decimal | None = None
        self._day: int | None = None
        self._day_start = ZERO

    def update(self, equity: Decimal, timestamp: int) -> tuple[Decimal, Decimal]:
        """Record ``equity`` at ``timestamp`` (ms UTC).

        Returns:
            (P&L since the first update of the UTC day, drawdown from the peak in percent).
        """
        day = timestamp // DAY_MS
        if self._day != day:
            self._day = day
            self._day_start = equity
        if self._peak is None or equity > self._peak:
            self._peak = equity
        drawdown = ZERO if self._peak <= 0 else (self._peak - equity) / self._peak * _HUNDRED
        return equity - self._day_start, drawdown
