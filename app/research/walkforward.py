"""Walk-forward analysis: optimise on each train window, trade the next test window unseen.

Windows are rolling (the train window slides by the test length) or anchored (the train window
always starts at the first bar and grows). Train and test windows never overlap: the test window
starts at the bar after the train window ends, and consecutive test windows are contiguous, so
their equity curves stitch into one out-of-sample curve. The strategy may read the bars before a
test window to warm up its indicators, but trades only inside it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from app.core.errors import BacktestError
from app.research.backends import Backend, InlineBackend
from app.research.evaluator import Evaluator, Score, Window
from app.research.optimize import OptimizationResult, build_evaluator, optimize
from app.research.progress import Progress, ProgressFn
from app.research.settings import ResearchSettings
from app.research.space import SearchSpace


@dataclass(frozen=True, slots=True)
class Split:
    """One walk-forward step: train on rows ``[train_start, train_stop)``, test on the next."""

    train_start: int
    train_stop: int
    test_stop: int

    @property
    def test_start(self) -> int:
        """First test row (the row after the train window)."""
        return self.train_stop


def make_splits(bars: int, train: int, test: int, *, anchored: bool = False) -> list[Split]:
    """The walk-forward windows over ``bars`` rows.

    Args:
        bars: rows of data.
        train: rows per train window (the first one when anchored).
        test: rows per test window; the last window may be shorter (at least half).
        anchored: every train window starts at row 0.

    Returns:
        The splits, oldest first.

    Raises:
        BacktestError: the sizes are not positive or leave no complete split.
    """
    if train < 2 or test < 2:
        raise BacktestError(f"walk-forward: train ({train}) and test ({test}) need >= 2 bars each")
    splits: list[Split] = []
    start = 0
    while True:
        train_stop = start + train if not anchored else train + len(splits) * test
        if train_stop >= bars:
            break
        test_stop = min(train_stop + test, bars)
        if test_stop - train_stop < max(2, test // 2):
            break
        splits.append(Split(0 if anchored else start, train_stop, test_stop))
        start += test
    if not splits:
        raise BacktestError(
            f"walk-forward: {bars} bars hold no train window of {train} plus a test window of "
            f"{test}; use shorter windows or more data"
        )
    return splits


@dataclass(frozen=True, slots=True)
class WalkForwardStep:
    """The best in-sample parameters of one split and how they did on its test window."""

    split: Split
    params: dict[str, Any] | None
    in_sample: dict[str, float | None]
    out_of_sample: dict[str, float | None]
    objective_in: float | None
    oos_equity: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class WalkForwardResult:
    """Every step, the stitched out-of-sample equity and the walk-forward efficiency.

    ``efficiency`` is the out-of-sample return per bar over the in-sample return per bar (both
    averaged over the steps with a qualifying optimum); None when the in-sample return is not
    positive. About 0.5 or more suggests the optimum carries over; near 0 or negative suggests
    over-fitting.
    """

    strategy: str
    objective: str
    anchored: bool
    steps: tuple[WalkForwardStep, ...]
    timestamps: tuple[int, ...]
    equity: tuple[float, ...]
    initial_capital: float
    efficiency: float | None
    elapsed_s: float
    cancelled: bool = False

    @property
    def oos_return_pct(self) -> float:
        """Return of the stitched out-of-sample curve, %."""
        if not self.equity:
            return 0.0
        return (self.equity[-1] / self.initial_capital - 1.0) * 100.0

    @property
    def oos_max_drawdown_pct(self) -> float:
        """Largest fall of the stitched curve from its running peak, %."""
        if not self.equity:
            return 0.0
        curve = np.asarray(self.equity)
        peaks = np.maximum.accumulate(np.maximum(curve, self.initial_capital))
        return float(((peaks - curve) / peaks).max() * 100.0)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready report."""
        return {
            "kind": "walkforward",
            "strategy": self.strategy,
            "objective": self.objective,
            "anchored": self.anchored,
            "efficiency": self.efficiency,
            "oos_return_pct": self.oos_return_pct,
            "oos_max_drawdown_pct": self.oos_max_drawdown_pct,
            "elapsed_s": round(self.elapsed_s, 3),
            "cancelled": self.cancelled,
            "steps": [
                {
                    "train": [step.split.train_start, step.split.train_stop],
                    "test": [step.split.test_start, step.split.test_stop],
                    "params": step.params,
                    "objective_in_sample": step.objective_in,
                    "in_sample": step.in_sample,
                    "out_of_sample": step.out_of_sample,
                }
                for step in self.steps
            ],
            "equity": {"timestamp": list(self.timestamps), "equity": list(self.equity)},
        }


def _test_task(evaluator: Evaluator, item: tuple[dict[str, Any], Window]) -> Score:
    params, window = item
    return evaluator.score(params, window, keep_equity=True)


