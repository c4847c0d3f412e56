"""Vectorised stop-loss / take-profit / trailing-stop search inside one holding segment."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from app.backtest.data import FloatArray

_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class StopRule:
    """Stop distances in percent (``Decimal("2")`` = 2 %); None disables that stop."""

    stop_loss_pct: Decimal | None = None
    take_profit_pct: Decimal | None = None
    trailing_pct: Decimal | None = None

    @property
    def active(self) -> bool:
        """True when at least one stop is set."""
        return not (
            self.stop_loss_pct is None
            and self.take_profit_pct is None
            and self.trailing_pct is None
        )

    def fill_price(
        self, hit: StopHit, is_long: bool, entry_price: Decimal, open_price: Decimal
    ) -> Decimal:
        """Exact (Decimal) pre-slippage fill price of ``hit``: the level, or the open on a gap."""
        if hit.reason == "take_profit":
            assert self.take_profit_pct is not None
            level = entry_price * (1 + _signed(self.take_profit_pct, is_long))
            return max(open_price, level) if is_long else min(open_price, level)
        if hit.reason == "trailing_stop":
            assert self.trailing_pct is not None
            level = Decimal(repr(hit.anchor)) * (1 - _signed(self.trailing_pct, is_long))
        else:
            assert self.stop_loss_pct is not None
            level = entry_price * (1 - _signed(self.stop_loss_pct, is_long))
        return min(open_price, level) if is_long else max(open_price, level)


@dataclass(frozen=True, slots=True)
class StopHit:
    """The bar where a stop or target triggered, why, and the price it is measured from.

    ``anchor`` is the best price since entry for a trailing stop, else the entry price.
    """

    bar: int
    reason: str
    anchor: float


def _signed(pct: Decimal, is_long: bool) -> Decimal:
    fraction = pct / _HUNDRED
    return fraction if is_long else -fraction


def _fraction(pct: Decimal | None) -> float | None:
    return None if pct is None else float(pct / _HUNDRED)


def find_stop(
    rule: StopRule,
    is_long: bool,
    entry_price: float,
    entry_bar: int,
    first: int,
    last: int,
    prices: tuple[FloatArray, FloatArray],
) -> StopHit | None:
    """First bar in ``first..last`` (inclusive) where a stop or the target triggers.

    Levels are relative to ``entry_price``; the trailing stop follows the best high (long) or low
    (short) of the bars *before* the one being tested, starting at the entry bar. If the stop and
    the target could both trigger in one bar the stop is assumed (worst case). The exact fill
    price (the level, or the open when the bar gaps through it) is :meth:`StopRule.fill_price`.

    Args:
        rule: the stop distances.
        is_long: position direction.
        entry_price: fill price of the entry.
        entry_bar: bar of the entry fill (start of the trailing reference).
        first: first bar to test (>= entry_bar).
        last: last bar to test.
        prices: (high, low) arrays of the whole run.

    Returns:
        The hit, or None when no level is touched in the range.
    """
    highs, lows = prices
    stop_loss, take_profit = _fraction(rule.stop_loss_pct), _fraction(rule.take_profit_pct)
    trailing = _fraction(rule.trailing_pct)
    stop_level, best = _stop_levels(
        (stop_loss, trailing), is_long, entry_price, entry_bar, first, last, (highs, lows)
    )
    window = slice(first, last + 1)
    if is_long:
        hit_stop = lows[window] <= stop_level if stop_level is not None else None
        target = None if take_profit is None else entry_price * (1.0 + take_profit)
        hit_target = highs[window] >= target if target is not None else None
    else:
        hit_stop = highs[window] >= stop_level if stop_level is not None else None
        target = None if take_profit is None else entry_price * (1.0 - take_profit)
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
    if hit_stop is None or not hit_stop[offset]:
        return StopHit(bar, "take_profit", entry_price)
    if trailing is None or best is None:
        return StopHit(bar, "stop_loss", entry_price)
    extreme = float(best[offset])
    trail_level = extreme * (1.0 - trailing if is_long else 1.0 + trailing)
    if stop_loss is not None:
        fixed = entry_price * (1.0 - stop_loss if is_long else 1.0 + stop_loss)
        if (fixed >= trail_level) if is_long else (fixed <= trail_level):
            return StopHit(bar, "stop_loss", entry_price)
    return StopHit(bar, "trailing_stop", extreme)


def _stop_levels(
    distances: tuple[float | None, float | None],
    is_long: bool,
    entry_price: float,
    entry_bar: int,
    first: int,
    last: int,
    extremes: tuple[FloatArray, FloatArray],
) -> tuple[FloatArray | float | None, FloatArray | None]:
    """Stop level per tested bar (or one fixed level) and the best price before each bar."""
    stop_loss, trailing = distances
    fixed: float | None = None
    if stop_loss is not None:
        fixed = entry_price * (1.0 - stop_loss if is_long else 1.0 + stop_loss)
    if trailing is None:
        return fixed, None
    source = extremes[0] if is_long else extremes[1]
    # Best price of the bars before each tested bar: entry price, then bars entry_bar..bar-1.
    history = np.empty(last + 1 - entry_bar, dtype=np.float64)
    history[0] = entry_price
    history[1:] = source[entry_bar:last]
    if is_long:
        best = np.maximum.accumulate(np.maximum(history, entry_price))
        trail = best * (1.0 - trailing)
        levels = trail if fixed is None else np.maximum(trail, fixed)
    else:
        best = np.minimum.accumulate(np.minimum(history, entry_price))
        trail = best * (1.0 + trailing)
        levels = trail if fixed is None else np.minimum(trail, fixed)
    skip = first - entry_bar
    return levels[skip:], best[skip:]
