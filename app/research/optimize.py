"""Parameter optimisation: grid, random and Optuna TPE search over a strategy's schema.

``optimize(candles, settings, space, ...)`` scores parameter sets in parallel on a
:mod:`~app.research.backends` backend (local processes by default, or Dask) and ranks them by
an objective (Sharpe, Sortino, Calmar, total return, profit factor) among the runs with at least
``min_trades`` closed trades. Searches are deterministic for a seed whatever the backend: random
samples are drawn up front and Optuna asks for fixed-size batches.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from app.core.errors import BacktestError
from app.research.allocator import prefer_heap_for_large_arrays
from app.research.backends import Backend, InlineBackend
from app.research.evaluator import Evaluator, Score, Window
from app.research.objectives import check_objective, objective_value
from app.research.progress import ProgressClock, ProgressFn
from app.research.settings import ResearchSettings
from app.research.space import SearchSpace

logger = logging.getLogger(__name__)

METHODS: tuple[str, ...] = ("grid", "random", "tpe")
TPE_BATCH = 16


def build_evaluator(shared: tuple[pd.DataFrame, ResearchSettings]) -> Evaluator:
    """Worker set-up: the evaluator over the shared candles and settings.

    Also keeps the worker's large numpy temporaries on the heap (see
    :mod:`app.research.allocator`), which doubles the scoring speed of a fresh process.
    """
    prefer_heap_for_large_arrays()
    candles, settings = shared
    return Evaluator(candles, settings)


def score_task(evaluator: Evaluator, item: tuple[dict[str, Any], Window | None]) -> Score:
    """Worker task: score one parameter set on one window."""
    params, window = item
    return evaluator.score(params, window)


@dataclass(frozen=True, slots=True)
class RankedScore:
    """A score with its objective value and the order it was evaluated in."""

    index: int
    score: Score
    value: float | None

    @property
    def params(self) -> dict[str, Any]:
        """The searched parameter values."""
        return self.score.params


@dataclass(frozen=True, slots=True)
class OptimizationResult:
    """Every scored parameter set of a search, in evaluation order, and how to rank them."""

    strategy: str
    method: str
    objective: str
    min_trades: int
    names: tuple[str, ...]
    fixed: dict[str, Any]
    settings: dict[str, Any]
    rows: tuple[RankedScore, ...]
    elapsed_s: float
    cancelled: bool = False
    seed: int = 0
    bars: int = 0
    window: Window | None = field(default=None)

    def ranked(self) -> list[RankedScore]:
        """Rows meeting the constraint, best objective first (ties: evaluated first)."""
        valid = [row for row in self.rows if row.value is not None]
        return sorted(valid, key=lambda row: (-(row.value or 0.0), row.index))

    @property
    def best(self) -> RankedScore | None:
        """The best row, None when no run met the constraint."""
        ranked = self.ranked()
        return ranked[0] if ranked else None

    def top(self, count: int) -> list[RankedScore]:
        """The ``count`` best rows."""
        return self.ranked()[:count]

    def heatmap(self, x: str, y: str) -> tuple[list[Any], list[Any], list[list[float | None]]]:
        """Best objective for each (x, y) pair over the other parameters.

        Returns:
            x values, y values (sorted) and ``matrix[yi][xi]`` (None where nothing qualified).

        Raises:
            BacktestError: ``x`` or ``y`` is not a searched parameter.
        """
        for name in (x, y):
            if name not in self.names:
                raise BacktestError(
                    f"heatmap: {name!r} is not a searched parameter ({', '.join(self.names)})"
                )
        xs = sorted({row.params[x] for row in self.rows})
        ys = sorted({row.params[y] for row in self.rows})
        matrix: list[list[float | None]] = [[None] * len(xs) for _ in ys]
        x_at = {value: index for index, value in enumerate(xs)}
        y_at = {value: index for index, value in enumerate(ys)}
        for row in self.rows:
            if row.value is None:
                continue
            cell = matrix[y_at[row.params[y]]]
            xi = x_at[row.params[x]]
            current = cell[xi]
            if current is None or row.value > current:
                cell[xi] = row.value
        return xs, ys, matrix

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        """JSON-ready mapping: settings, best, the ranked table (``top`` rows) and a heatmap."""
        ranked = self.ranked()
        shown = ranked if top is None else ranked[:top]
        best = ranked[0] if ranked else None
        out: dict[str, Any] = {
            "kind": "optimize",
            "strategy": self.strategy,
            "method": self.method,
            "objective": self.objective,
            "min_trades": self.min_trades,
            "seed": self.seed,
            "bars": self.bars,
            "searched": list(self.names),
            "fixed": dict(self.fixed),
            "settings": self.settings,
            "evaluated": len(self.rows),
            "qualified": len(ranked),
            "elapsed_s": round(self.elapsed_s, 3),
            "cancelled": self.cancelled,
            "best": None if best is None else _row_dict(best),
            "results": [_row_dict(row) for row in shown],
        }
        if len(self.names) >= 2:
            xs, ys, matrix = self.heatmap(self.names[0], self.names[1])
            out["heatmap"] = {
                "x": self.names[0],
                "y": self.names[1],
                "xs": xs,
                "ys": ys,
                "values": matrix,
            }
        return out


def _row_dict(row: RankedScore) -> dict[str, Any]:
    return {"params": dict(row.params), "objective": row.value, **row.score.metrics}


def optimize(
    candles: pd.DataFrame,
    settings: ResearchSettings,
    space: SearchSpace,
    *,
    method: str = "grid",
    objective: str = "sharpe",
    min_trades: int = 1,
    trials: int = 100,
    seed: int = 0,
    window: Window | None = None,
    backend: Backend | None = None,
    progress: ProgressFn | None = None,
    cancel: threading.Event | None = None,
) -> OptimizationResult:
    """Search ``space`` for the parameters that maximise ``objective``.

    Args:
        candles: the candles (timestamp, open, high, low, close, volume).
        settings: strategy, money and sizing settings.
        space: the searched parameters.
        method: ``"grid"`` (every combination), ``"random"`` (``trials`` samples) or
            ``"tpe"`` (Optuna's Tree-structured Parzen Estimator, ``trials`` runs).
        objective: ``sharpe``, ``sortino``, ``calmar``, ``total_return`` or ``profit_factor``.
        min_trades: runs with fewer closed trades are not ranked.
        trials: runs of the random and TPE searches.
        seed: seed of the random and TPE searches.
        window: rows to optimise on (default: all).
        backend: where to run (default: in this process).
        progress: called after each finished batch.
        cancel: set it to stop; the result then holds the runs finished so far.

    Returns:
        The :class:`OptimizationResult`.

    Raises:
        BacktestError: unknown method or objective, an oversized grid, or missing Optuna.
        StrategyError: the strategy failed on some parameters.
    """
    check_objective(objective)
    if method not in METHODS:
        raise BacktestError(f"method {method!r} is unknown; choose one of {', '.join(METHODS)}")
    if min_trades < 0 or trials < 1:
        raise BacktestError("min_trades must be >= 0 and trials >= 1")
    runner = backend or InlineBackend()
    shared = (candles, settings.with_fixed(dict(space.fixed)))
    started = time.monotonic()
    cancelled = False
    if method == "tpe":
        scores, cancelled = _tpe(
            space, shared, runner, trials, seed, window, objective, min_trades, progress, cancel
        )
    else:
        combos = space.grid() if method == "grid" else space.sample(trials, seed)
        found = runner.map(
            build_evaluator,
            shared,
            score_task,
            [(combo, window) for combo in combos],
            progress=progress,
            cancel=cancel,
            label="optimize",
        )
        cancelled = found is None
        scores = list(found or [])
    rows = tuple(
        RankedScore(index, score, objective_value(score, objective, min_trades))
        for index, score in enumerate(scores)
    )
    elapsed = time.monotonic() - started
    logger.info(
        "optimize %s: %d runs in %.1f s (%s)", settings.strategy, len(rows), elapsed, method
    )
    return OptimizationResult(
        strategy=settings.strategy,
        method=method,
        objective=objective,
        min_trades=min_trades,
        names=space.names,
        fixed=dict(space.fixed),
        settings=settings.describe(),
        rows=rows,
        elapsed_s=elapsed,
        cancelled=cancelled,
        seed=seed,
        bars=len(candles) if window is None else window.stop - window.trade_from,
        window=window,
    )


def _tpe(
    space: SearchSpace,
    shared: tuple[pd.DataFrame, ResearchSettings],
    runner: Backend,
    trials: int,
    seed: int,
    window: Window | None,
    objective: str,
    min_trades: int,
    progress: ProgressFn | None,
    cancel: threading.Event | None,
) -> tuple[list[Score], bool]:
    """Optuna TPE in fixed batches of :data:`TPE_BATCH` asks (deterministic for a seed).

    A parameter set asked again is told its earlier score without running it twice; sets the
    strategy refuses and runs below ``min_trades`` are told as failed trials.
    """
    optuna = _optuna()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(seed=seed)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    distributions = _distributions(optuna, space)
    known: dict[tuple[tuple[str, Any], ...], Score] = {}
    scores: list[Score] = []
    clock = ProgressClock("optimize", trials, progress)
    asked_total = 0
    while asked_total < trials:
        if cancel is not None and cancel.is_set():
            return scores, True
        asked = [study.ask(distributions) for _ in range(min(TPE_BATCH, trials - asked_total))]
        asked_total += len(asked)
        combos = [dict(trial.params) for trial in asked]
        fresh = {
            _key(combo): combo
            for combo in combos
            if _key(combo) not in known and space.is_valid(combo)
        }
        found = runner.map(
            build_evaluator,
            shared,
            score_task,
            [(combo, window) for combo in fresh.values()],
            cancel=cancel,
            label="optimize",
        )
        if found is None:
            return scores, True
        for score in found:
            known[_key(score.params)] = score
            scores.append(score)
        for trial, combo in zip(asked, combos, strict=True):
            score = known.get(_key(combo))
            value = None if score is None else objective_value(score, objective, min_trades)
            if value is None:
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
            else:
                study.tell(trial, value)
        clock.advance(len(asked))
    return scores, False


def _key(params: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(params.items()))


def _distributions(optuna: Any, space: SearchSpace) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for dimension in space.dimensions:
        values: Sequence[Any] = dimension.values
        if dimension.type == "int" and _evenly_spaced(values):
            step = int(values[1]) - int(values[0])
            result[dimension.name] = optuna.distributions.IntDistribution(
                int(values[0]), int(values[-1]), step=step
            )
        else:
            result[dimension.name] = optuna.distributions.CategoricalDistribution(list(values))
    return result


def _evenly_spaced(values: Sequence[Any]) -> bool:
    steps = {int(b) - int(a) for a, b in itertools.pairwise(values)}
    return len(steps) == 1


def _optuna() -> Any:
    try:
        import optuna
    except ImportError as exc:
        raise BacktestError(
            "--method tpe needs Optuna; install the research extras "
            "(pip install 'cryptobot[research]') or use --method grid/random"
        ) from exc
    return optuna
