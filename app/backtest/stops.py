"""Vectorised stop-loss / take-profit / trailing-stop search inside one holding segment."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.backtest.data import FloatArray


@dataclass(frozen=True, slots=True)
class StopRule:
    """Stop distances as fractions (0.02 = 2 %); None disables that stop."""

    stop_loss: float | None = None
    take_profit: float | None = None
    trailing: float | None = None

    @property
    def active(self) -> bool:
        """True when at least one stop is set."""
        return not (self.stop_loss is None and self.take_profit is None and self.trailing is None)


@dataclass(frozen=True, slots=True)
class StopHit:
    """Where and at what (pre-slippage) price a stop closed the position."""

    bar: int
    price: float
    reason: str


def find_stop(
    rule: StopRule,
    is_long: bool,
    entry_price: float,
    entry_bar: int,
    first: int,
    last: int,
    prices: tuple[FloatArray, FloatArray, FloatArray],
) -> StopHit | None:
    """First bar in ``first..last`` (inclusive) where a stop or the target triggers.

    Levels are relative to ``entry_price``; the trailing stop follows the best high (long) or low
    (short) of the bars *before* the one being tested, starting at the entry bar. If the stop and
    the target could both trigger in one bar the stop is assumed (worst case); a bar that opens
    beyond a level fills at its open.

    Args:
        rule: the stop distances.
        is_long: position direction.
        entry_price: fill price of the entry.
        entry_bar: bar of the entry fill (start of the trailing reference).
        first: first bar to test (>= entry_bar).
        last: last bar to test.
        prices: (open, high, low) arrays of the whole run.

    Returns:
        The hit, or None when no level is touched in the range.
    """
    opens, highs, lows = prices
    stop_level = _stop_levels(rule, is_long, entry_price, entry_bar, first, last, highs, lows)
    window = slice(first, last + 1)
    if is_long:
        hit_stop = lows[window] <= stop_level if stop_level is not None else None
        target = None if rule.take_profit is None else entry_price * (1.0 + rule.take_profit)
        hit_target = highs[window] >= target if target is not None else None
    else:
        hit_stop = highs[window] >= stop_level if stop_level is not None else None
        target = None if rule.take_profit is None else entry_price * (1.0 - rule.take_profit)
        hit_target = lows[window] <= target if target is not None else None
    if hit_stop is None and hit_target is None:
        return None
    if hit_stop is None:
        hit = hit_target
    elif hit_target is None:
        hit = hit_stop
    else:
        hit = hit_stop | hit_target
    assert hit is not None
    offset = int(np.argmax(hit))
    if not hit[offset]:
        return None
    bar = first + offset
    open_price = float(opens[bar])
    if hit_stop is not None and hit_stop[offset]:
        assert stop_level is not None
        level = stop_level if isinstance(stop_level, float) else float(stop_level[offset])
        price = min(open_price, level) if is_long else max(open_price, level)
        return StopHit(bar, price, _stop_reason(rule, is_long, entry_price, level))
    assert target is not None
    price = max(open_price, target) if is_long else min(open_price, target)
    return StopHit(bar, price, "take_profit")


def _stop_levels(
    rule: StopRule,
    is_long: bool,
    entry_price: float,
    entry_bar: int,
    first: int,
    last: int,
    highs: FloatArray,
    lows: FloatArray,
) -> FloatArray | float | None:
    fixed: float | None = None
    if rule.stop_loss is not None:
        fixed = entry_price * (1.0 - rule.stop_loss if is_long else 1.0 + rule.stop_loss)
    if rule.trailing is None:
        return fixed
    extreme_source = highs if is_long else lows
    # Best price of the bars before each tested bar: entry price, then bars entry_bar..bar-1.
    history = np.empty(last + 1 - entry_bar, dtype=np.float64)
    history[0] = entry_price
    history[1:] = extreme_source[entry_bar:last]
    if is_long:
        best = np.maximum.accumulate(np.maximum(history, entry_price))
        trailing = best * (1.0 - rule.trailing)
        levels = trailing if fixed is None else np.maximum(trailing, fixed)
    else:
        best = np.minimum.accumulate(np.minimum(history, entry_price))
        trailing = best * (1.0 + rule.trailing)
        levels = trailing if fixed is None else np.minimum(trailing, fixed)
    result: FloatArray = levels[first - entry_bar :]
    return result


def _stop_reason(rule: StopRule, is_long: bool, entry_price: float, level: float) -> str:
    if rule.trailing is None:
        return "stop_loss"
    if rule.stop_loss is None:
        return "trailing_stop"
    fixed = entry_price * (1.0 - rule.stop_loss if is_long else 1.0 + rule.stop_loss)
    return "stop_loss" if level == fixed else "trailing_stop"
