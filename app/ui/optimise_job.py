"""One optimisation as a picklable job, and the code its worker process runs (no Qt).

The worker reports through a queue as plain tuples:

* ``("stage", text)``: a step before or after the search started (loading, saving);
* ``("plan", frame, total)``: the search's settings as an empty :class:`OptimizationResult`
  and how many parameter sets it will score;
* ``("scores", [Score, ...])``: the next parameter sets scored, in order (a cancelled search
  is ranked from them);
* ``("progress", done, total, eta_s)``: parameter sets scored so far (ETA None when unknown);
* ``("done", OptimiseOutcome)``: the search finished;
* ``("cancelled",)``: the cancel event was set and the search stopped (nothing is saved, as
  the CLI saves nothing on Ctrl-C);
* ``("error", message)``: a message for the user (names the setting or file and the fix).
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from app.backtest.sources import CandleSource, CsvSource, load_candles
from app.core.errors import CryptobotError, StrategyError
from app.research.backends import Backend, InlineBackend, LocalBackend
from app.research.optimize import OptimizationResult, optimize
from app.research.progress import Progress
from app.research.settings import ResearchSettings
from app.research.space import SearchSpace
from app.research.store import DataSource
from app.ui.backtest_job import MessageQueue, registry_for
from app.ui.optimise_chunks import ChunkedBackend

logger = logging.getLogger(__name__)

#: Seconds between two progress messages (the last one is always sent).
PROGRESS_EVERY_S = 0.1
#: Rows of the ranked table saved with the run (as the CLI does).
SAVED_ROWS = 1000


class CancelFlag(Protocol):
    """The part of a multiprocessing event the worker reads."""

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the flag is set (or ``timeout`` passes); True when set."""
        ...


@dataclass(frozen=True, slots=True)
class OptimiseJob:
    """Everything a worker process needs to run one optimisation.

    ``specs`` maps every parameter to ``"LOW:HIGH:STEP"``, ``"A,B,C"`` or a fixed ``"VALUE"``
    (see :func:`app.research.space.parse_spec`). ``workers`` is the number of scoring
    processes (1 scores inside the worker process itself).
    """

    strategy: str
    specs: Mapping[str, str]
    source: CandleSource
    settings: ResearchSettings
    method: str = "grid"
    objective: str = "sharpe"
    min_trades: int = 1
    trials: int = 200
    seed: int = 0
    workers: int = 1
    save: bool = True
    start: int | None = None
    end: int | None = None
    strategies_dir: Path | None = None


@dataclass(frozen=True, slots=True)
class OptimiseOutcome:
    """What a finished job sends back.

    ``run_id`` is the saved run (None when not saved); ``save_problem`` says why saving failed.
    """

    result: OptimizationResult
    label: str
    run_id: int | None = None
    save_problem: str = ""

    @property
    def fixed(self) -> dict[str, Any]:
        """The parameter values held fixed during the search."""
        return dict(self.result.fixed)


@dataclass(frozen=True, slots=True)
class ChosenParameters:
    """Parameters picked from the results, with the data they were found on."""

    strategy: str
    params: dict[str, Any]
    source: CandleSource
    start: int | None
    end: int | None


def execute(
    job: OptimiseJob,
    queue: MessageQueue,
    cancel: threading.Event,
) -> None:
    """Run ``job`` in this process and put its messages on ``queue``.

    Raises:
        CryptobotError: bad data, settings, ranges or strategy, with a message for the user.
    """
    queue.put(("stage", f"Loading candles from {job.source.describe()}"))
    candles = load_candles(job.source, job.start, job.end)
    strategy_class = registry_for(job.strategies_dir).get(job.strategy)
    space = SearchSpace.from_strategy(strategy_class, dict(job.specs))
    queue.put(("plan", _frame(job, space, len(candles)), _planned(job, space)))
    queue.put(("stage", f"Starting {job.workers} scoring process(es) on {len(candles):,} bars"))
    reporter = _ProgressSender(queue)
    inner: Backend = InlineBackend() if job.workers <= 1 else LocalBackend(job.workers)
    backend = ChunkedBackend(inner, lambda scores: queue.put(("scores", scores)))
    try:
        result = optimize(
            candles,
            job.settings,
            space,
            method=job.method,
            objective=job.objective,
            min_trades=job.min_trades,
            trials=job.trials,
            seed=job.seed,
            backend=backend,
            progress=reporter.send,
            cancel=cancel,
        )
    finally:
        backend.close()
    if result.cancelled or cancel.is_set():
        queue.put(("cancelled",))
        return
    if not result.rows:
        raise StrategyError(_nothing_ran(space))
    label = f"{job.strategy} on {job.source.describe()}"
    run_id, problem = None, ""
    if job.save:
        queue.put(("stage", "Saving the run in the database"))
        run_id, problem = _save(job, candles, result)
    queue.put(("done", OptimiseOutcome(result, label, run_id, problem)))


