"""Settings of one backtest run, validated with messages that name the setting and the fix."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.core.errors import BacktestError
from app.core.money import ZERO, DecimalLike, to_decimal

DEFAULT_QTY_STEP = Decimal("0.00000001")
_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class BacktestConfig:
    """Money and execution settings of a backtest.

    ``fee`` is a fraction of notional per fill (``0.001`` = 0.1 %); ``slippage_bps`` moves every
    fill price against the trader; the ``*_pct`` stops are percent of the entry price (trailing:
    of the best price since entry). ``timeframe_ms`` None means inferred from the timestamps.
    """

    cash: Decimal = Decimal(10_000)
    fee: Decimal = Decimal("0.001")
    slippage_bps: Decimal = ZERO
    stop_loss_pct: Decimal | None = None
    take_profit_pct: Decimal | None = None
    trailing_stop_pct: Decimal | None = None
    allow_short: bool = False
    qty_step: Decimal = DEFAULT_QTY_STEP
    timeframe_ms: int | None = None

    def problems(self) -> list[str]:
        """Every invalid setting as ``"<name>: <problem>"``; empty when valid."""
        found: list[str] = []
        if self.cash <= 0:
            found.append(f"cash: must be greater than 0, got {self.cash}")
        if not ZERO <= self.fee < Decimal("0.5"):
            found.append(
                f"fee: must be a fraction of notional between 0 and 0.5 "
                f"(0.001 = 0.1 %), got {self.fee}"
            )
        if not ZERO <= self.slippage_bps < Decimal(1000):
            found.append(f"slippage_bps: must be between 0 and 1000, got {self.slippage_bps}")
        for name in ("stop_loss_pct", "trailing_stop_pct"):
            value = getattr(self, name)
            if value is not None and not ZERO < value < _HUNDRED:
                found.append(f"{name}: must be between 0 and 100 (percent), got {value}")
        if self.take_profit_pct is not None and not ZERO < self.take_profit_pct <= Decimal(1000):
            found.append(
                f"take_profit_pct: must be between 0 and 1000 (percent), got {self.take_profit_pct}"
            )
        if self.qty_step <= 0:
            found.append(f"qty_step: must be greater than 0, got {self.qty_step}")
        if self.timeframe_ms is not None and self.timeframe_ms <= 0:
            found.append(f"timeframe_ms: must be greater than 0, got {self.timeframe_ms}")
        return found

    def validated(self) -> BacktestConfig:
        """Return self, or raise :class:`BacktestError` listing every problem."""
        found = self.problems()
        if found:
            raise BacktestError("; ".join(found))
        return self


def optional_decimal(value: DecimalLike | None, field: str) -> Decimal | None:
    """``None`` stays ``None``; anything else becomes a Decimal (see :func:`to_decimal`).

    Raises:
        BacktestError: the value is not a finite number.
    """
    if value is None:
        return None
    return required_decimal(value, field)


def required_decimal(value: DecimalLike, field: str) -> Decimal:
    """``value`` as a Decimal.

    Raises:
        BacktestError: the value is not a finite number (the message names ``field``).
    """
    try:
        return to_decimal(value, field=field)
    except ValueError as exc:
        raise BacktestError(str(exc)) from exc
