"""Protective exits: stop-loss, take-profit and trailing stop as percentages of the entry.

The risk limits hold the defaults; a strategy may override each one (``None`` switches it off).
Prices are Decimal; levels are rounded to the tick when the caller gives one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from app.core.enums import Side
from app.core.errors import ConfigError
from app.core.money import round_price
from app.risk.limits import RiskLimits

_HUNDRED = Decimal(100)
STOP_FIELDS = ("stop_loss_pct", "take_profit_pct", "trailing_stop_pct")
_MAXIMUM = {
    "stop_loss_pct": _HUNDRED,
    "take_profit_pct": Decimal(1000),
    "trailing_stop_pct": _HUNDRED,
}

StopOverrides = Mapping[str, Decimal | None]
"""A strategy's overrides keyed by ``stop_loss_pct``, ``take_profit_pct``, ``trailing_stop_pct``."""


@dataclass(frozen=True, slots=True)
class StopLevels:
    """Exit prices of one position; ``None`` means that exit is off."""

    side: Side
    entry_price: Decimal
    stop_loss: Decimal | None
    take_profit: Decimal | None
    trailing_stop_pct: Decimal | None

    def exit_in_bar(self, low: Decimal, high: Decimal) -> tuple[str, Decimal] | None:
        """Which fixed exit a bar touched, assuming the stop when both could trigger.

        Args:
            low: the bar's low.
            high: the bar's high.

        Returns:
            ``("stop_loss", price)``, ``("take_profit", price)`` or ``None``.
        """
        long = self.side is Side.BUY
        stop, target = self.stop_loss, self.take_profit
        if stop is not None and (low <= stop if long else high >= stop):
            return ("stop_loss", stop)
        if target is not None and (high >= target if long else low <= target):
            return ("take_profit", target)
        return None


def _validate(overrides: StopOverrides) -> None:
    problems: list[str] = []
    for key, value in overrides.items():
        if key not in _MAXIMUM:
            problems.append(f"strategy.{key}: unknown stop setting; use one of {STOP_FIELDS}")
        elif value is not None and not Decimal(0) < value <= _MAXIMUM[key]:
            problems.append(f"strategy.{key}: must be between 0 and {_MAXIMUM[key]}, got {value}")
    if problems:
        raise ConfigError("; ".join(problems))


def resolve_stop_levels(
    limits: RiskLimits,
    side: Side,
    entry_price: Decimal,
    overrides: StopOverrides | None = None,
    *,
    tick_size: Decimal | None = None,
) -> StopLevels:
    """Stop-loss / take-profit prices and trailing distance for a new position.

    Args:
        limits: risk defaults.
        side: the entry side (BUY opens a long, SELL a short).
        entry_price: the fill price.
        overrides: the strategy's values; a present key wins, ``None`` turns that exit off.
        tick_size: when given, levels are rounded to the nearest tick.

    Returns:
        The resolved levels.

    Raises:
        ConfigError: an override is unknown or out of range (the message names it).
    """
    chosen = {name: getattr(limits, name) for name in STOP_FIELDS}
    if overrides:
        _validate(overrides)
        chosen.update(overrides)
    direction = Decimal(side.sign)
    stop_pct, target_pct = chosen["stop_loss_pct"], chosen["take_profit_pct"]
    stop = None if stop_pct is None else entry_price * (1 - direction * stop_pct / _HUNDRED)
    target = None if target_pct is None else entry_price * (1 + direction * target_pct / _HUNDRED)
    if tick_size is not None:
        stop = None if stop is None else round_price(stop, tick_size)
        target = None if target is None else round_price(target, tick_size)
    return StopLevels(side, entry_price, stop, target, chosen["trailing_stop_pct"])


class TrailingStop:
    """A stop that follows the best price since entry at a fixed percentage distance."""

    __slots__ = ("best", "fraction", "side")

    def __init__(self, side: Side, entry_price: Decimal, pct: Decimal) -> None:
        """Start trailing from ``entry_price``.

        Args:
            side: entry side of the position (BUY = long).
            entry_price: fill price of the entry.
            pct: distance from the best price, in percent.
        """
        self.side = side
        self.best = entry_price
        self.fraction = pct / _HUNDRED

    @property
    def level(self) -> Decimal:
        """Current stop price."""
        if self.side is Side.BUY:
            return self.best * (1 - self.fraction)
        return self.best * (1 + self.fraction)

    def update(self, low: Decimal, high: Decimal) -> Decimal | None:
        """Check one bar against the current level, then ratchet to the bar's best price.

        Args:
            low: the bar's low.
            high: the bar's high.

        Returns:
            The stop price when the bar crossed it, else ``None``.
        """
        level = self.level
        if self.side is Side.BUY:
            if low <= level:
                return level
            self.best = max(self.best, high)
        else:
            if high >= level:
                return level
            self.best = min(self.best, low)
        return None