def _frame(job: OptimiseJob, space: SearchSpace, bars: int) -> OptimizationResult:
    """The search's settings and labels as a result without rows."""
    return OptimizationResult(
        strategy=job.settings.strategy,
        method=job.method,
        objective=job.objective,
        min_trades=job.min_trades,
        names=space.names,
        fixed=dict(space.fixed),
        settings=job.settings.describe(),
        rows=(),
        elapsed_s=0.0,
        seed=job.seed,
        bars=bars,
    )


def _planned(job: OptimiseJob, space: SearchSpace) -> int:
    """Parameter sets the search will score (TPE: its trials)."""
    if job.method == "grid":
        return len(space.grid())
    if job.method == "random":
        return len(space.sample(job.trials, job.seed))
    return job.trials


def worker_main(job: OptimiseJob, queue: MessageQueue, cancel_flag: CancelFlag) -> None:
    """Entry point of the worker process: run ``job``, answer on ``queue``, stop on the flag.

    On POSIX the process leads its own process group, so the UI can stop it together with
    its scoring processes.
    """
    if hasattr(os, "setpgid"):
        os.setpgid(0, 0)
    cancel = threading.Event()
    threading.Thread(
        target=_watch_flag, args=(cancel_flag, cancel), name="optimise-cancel", daemon=True
    ).start()
    try:
        execute(job, queue, cancel)
    except CryptobotError as exc:
        queue.put(("error", str(exc)))
    except Exception as exc:  # the worker must always answer; the UI shows the message
        logger.exception("optimise worker failed")
        queue.put(("error", f"the optimisation failed unexpectedly: {type(exc).__name__}: {exc}"))


def _watch_flag(flag: CancelFlag, cancel: threading.Event) -> None:
    flag.wait()
    cancel.set()


class _ProgressSender:
    """Forwards :class:`Progress` reports, at most one per :data:`PROGRESS_EVERY_S`."""

    def __init__(self, queue: MessageQueue) -> None:
        self._queue = queue
        self._last = 0.0

    def send(self, report: Progress) -> None:
        now = time.monotonic()
        if report.done < report.total and now - self._last < PROGRESS_EVERY_S:
            return
        self._last = now
        self._queue.put(("progress", report.done, report.total, report.eta_s))


def _nothing_ran(space: SearchSpace) -> str:
    """Why a search scored nothing: the strategy's own objection to the first combination."""
    first = next(itertools.product(*(dimension.values for dimension in space.dimensions)))
    params = {**space.fixed, **dict(zip(space.names, first, strict=True))}
    try:
        space.strategy.validate_params(params)
    except StrategyError as exc:
        reason = str(exc)
    else:
        reason = "no combination was valid"
    return (
        f"the strategy refuses every combination of these ranges ({reason}); "
        "change the ranges so the strategy accepts them"
    )


def data_source(job: OptimiseJob, candles: pd.DataFrame) -> DataSource:
    """Labels of the candles a job ran on, for the stored run."""
    stamps = candles["timestamp"]
    first, last = int(stamps.iloc[0]), int(stamps.iloc[-1])
    if isinstance(job.source, CsvSource):
        return DataSource("csv", job.source.path.name, "", first, last)
    source = job.source
    return DataSource(source.exchange, source.symbol, source.timeframe, first, last)


def _save(
    job: OptimiseJob, candles: pd.DataFrame, result: OptimizationResult
) -> tuple[int | None, str]:
    """Store the report in the user's database; (run id, "") or (None, why it failed)."""
    from app.cli.data import open_database
    from app.research.store import save_research_run

    best = result.best
    params = None if best is None else {**result.fixed, **best.params}
    try:
        database = open_database()
        try:
            run_id = save_research_run(
                database,
                job.strategy,
                result.to_dict(top=SAVED_ROWS),
                data_source(job, candles),
                params,
            )
        finally:
            database.dispose()
    except CryptobotError as exc:
        logger.warning("optimisation run not saved: %s", exc)
        return None, str(exc)
    return run_id, ""
