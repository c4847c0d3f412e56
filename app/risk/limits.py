"""Risk limits: the user's rules, part of the settings, editable at run time.

Percentages are in percent (``3`` means 3 %). Every field is validated with a message that names
it, so the settings loader and the risk panel can show exactly what is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from typing import Any

from app.core.errors import ConfigError
from app.core.money import to_decimal

_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class RiskLimits:
    """Limits applied by the pre-trade checks and circuit breakers (backtest, paper and live)."""

    max_order_notional: Decimal = Decimal(1000)
    """Largest notional (quote currency) of one order."""
    max_position_pct: Decimal = Decimal(25)
    """Largest position in one symbol, % of equity."""
    max_total_exposure_pct: Decimal = Decimal(100)
    """Largest sum of all positions' absolute value, % of equity."""
    max_open_orders: int = 10
    """Most orders resting on the book at once."""
    daily_loss_pct: Decimal = Decimal(3)
    """Realised + unrealised loss since the day's start, % of the day's starting equity -> halt."""
    max_drawdown_pct: Decimal = Decimal(15)
    """Drawdown from the equity peak, % -> halt."""
    risk_per_trade_pct: Decimal = Decimal(1)
    """Equity risked per trade by volatility sizing, %."""
    price_band_pct: Decimal = Decimal(5)
    """A limit price further than this % from the last price is refused."""
    max_orders_per_second: int = 10
    """Order rate limit."""
    duplicate_window_ms: int = 2000
    """Same symbol/side/amount within this window is refused as a duplicate."""
    consecutive_losses: int = 3
    """Losing trades in a row that pause a strategy."""
    cooldown_minutes: int = 60
    """How long a paused strategy waits before trading again."""
    stop_loss_pct: Decimal | None = None
    """Default stop-loss distance, % of entry (strategies may override)."""
    take_profit_pct: Decimal | None = None
    """Default take-profit distance, % of entry (strategies may override)."""
    trailing_stop_pct: Decimal | None = None
    """Default trailing-stop distance, % of the best price since entry."""
    close_positions_on_kill: bool = False
    """Whether the kill switch also closes positions (it always cancels open orders)."""

    def problems(self, prefix: str = "risk") -> list[str]:
        """Every invalid field as ``"<prefix>.<field>: <problem>"``; empty when valid."""
        found: list[str] = []

        def check_pct(name: str, value: Decimal | None, *, optional: bool = False) -> None:
            if value is None:
                if not optional:
                    found.append(f"{prefix}.{name}: is required")
                return
            if not Decimal(0) < value <= _HUNDRED:
                found.append(f"{prefix}.{name}: must be between 0 and 100, got {value}")

        def check_positive_int(name: str, value: int, maximum: int) -> None:
            if not 1 <= value <= maximum:
                found.append(f"{prefix}.{name}: must be between 1 and {maximum}, got {value}")

        if self.max_order_notional <= 0:
            found.append(
                f"{prefix}.max_order_notional: must be greater than 0, "
                f"got {self.max_order_notional}"
            )
        check_pct("max_position_pct", self.max_position_pct)
        if not Decimal(0) < self.max_total_exposure_pct <= Decimal(1000):
            found.append(
                f"{prefix}.max_total_exposure_pct: must be between 0 and 1000, "
                f"got {self.max_total_exposure_pct}"
            )
        check_positive_int("max_open_orders", self.max_open_orders, 1000)
        check_pct("daily_loss_pct", self.daily_loss_pct)
        check_pct("max_drawdown_pct", self.max_drawdown_pct)
        check_pct("risk_per_trade_pct", self.risk_per_trade_pct)
        check_pct("price_band_pct", self.price_band_pct)
        check_positive_int("max_orders_per_second", self.max_orders_per_second, 1000)
        if not 0 <= self.duplicate_window_ms <= 3_600_000:
            found.append(
                f"{prefix}.duplicate_window_ms: must be between 0 and 3600000, "
                f"got {self.duplicate_window_ms}"
            )
        check_positive_int("consecutive_losses", self.consecutive_losses, 1000)
        if not 0 <= self.cooldown_minutes <= 10_080:
            found.append(
                f"{prefix}.cooldown_minutes: must be between 0 and 10080, "
                f"got {self.cooldown_minutes}"
            )
        check_pct("stop_loss_pct", self.stop_loss_pct, optional=True)
        if self.take_profit_pct is not None and not Decimal(0) < self.take_profit_pct <= Decimal(
            1000
        ):
            found.append(
                f"{prefix}.take_profit_pct: must be between 0 and 1000, got {self.take_profit_pct}"
            )
        check_pct("trailing_stop_pct", self.trailing_stop_pct, optional=True)
        return found

    def validated(self, prefix: str = "risk") -> RiskLimits:
        """Return self, or raise :class:`ConfigError` listing every problem."""
        found = self.problems(prefix)
        if found:
            raise ConfigError("; ".join(found))
        return self

    def to_mapping(self) -> dict[str, Any]:
        """Plain mapping for the settings file: Decimals as strings, ``None`` left out."""
        out: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value is None:
                continue
            out[item.name] = str(value) if isinstance(value, Decimal) else value
        return out

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], prefix: str = "risk") -> RiskLimits:
        """Build and validate limits from a settings mapping (strings/numbers), defaults for gaps.

        Raises:
            ConfigError: unknown field, wrong type or out-of-range value (all listed, by name).
        """
        known = {item.name: item for item in fields(cls)}
        problems: list[str] = []
        values: dict[str, Any] = {}
        for name, raw in data.items():
            item = known.get(name)
            if item is None:
                problems.append(f"{prefix}.{name}: unknown setting")
                continue
            default = item.default
            try:
                values[name] = _coerce(name, raw, default, prefix)
            except ValueError as exc:
                problems.append(str(exc))
        if problems:
            raise ConfigError("; ".join(problems))
        return replace(cls(), **values).validated(prefix)


def _coerce(name: str, raw: Any, default: Any, prefix: str) -> Any:
    field_name = f"{prefix}.{name}"
    if isinstance(default, bool):
        if not isinstance(raw, bool):
            raise ValueError(f"{field_name}: must be true or false, got {raw!r}")
        return raw
    if isinstance(default, int):
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueError(f"{field_name}: must be a whole number, got {raw!r}")
        return raw
    if raw is None or raw == "":
        if default is None:
            return None
        raise ValueError(f"{field_name}: is required")
    return to_decimal(raw, field=field_name)


CONSERVATIVE = RiskLimits(
    daily_loss_pct=Decimal(2), max_position_pct=Decimal(10), risk_per_trade_pct=Decimal("0.5")
)
MODERATE = RiskLimits(
    daily_loss_pct=Decimal(5), max_position_pct=Decimal(25), risk_per_trade_pct=Decimal(1)
)
PRESETS: dict[str, RiskLimits] = {"conservative": CONSERVATIVE, "moderate": MODERATE}
