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
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

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
    refused: int = 0


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
        the entry notional, the total bars held by closed trades and the entries refused for
        want of cash.
    """
    replay = _Replay(open_, close, entries, exits, cash, fee, slippage, sizing)
    if sizing.kind == "size":
        quick = _replay_fixed(replay)
        if quick is not None:
            return quick
    return _replay_loop(replay)


@dataclass(frozen=True, slots=True)
class _Replay:
    """The inputs of one replay (see :func:`replay_long` for their meaning)."""

    open_: FloatArray
    close: FloatArray
    entries: BoolArray
    exits: BoolArray
    cash: float
    fee: float
    slippage: float
    sizing: Sizing


def _replay_loop(replay: _Replay) -> FastRun:
    """Trade by trade, sizing each entry from the cash at hand."""
    open_, close, cash, fee, slippage = (
        replay.open_,
        replay.close,
        replay.cash,
        replay.fee,
        replay.slippage,
    )
    sizing = replay.sizing
    n = len(close)
    entry_bars: list[int] = np.flatnonzero(replay.entries).tolist()
    exit_bars: list[int] = np.flatnonzero(replay.exits).tolist()
    starts: list[int] = [0]
    cash_after: list[float] = [cash]
    held_qty: list[float] = [0.0]
    pnl: list[float] = []
    returns: list[float] = []
    held = 0
    refused = 0
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
            refused += 1
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
    run = _finish(
        close,
        np.asarray(starts, dtype=np.int64),
        np.asarray(cash_after, dtype=np.float64),
        np.asarray(held_qty, dtype=np.float64),
        np.asarray(pnl, dtype=np.float64),
        np.asarray(returns, dtype=np.float64),
        held,
    )
    return replace(run, refused=refused)


def _replay_fixed(replay: _Replay) -> FastRun | None:
    """Vectorised replay of a fixed quantity; None when some entry would be refused.

    Every round trip is found by pointer-chasing precomputed "next exit after the fill" and
    "next entry after the exit" indices; cash then follows with one cumulative sum (the same
    left-to-right additions as the trade-by-trade loop). If any entry could not be paid for,
    the caller falls back to the loop, which refuses it and carries on exactly as the engine.
    """
    close, cash, fee = replay.close, replay.cash, replay.fee
    n = len(close)
    qty = replay.sizing.quantity(cash, 1.0)
    entry_bars = np.flatnonzero(replay.entries[: n - 1])
    if qty <= 0 or entry_bars.size == 0:
        return None if qty <= 0 else _flat(close, cash)
    exit_bars = np.flatnonzero(replay.exits[: n - 1])
    at = np.searchsorted(exit_bars, entry_bars + 1)
    closes = at < exit_bars.size
    outs = np.full(entry_bars.size, n, dtype=np.int64)
    outs[closes] = exit_bars[at[closes]] + 1
    following = np.searchsorted(entry_bars, outs).tolist()
    closed_flags = closes.tolist()
    chain: list[int] = []
    index = 0
    while index < entry_bars.size:
        chain.append(index)
        if not closed_flags[index]:
            break
        index = following[index]
    picked = np.asarray(chain, dtype=np.int64)
    signal = entry_bars[picked]
    fill = signal + 1
    price_in = replay.open_[fill] * (1.0 + replay.slippage)
    notional = qty * price_in
    entry_fee = notional * fee
    out = outs[picked]
    closed = out < n
    done = int(closed.sum())
    price_out = replay.open_[out[:done]] * (1.0 - replay.slippage)
    proceeds = qty * price_out
    exit_fee = proceeds * fee
    deltas = np.empty(len(chain) + done + 1, dtype=np.float64)
    deltas[0] = cash
    deltas[1::2][: len(chain)] = -(notional + entry_fee)
    deltas[2::2][:done] = proceeds - exit_fee
    path = np.cumsum(deltas)
    before = path[0:-1:2][: len(chain)]
    worst = np.maximum(close[signal], price_in) * qty * (1.0 + fee)
    if (worst > before).any():
        return None
    starts = np.empty(len(chain) + done + 1, dtype=np.int64)
    starts[0] = 0
    starts[1::2][: len(chain)] = fill
    starts[2::2][:done] = out[:done]
    held_qty = np.zeros(len(starts), dtype=np.float64)
    held_qty[1::2] = qty
    net = proceeds - notional[:done] - entry_fee[:done] - exit_fee
    return _finish(
        close,
        starts,
        path,
        held_qty,
        net,
        net / notional[:done],
        int((out[:done] - fill[:done]).sum()),
    )


def _flat(close: FloatArray, cash: float) -> FastRun:
    empty = np.empty(0, dtype=np.float64)
    return _finish(
        close, np.zeros(1, dtype=np.int64), np.array([cash]), np.zeros(1), empty, empty, 0
    )


def _finish(
    close: FloatArray,
    starts: npt.NDArray[np.int64],
    cash_after: FloatArray,
    held_qty: FloatArray,
    pnl: FloatArray,
    returns: FloatArray,
    held: int,
) -> FastRun:
    """Expand the account changes (bar, cash, position) into per-bar arrays."""
    lengths = np.diff(np.append(starts, len(close)))
    cash_path = np.repeat(cash_after, lengths)
    position = np.repeat(held_qty, lengths)
    return FastRun(
        equity=cash_path + position * close,
        position=position,
        trade_pnl=pnl,
        trade_returns=returns,
        bars_held=held,
    )
