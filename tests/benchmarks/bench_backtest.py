"""Backtest speed: this engine vs backtrader on sma_cross over the same 1,000,000 bars.

The bars replay the shared btc_usdt_5m.csv (65,741 real candles) end to end with shifted
timestamps. Both engines run sma_cross(10, 30) with fixed size 0.1, fee 0.1 %, next-open fills;
the run checks they made the same fills (bar, side, price, fee) before quoting speeds. Ours is
timed end to end (signals + simulation + metrics), median of 5; backtrader once (minutes).
"""

from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import Callable

import pandas as pd

from app.backtest import BacktestResult, run_backtest
from tests.backtest.bt_reference import BtRun, BtSmaCross, engine_fills, run_backtrader
from tests.benchmarks.runner import Report, median_time
from tests.conftest import shared_data_dir

BARS = 1_000_000
CASH = 10_000_000  # enough that no order is refused, so every crossing trades


def replayed_bars(count: int = BARS) -> pd.DataFrame:
    """``count`` bars: the 5-minute BTC/USDT file repeated, timestamps shifted to follow on."""
    source = pd.read_csv(shared_data_dir() / "btc_usdt_5m.csv")
    step = int(source["timestamp"].iloc[1] - source["timestamp"].iloc[0])
    span = int(source["timestamp"].iloc[-1] - source["timestamp"].iloc[0]) + step
    copies = -(-count // len(source))
    parts = [source.assign(timestamp=source["timestamp"] + index * span) for index in range(copies)]
    return pd.concat(parts, ignore_index=True).iloc[:count].reset_index(drop=True)


def run(report: Report) -> None:
    """Measure both engines on the same bars and record bars/s and the ratio."""
    bars = replayed_bars()

    def ours() -> None:
        run_backtest("sma_cross", bars, size="0.1", cash=CASH, fee="0.001")

    result = run_backtest("sma_cross", bars, size="0.1", cash=CASH, fee="0.001")
    ours_seconds = median_time(ours, repeats=5)
    ours_cpu = statistics.median(_cpu_seconds(ours) for _ in range(5))
    started = time.perf_counter()
    reference = run_backtrader(BtSmaCross, bars, cash=float(CASH))
    bt_seconds = time.perf_counter() - started
    _check_same_fills(result, reference)
    ours_rate, bt_rate = BARS / ours_seconds, BARS / bt_seconds
    note = (
        f"sma_cross 10/30 on {BARS:,} replayed 5m bars, {result.num_trades:,} trades, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    report.figure(
        "backtest sma_cross, bars/s", ours_rate, "bars/s", goal=1_000_000, anchor=bt_rate,
        note=note + "; median of 5; anchor = backtrader, same bars", lower_is_better=False,
    )  # fmt: skip
    report.figure(
        "backtest sma_cross, bars per CPU second", BARS / ours_cpu, "bars/s",
        note="process CPU time, median of 5 (less sensitive to other load on the machine)",
        lower_is_better=False,
    )  # fmt: skip
    report.figure(
        "backtrader sma_cross, bars/s", bt_rate, "bars/s",
        note=note + "; one run", lower_is_better=False,
    )  # fmt: skip
    report.figure(
        "backtest speed-up over backtrader", ours_rate / bt_rate, "x", goal=100,
        note="same bars, same fills, same run", lower_is_better=False,
    )  # fmt: skip


def _cpu_seconds(action: Callable[[], object]) -> float:
    started = time.process_time()
    action()
    return time.process_time() - started


def _check_same_fills(result: BacktestResult, reference: BtRun) -> None:
    """Raise when the two engines did not trade identically on the benchmark bars."""
    ours = engine_fills(result)
    if len(ours) != len(reference.fills):
        raise AssertionError(f"{len(ours)} fills vs backtrader's {len(reference.fills)}")
    for mine, theirs in zip(ours, reference.fills, strict=True):
        same = (
            mine.bar == theirs.bar
            and mine.is_buy == theirs.is_buy
            and math.isclose(mine.price, theirs.price, rel_tol=1e-12)
            and math.isclose(mine.commission, theirs.commission, rel_tol=1e-9)
        )
        if not same:
            raise AssertionError(f"fills differ: {mine} vs backtrader {theirs}")
