"""Monte Carlo robustness: how final return and drawdown spread under resampling.

Three resamplings: ``reshuffle`` (the same trades in random order: same final return, different
drawdowns), ``bootstrap`` (trades drawn with replacement) and ``block`` (blocks of consecutive
bar returns drawn with replacement, keeping short-range dependence). Each run compounds its
returns from 1.0. Runs are split into fixed chunks with independent seeds spawned from ``seed``,
so a seed gives the same numbers on one core, many cores or a Dask cluster.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.backtest.data import FloatArray
from app.backtest.result import BacktestResult
from app.core.errors import BacktestError
from app.research.backends import Backend, InlineBackend
from app.research.progress import ProgressFn

METHODS: tuple[str, ...] = ("reshuffle", "bootstrap", "block")
DEFAULT_RUNS = 10_000
_CELLS_PER_CHUNK = 250_000
PERCENTILES: tuple[int, ...] = (5, 50, 95)


@dataclass(frozen=True, slots=True)
class MonteCarloResult:
    """Distributions of final return and maximum drawdown (percent) over the runs.

    ``ruin_probability`` is the share of runs whose drawdown exceeded ``ruin_pct``.
    """

    method: str
    runs: int
    seed: int
    samples: int
    block: int | None
    final_return_pct: FloatArray
    max_drawdown_pct: FloatArray
    ruin_pct: float
    elapsed_s: float
    cancelled: bool = False

    @property
    def ruin_probability(self) -> float:
        """Share of runs with a drawdown beyond ``ruin_pct`` (0..1)."""
        if not self.max_drawdown_pct.size:
            return 0.0
        return float(np.mean(self.max_drawdown_pct > self.ruin_pct))

    def percentiles(self, values: FloatArray) -> dict[str, float]:
        """The 5th, 50th and 95th percentiles of ``values``."""
        if not values.size:
            return {}
        found = np.percentile(values, PERCENTILES)
        return {f"p{level}": float(value) for level, value in zip(PERCENTILES, found, strict=True)}

    def to_dict(self, *, with_samples: bool = False) -> dict[str, Any]:
        """JSON-ready summary (and every run's figures with ``with_samples``)."""
        out: dict[str, Any] = {
            "kind": "montecarlo",
            "method": self.method,
            "runs": int(self.final_return_pct.size),
            "seed": self.seed,
            "samples": self.samples,
            "block": self.block,
            "final_return_pct": self.percentiles(self.final_return_pct),
            "max_drawdown_pct": self.percentiles(self.max_drawdown_pct),
            "ruin_pct": self.ruin_pct,
            "ruin_probability": self.ruin_probability,
            "elapsed_s": round(self.elapsed_s, 3),
            "cancelled": self.cancelled,
        }
        if with_samples:
            out["final_return_samples"] = self.final_return_pct.tolist()
            out["max_drawdown_samples"] = self.max_drawdown_pct.tolist()
        return out


def trade_returns(result: BacktestResult) -> FloatArray:
    """Each closed trade's net P&L as a fraction of the equity before its entry."""
    values = [
        float(trade.pnl) / float(result.equity[max(trade.entry_bar - 1, 0)])
        for trade in result.trades
    ]
    return np.asarray(values, dtype=np.float64)


def bar_returns(result: BacktestResult) -> FloatArray:
    """Return of every bar of the equity curve (the first from the initial capital)."""
    equity = result.equity
    previous = np.concatenate(([float(result.initial_capital)], equity[:-1]))
    returns: FloatArray = equity / previous - 1.0
    return returns


def _chunk_task(returns: FloatArray, item: tuple[str, int, int, np.random.SeedSequence]) -> Any:
    """Worker task: ``runs`` resampled paths -> (final returns %, max drawdowns %)."""
    method, runs, block, seed = item
    rng = np.random.default_rng(seed)
    n = returns.size
    if method == "reshuffle":
        paths = np.tile(returns, (runs, 1))
        rng.permuted(paths, axis=1, out=paths)
    elif method == "bootstrap":
        paths = returns[rng.integers(0, n, size=(runs, n))]
    else:
        blocks = math.ceil(n / block)
        starts = rng.integers(0, n - block + 1, size=(runs, blocks))
        index = (starts[:, :, None] + np.arange(block)).reshape(runs, blocks * block)[:, :n]
        paths = returns[index]
    growth = np.cumprod(1.0 + paths, axis=1)
    peaks = np.maximum.accumulate(np.maximum(growth, 1.0), axis=1)
    drawdown = ((peaks - growth) / peaks).max(axis=1) * 100.0
    final = (growth[:, -1] - 1.0) * 100.0
    return final, drawdown


def _identity(shared: FloatArray) -> FloatArray:
    return shared


def monte_carlo(
    returns: FloatArray,
    *,
    method: str = "reshuffle",
    runs: int = DEFAULT_RUNS,
    seed: int = 0,
    block: int = 24,
    ruin_pct: float = 50.0,
    backend: Backend | None = None,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> MonteCarloResult:
    """Resample ``returns`` ``runs`` times and collect final return and drawdown.

    Args:
        returns: per-trade returns (``reshuffle``/``bootstrap``) or per-bar returns
            (``block``), as fractions.
        method: ``reshuffle``, ``bootstrap`` or ``block``.
        runs: resampled paths.
        seed: random seed (same seed, same numbers on any backend).
        block: bars per block of the block bootstrap.
        ruin_pct: drawdown (percent) counted as ruin.
        backend: where to run (default: in this process).
        progress: called after each chunk of runs.
        cancel: set it to stop; the result then holds the finished runs.

    Returns:
        The :class:`MonteCarloResult`.

    Raises:
        BacktestError: unknown method, fewer than 2 returns, or bad sizes.
    """
    if method not in METHODS:
        raise BacktestError(f"Monte Carlo method {method!r} is unknown; use {', '.join(METHODS)}")
    series = np.ascontiguousarray(returns, dtype=np.float64)
    if series.size < 2:
        raise BacktestError(
            f"Monte Carlo needs at least 2 returns, got {series.size}; run a longer backtest "
            "or a strategy that trades more"
        )
    if runs < 1 or not 0 < ruin_pct <= 100:
        raise BacktestError("Monte Carlo: runs must be >= 1 and ruin_pct between 0 and 100")
    if method == "block" and not 1 <= block <= series.size:
        raise BacktestError(f"block must be between 1 and {series.size} bars, got {block}")
    chunk = max(1, _CELLS_PER_CHUNK // series.size)
    sizes = [min(chunk, runs - start) for start in range(0, runs, chunk)]
    seeds = np.random.SeedSequence(seed).spawn(len(sizes))
    items = [(method, size, block, child) for size, child in zip(sizes, seeds, strict=True)]
    started = time.monotonic()
    runner = backend or InlineBackend()
    found = runner.map(
        _identity, series, _chunk_task, items, progress=progress, cancel=cancel, label="montecarlo"
    )
    parts = found or []
    final = np.concatenate([part[0] for part in parts]) if parts else np.empty(0)
    drawdown = np.concatenate([part[1] for part in parts]) if parts else np.empty(0)
    return MonteCarloResult(
        method=method,
        runs=runs,
        seed=seed,
        samples=int(series.size),
        block=block if method == "block" else None,
        final_return_pct=final,
        max_drawdown_pct=drawdown,
        ruin_pct=ruin_pct,
        elapsed_s=time.monotonic() - started,
        cancelled=found is None,
    )
