"""One backtest as a picklable job, and the code the worker process runs for it (no Qt).

The worker reports its stage through a queue as plain tuples:

* ``("progress", step, total, text)``: stage ``step`` of ``total`` has started;
* ``("done", BacktestOutcome)``: the result and the candles it ran on;
* ``("error", message)``: a message for the user (names the setting or file and the fix).

``run_backtest`` itself does not report progress, so the stages are honest steps (loading,
checking, simulating, sending), not a percentage of the simulation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from app.backtest.engine import run_backtest
from app.backtest.result import BacktestResult
from app.backtest.sources import CandleSource, load_candles
from app.core.errors import CryptobotError
from app.strategies.registry import StrategyRegistry, default_registry

logger = logging.getLogger(__name__)

STAGES: tuple[str, ...] = (
    "Loading candles",
    "Checking the strategy and settings",
    "Simulating",
    "Sending the results",
)

ProgressCallback = Callable[[int, int, str], None]


class MessageQueue(Protocol):
    """The part of a multiprocessing queue the worker uses."""

    def put(self, obj: Any) -> None:
        """Send one message to the UI process."""


@dataclass(frozen=True, slots=True)
class BacktestJob:
    """Everything a worker process needs to run one backtest.

    Money settings are decimal text as the user typed them (``"10000"``, ``"0.001"``); ``fee``
    is a fraction of notional per fill; ``stake_pct`` is the percent of equity per entry.
    ``start``/``end`` are bar open times in ms UTC (None = the data's first/last bar).
    """

    strategy: str
    params: Mapping[str, Any]
    source: CandleSource
    cash: str
    fee: str
    slippage_bps: str
    stake_pct: str
    start: int | None = None
    end: int | None = None
    strategies_dir: Path | None = None


@dataclass(frozen=True, slots=True)
class BacktestOutcome:
    """What a finished job sends back: the result, its candles and a label for titles."""

    result: BacktestResult
    candles: pd.DataFrame
    label: str


def registry_for(strategies_dir: Path | None) -> StrategyRegistry:
    """Built-in strategies plus the user strategies in ``strategies_dir`` (if given)."""
    registry = default_registry()
    if strategies_dir is not None:
        registry.load_user_strategies(strategies_dir)
    return registry


def execute(job: BacktestJob, progress: ProgressCallback) -> BacktestOutcome:
    """Run ``job`` in this process, calling ``progress(step, total, text)`` at each stage.

    Raises:
        CryptobotError: bad data, settings or strategy (DataError, BacktestError,
            StrategyError, StorageError) with a message for the user.
    """
    total = len(STAGES)
    progress(1, total, f"{STAGES[0]} from {job.source.describe()}")
    candles = load_candles(job.source, job.start, job.end)
    progress(2, total, STAGES[1])
    strategy = registry_for(job.strategies_dir).create(job.strategy, job.params)
    progress(3, total, f"{STAGES[2]} {len(candles):,} bars")
    result = run_backtest(
        strategy,
        candles,
        cash=job.cash,
        fee=job.fee,
        slippage_bps=job.slippage_bps,
        stake_pct=job.stake_pct,
    )
    progress(4, total, STAGES[3])
    label = f"{job.strategy} on {job.source.describe()}"
    return BacktestOutcome(result=result, candles=candles, label=label)


def worker_main(job: BacktestJob, queue: MessageQueue) -> None:
    """Entry point of the worker process: run ``job`` and put the messages on ``queue``."""

    def report(step: int, total: int, text: str) -> None:
        queue.put(("progress", step, total, text))

    try:
        outcome = execute(job, report)
    except CryptobotError as exc:
        queue.put(("error", str(exc)))
        return
    except Exception as exc:  # the worker must always answer; the UI shows the message
        logger.exception("backtest worker failed")
        queue.put(("error", f"the backtest failed unexpectedly: {type(exc).__name__}: {exc}"))
        return
    queue.put(("done", outcome))
