"""Research runs in the database: saved in the ``backtest_runs`` table, marked by their kind.

A run's ``summary`` carries ``"kind"`` (``optimize``, ``walkforward`` or ``montecarlo``) and
its headline figures; ``result`` carries the full JSON report; ``params`` the best parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.storage.database import Database
from app.storage.repositories.runs import BacktestRun, BacktestRunRepository

RESEARCH_KINDS: tuple[str, ...] = ("optimize", "walkforward", "montecarlo")
_SUMMARY_KEYS: tuple[str, ...] = (
    "kind",
    "method",
    "objective",
    "min_trades",
    "evaluated",
    "qualified",
    "efficiency",
    "oos_return_pct",
    "oos_max_drawdown_pct",
    "runs",
    "ruin_pct",
    "ruin_probability",
    "final_return_pct",
    "max_drawdown_pct",
    "cancelled",
)


@dataclass(frozen=True, slots=True)
class DataSource:
    """Where the candles came from (labels for the stored run)."""

    exchange: str
    symbol: str
    timeframe: str
    start_ts: int
    end_ts: int


def save_research_run(
    database: Database,
    strategy: str,
    report: dict[str, Any],
    source: DataSource,
    params: dict[str, Any] | None = None,
) -> int:
    """Store a research report and return the run id.

    Args:
        database: a migrated database.
        strategy: strategy name.
        report: the result's ``to_dict()`` (must hold ``"kind"``).
        source: the data the run used.
        params: the best (or tested) parameters.

    Raises:
        StorageError: the database failed.
    """
    summary = {key: report[key] for key in _SUMMARY_KEYS if key in report}
    run = BacktestRun(
        strategy=strategy,
        params=dict(params or {}),
        exchange=source.exchange,
        symbol=source.symbol,
        timeframe=source.timeframe,
        start_ts=source.start_ts,
        end_ts=source.end_ts,
        summary=summary,
        result=report,
    )
    return BacktestRunRepository(database).add(run)


def list_research_runs(database: Database, kind: str, limit: int = 100) -> list[BacktestRun]:
    """Stored research runs of ``kind``, newest first (without their full reports).

    Raises:
        StorageError: the database failed.
    """
    runs = BacktestRunRepository(database).list(limit=None)
    return [run for run in runs if run.summary.get("kind") == kind][:limit]
