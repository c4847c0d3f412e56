"""Float64 replay of the backtest engine for long-only runs without stops or risk checks.

The optimiser scores thousands of parameter sets; the engine's Decimal bookkeeping per trade is
exact but too slow for that. This replay follows the same contract (signal at the close of bar t
fills at the open of bar t+1 with adverse slippage, fees per fill, refusals when cash cannot
cover an entry at the signal close or at the fill, exits only after the entry fill, an open
position at the end is marked to market) in float64, so its metrics agree with
:func:`app.backtest.run_backtest` to float rounding. Runs it cannot replay (stops, shorts, a
risk manager) go through the engine itself (see :mod:`app.research.evaluator`).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

import numpy as np

from app.backtest.data import BoolArray, FloatArray


@dataclass(frozen=True, slots=True)
class Sizing:
    """How much each entry buys: exactly one of a fixed quantity, % of cash, quote amount."""

    kind: str
    value: float
    step: float = 1e-8

    def quantity(self, cash: float, price: float) -> float:
        """Units to buy at ``price`` with ``cash`` available, rounded down to ``step``."""
        if self.kind == "size":
            raw = self.value
        elif self.kind == "stake_pct":
            raw = cash * self.value / 100.0 / price
        else:
            raw = self.value / price
        return math.floor(raw / self.step + 1e-9) * self.step


@dataclass(frozen=True, slots=True)
class FastRun:
    """Equity path and closed-trade P&L of one replay."""

    equity: FloatArray
    position: FloatArray
    trade_pnl: FloatArray
    trade_returns: FloatArray
    bars_held: int


def replay_long(
    open_: FloatArray,
    close: FloatArray,
    entries: BoolArray,
    exits: BoolArray,
    *,
    cash: float,
    fee: float,
    slippage: float,
    sizing: Sizing,
) -> FastRun:
    """Replay long-only signals over the bars.

    Args:
        open_: open prices.
        close: close prices.
        entries: enter long at the close of these bars.
        exits: leave the position at the close of these bars.
        cash: initial capital.
        fee: fee fraction per fill.
        slippage: adverse slippage as a fraction of the price.
        sizing: the entry size rule.

    Returns:
        The equity and position at every close, each closed trade's net P&L and its return on
        the entry notional, and the total bars held by closed trades.
    """
    n = len(close)
    entry_bars: list[int] = np.flatnonzero(entries).tolist()
    exit_bars: list[int] = np.flatnonzero(exits).tolist()
    starts: list[int] = [0]
    cash_after: list[float] = [cash]
    held_qty: list[float] = [0.0]
    pnl: list[float] = []
    returns: list[float] = []
    held = 0
    bar = 0
    while True:
        at = bisect.bisect_left(entry_bars, bar)
        if at >= len(entry_bars) or entry_bars[at] >= n - 1:
            break
        signal = entry_bars[at]
        reference = float(close[signal])
        qty = sizing.quantity(cash, reference)
        fill = signal + 1
        price = float(open_[fill]) * (1.0 + slippage)
        if qty <= 0 or qty * reference * (1.0 + fee) > cash or qty * price * (1.0 + fee) > cash:
            bar = fill
            continue
        notional = qty * price
        entry_fee = notional * fee
        cash -= notional + entry_fee
        starts.append(fill)
        cash_after.append(cash)
        held_qty.append(qty)
        at = bisect.bisect_left(exit_bars, fill)
        if at >= len(exit_bars) or exit_bars[at] >= n - 1:
            break
        out = exit_bars[at] + 1
        exit_price = float(open_[out]) * (1.0 - slippage)
        proceeds = qty * exit_price
        exit_fee = proceeds * fee
        cash += proceeds - exit_fee
        net = proceeds - notional - entry_fee - exit_fee
        pnl.append(net)
        returns.append(net / notional)
        held += out - fill
        starts.append(out)
        cash_after.append(cash)
        held_qty.append(0.0)
        bar = out
    lengths = np.diff(np.append(np.asarray(starts, dtype=np.int64), n))
    cash_path = np.repeat(np.asarray(cash_after, dtype=np.float64), lengths)
    position = np.repeat(np.asarray(held_qty, dtype=np.float64), lengths)
    return FastRun(
        equity=cash_path + position * close,
        position=position,
        trade_pnl=np.asarray(pnl, dtype=np.float64),
        trade_returns=np.asarray(returns, dtype=np.float64),
        bars_held=held,
    )