def walk_forward(
    candles: pd.DataFrame,
    settings: ResearchSettings,
    space: SearchSpace,
    *,
    train: int,
    test: int,
    anchored: bool = False,
    method: str = "grid",
    objective: str = "sharpe",
    min_trades: int = 1,
    trials: int = 100,
    seed: int = 0,
    backend: Backend | None = None,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> WalkForwardResult:
    """Optimise on each train window and evaluate the optimum on the following test window.

    Args:
        candles: the candles.
        settings: strategy, money and sizing settings.
        space: the searched parameters.
        train: bars per train window.
        test: bars per test window.
        anchored: grow the train window from the first bar instead of rolling it.
        method: search method per train window (see :func:`~app.research.optimize.optimize`).
        objective: what the search maximises.
        min_trades: in-sample runs with fewer trades are not ranked.
        trials: runs per random/TPE search.
        seed: search seed.
        backend: where to run (default: in this process).
        progress: called as the searches advance (units: parameter sets of all splits).
        cancel: set it to stop; the result holds the splits finished before.

    Returns:
        The :class:`WalkForwardResult`.

    Raises:
        BacktestError: bad window sizes or search settings.
    """
    runner = backend or InlineBackend()
    splits = make_splits(len(candles), train, test, anchored=anchored)
    started = time.monotonic()
    shared = (candles, settings.with_fixed(dict(space.fixed)))
    steps: list[WalkForwardStep] = []
    cancelled = False
    for number, split in enumerate(splits):
        if cancel is not None and cancel.is_set():
            cancelled = True
            break
        window = Window(split.train_start, split.train_start, split.train_stop)
        found = optimize(
            candles,
            settings,
            space,
            method=method,
            objective=objective,
            min_trades=min_trades,
            trials=trials,
            seed=seed,
            window=window,
            backend=runner,
            cancel=cancel,
            progress=_split_progress(progress, number, len(splits), started),
        )
        if found.cancelled:
            cancelled = True
            break
        steps.append(_test_step(found, split, runner, shared, build_evaluator))
    cash = float(settings.config.cash)
    stamps, equity = _stitch(candles, steps, cash)
    return WalkForwardResult(
        strategy=settings.strategy,
        objective=objective,
        anchored=anchored,
        steps=tuple(steps),
        timestamps=stamps,
        equity=equity,
        initial_capital=cash,
        efficiency=_efficiency(steps),
        elapsed_s=time.monotonic() - started,
        cancelled=cancelled,
    )


def _split_progress(
    progress: ProgressFn | None, number: int, splits: int, started: float
) -> ProgressFn | None:
    """Scale the progress of split ``number``'s search to the whole walk-forward."""
    if progress is None:
        return None

    def report(inner: Progress) -> None:
        total = inner.total * splits
        done = inner.total * number + inner.done
        elapsed = time.monotonic() - started
        eta = elapsed / done * (total - done) if done else None
        progress(Progress("walkforward", done, total, elapsed, eta))

    return report


def _test_step(
    found: OptimizationResult,
    split: Split,
    runner: Backend,
    shared: tuple[pd.DataFrame, ResearchSettings],
    setup: Any,
) -> WalkForwardStep:
    best = found.best
    if best is None:
        return WalkForwardStep(split, None, {}, {}, None, ())
    window = Window(split.train_start, split.test_start, split.test_stop)
    scored = runner.map(setup, shared, _test_task, [(best.params, window)], label="walkforward")
    assert scored is not None
    oos = scored[0]
    return WalkForwardStep(
        split, dict(best.params), best.score.metrics, oos.metrics, best.value, oos.equity
    )


def _stitch(
    candles: pd.DataFrame, steps: list[WalkForwardStep], cash: float
) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """Chain the test windows' equity (a step with no optimum stays flat in cash)."""
    stamps = candles["timestamp"].to_numpy()
    times: list[int] = []
    curve: list[float] = []
    level = cash
    for step in steps:
        span = stamps[step.split.test_start : step.split.test_stop]
        if step.oos_equity:
            path = np.asarray(step.oos_equity) / cash * level
        else:
            path = np.full(len(span), level)
        times.extend(int(value) for value in span)
        curve.extend(float(value) for value in path)
        level = curve[-1]
    return tuple(times), tuple(curve)


def _efficiency(steps: list[WalkForwardStep]) -> float | None:
    pairs = [
        (
            (step.in_sample.get("total_return_pct") or 0.0)
            / (step.split.train_stop - step.split.train_start),
            (step.out_of_sample.get("total_return_pct") or 0.0)
            / (step.split.test_stop - step.split.test_start),
        )
        for step in steps
        if step.params is not None
    ]
    if not pairs:
        return None
    in_rate = sum(pair[0] for pair in pairs) / len(pairs)
    out_rate = sum(pair[1] for pair in pairs) / len(pairs)
    return out_rate / in_rate if in_rate > 0 else None
