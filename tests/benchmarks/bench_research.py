"""Research speed: sma_cross grid search on 100,000 bars, and 10,000 Monte Carlo runs.

The bars replay the shared btc_usdt_5m.csv (see bench_backtest). The grid is sma_cross fast
5..50 step 5 x slow 20..200 step 10 (combinations with fast >= slow left out), fixed size 0.1,
fee 0.1 %. Ours runs on a local process pool of 1 and of 2 workers (combinations/s of the whole
grid, median of 3). Each repeat starts a fresh pool and warms it on a few combinations outside
the grid before timing, so the workers' remembered indicators (app.indicators.memo) start cold:
the figure is what a user's first search on a started pool gets, not a re-run from memory. The
pool start itself is a separate figure. The anchor is backtrader's ``optstrategy`` with
``maxcpus=2`` on the first combinations of the same grid (it needs seconds per combination, so
it is timed on a subset and quoted as combinations/s). Before timing, the best combination's
final equity is checked against backtrader's on the same bars. On a shared machine the
combinations per CPU second (in-process) show what one free core delivers.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import time
from functools import partial
from typing import Any

import backtrader as bt
import numpy as np
import pandas as pd

from app.research.backends import LocalBackend
from app.research.montecarlo import monte_carlo
from app.research.optimize import optimize
from app.research.settings import ResearchSettings
from app.research.space import SearchSpace
from app.strategies.builtin.sma_cross import SmaCross
from tests.backtest.bt_reference import BtSmaCross, run_backtrader
from tests.benchmarks.bench_backtest import replayed_bars
from tests.benchmarks.runner import Report, median_time

BARS = 100_000
CASH = "10000000"
SPECS = {"fast": "5:50:5", "slow": "20:200:10"}
BT_COMBOS = 6


class _BtOptSmaCross(bt.Strategy):  # type: ignore[misc]
    params: Any = (("fast", 10), ("slow", 30))

    def __init__(self) -> None:
        fast = bt.ind.SMA(self.data.close, period=self.p.fast)
        slow = bt.ind.SMA(self.data.close, period=self.p.slow)
        self.cross = bt.ind.CrossOver(fast, slow)

    def next(self) -> None:
        if not self.position:
            if self.cross[0] > 0:
                self.buy(size=0.1)
        elif self.cross[0] < 0:
            self.close()


def _backtrader_rate(bars: pd.DataFrame, combos: list[dict[str, Any]]) -> float:
    """Combinations per second of backtrader's optstrategy (2 processes) on ``combos``."""
    frame = bars.copy()
    frame.index = pd.to_datetime(frame["timestamp"], unit="ms")
    cerebro = bt.Cerebro(stdstats=False, maxcpus=2, optreturn=True)
    cerebro.adddata(
        bt.feeds.PandasData(
            dataname=frame[["open", "high", "low", "close", "volume"]], openinterest=None
        )
    )
    cerebro.broker.setcash(float(CASH))
    cerebro.broker.setcommission(commission=0.001)
    pairs = [(combo["fast"], combo["slow"]) for combo in combos]
    cerebro.optstrategy(_BtOptSmaCross, fast=[pairs[0][0]], slow=[pair[1] for pair in pairs])
    started = time.perf_counter()
    results = cerebro.run()
    elapsed = time.perf_counter() - started
    return len(results) / elapsed


def run(report: Report) -> None:
    """Record combinations/s on 1 and 2 workers, backtrader's rate and Monte Carlo time."""
    bars = replayed_bars(BARS)
    settings = ResearchSettings.create("sma_cross", size="0.1", cash=CASH)
    space = SearchSpace.from_strategy(SmaCross, SPECS)
    combos = len(space.grid())
    warm = SearchSpace.from_strategy(SmaCross, {"fast": "2,3", "slow": "4,5"})
    rates: dict[int, float] = {}
    starts: dict[int, float] = {}
    best: Any = None
    for workers in (1, 2):
        seconds, start_seconds = [], []
        for _ in range(3):
            started = time.perf_counter()
            with LocalBackend(workers) as backend:
                optimize(bars, settings, warm, backend=backend)
                start_seconds.append(time.perf_counter() - started)
                started = time.perf_counter()
                best = optimize(bars, settings, space, backend=backend, objective="sharpe").best
                seconds.append(time.perf_counter() - started)
        rates[workers] = combos / statistics.median(seconds)
        starts[workers] = statistics.median(start_seconds)
    assert best is not None
    cpu_started = time.process_time()
    optimize(bars, settings, space)
    cpu_rate = combos / (time.process_time() - cpu_started)
    reference = run_backtrader(BtSmaCross, bars, cash=float(CASH), **best.params)
    ours_final = best.score.metrics["final_equity"]
    if abs(ours_final - reference.final_value) > 1e-6 * reference.final_value:
        raise AssertionError(f"final equity {ours_final} != backtrader {reference.final_value}")
    subset = [combo for combo in space.grid() if combo["fast"] == 5][:BT_COMBOS]
    bt_rate = _backtrader_rate(bars, subset)
    note = (
        f"{combos} combinations, {BARS:,} bars, {multiprocessing.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    report.figure(
        "optimize sma_cross grid, 1 worker",
        rates[1],
        "combos/s",
        anchor=bt_rate,
        note=note + "; median of 3",
        lower_is_better=False,
    )
    report.figure(
        "optimize sma_cross grid, 2 workers",
        rates[2],
        "combos/s",
        goal=200,
        anchor=bt_rate,
        note=note + "; median of 3; anchor = backtrader optstrategy",
        lower_is_better=False,
    )
    report.figure(
        "optimize pool start, 2 workers",
        starts[2],
        "s",
        note="spawn the workers, ship the candles once, score one 4-combination grid; median of 3",
    )
    report.figure(
        "optimize sma_cross grid, combos per CPU second",
        cpu_rate,
        "combos/s",
        note="in-process, process CPU time of one run (what one free core delivers)",
        lower_is_better=False,
    )
    report.figure(
        "backtrader optstrategy, maxcpus=2",
        bt_rate,
        "combos/s",
        note=f"{len(subset)} combinations of the same grid, same bars; one run",
        lower_is_better=False,
    )
    report.figure(
        "optimize speed-up over backtrader (2 workers)",
        rates[2] / bt_rate,
        "x",
        note="same bars, same grid, same best-run final equity",
        lower_is_better=False,
    )
    returns = np.random.default_rng(1).normal(0.002, 0.02, 1000)
    for method in ("reshuffle", "bootstrap"):
        seconds = median_time(partial(monte_carlo, returns, method=method, runs=10_000, seed=1), 3)
        report.figure(
            f"Monte Carlo {method}, 10,000 runs x 1,000 trades",
            seconds,
            "s",
            goal=1.0,
            note="in-process (one core), median of 3",
        )
