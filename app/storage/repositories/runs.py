"""Backtest runs (inputs, summary metrics, full result) and strategy runs in the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import defer

from app.core.errors import StorageError
from app.core.time import now_ms
from app.storage.database import Database
from app.storage.models import BacktestRunRecord, StrategyRunRecord


@dataclass(frozen=True, slots=True)
class BacktestRun:
    """A stored backtest; ``result`` is None in listings, ``id`` is None until saved."""

    strategy: str
    params: dict[str, Any]
    exchange: str
    symbol: str
    timeframe: str
    start_ts: int
    end_ts: int
    summary: dict[str, Any]
    result: dict[str, Any] | None = None
    created_at: int = 0
    id: int | None = None


@dataclass(frozen=True, slots=True)
class StrategyRun:
    """One start-to-stop run of a strategy; ``stopped_at`` is None while it runs."""

    id: int
    strategy_id: str
    strategy: str
    venue: str
    symbol: str
    timeframe: str
    params: dict[str, Any] = field(default_factory=dict)
    started_at: int = 0
    stopped_at: int | None = None
    stop_reason: str | None = None


class BacktestRunRepository:
    """Saves and lists backtest runs.

    Args:
        database: a migrated database.
    """

    def __init__(self, database: Database) -> None:
        self._db = database

    def add(self, run: BacktestRun) -> int:
        """Save a run (JSON fields; Decimals become exact strings) and return its id.

        Raises:
            StorageError: the database failed or a field is not JSON-serialisable.
        """
        record = BacktestRunRecord(
            created_at=run.created_at or now_ms(),
            strategy=run.strategy,
            params=dict(run.params),
            exchange=run.exchange,
            symbol=run.symbol,
            timeframe=run.timeframe,
            start_ts=run.start_ts,
            end_ts=run.end_ts,
            summary=dict(run.summary),
            result=dict(run.result or {}),
        )
        with self._db.session() as session:
            session.add(record)
            session.flush()
            return record.id

    def get(self, run_id: int) -> BacktestRun | None:
        """A run with its full result, None when unknown.

        Raises:
            StorageError: the database failed.
        """
        with self._db.session(readonly=True) as session:
            record = session.get(BacktestRunRecord, run_id)
            return None if record is None else _to_backtest(record, with_result=True)

    def list(self, *, strategy: str | None = None, limit: int | None = 100) -> list[BacktestRun]:
        """Runs newest first, without their (large) results.

        Raises:
            StorageError: the database failed.
        """
        query = select(BacktestRunRecord).options(defer(BacktestRunRecord.result))
        if strategy is not None:
            query = query.where(BacktestRunRecord.strategy == strategy)
        query = query.order_by(
            BacktestRunRecord.created_at.desc(), BacktestRunRecord.id.desc()
        ).limit(limit)
        with self._db.session(readonly=True) as session:
            return [_to_backtest(record, with_result=False) for record in session.scalars(query)]


class StrategyRunRepository:
    """Records when strategies start and stop in the engine.

    Args:
        database: a migrated database.
    """

    def __init__(self, database: Database) -> None:
        self._db = database

    def start(
        self,
        strategy_id: str,
        strategy: str,
        venue: str,
        symbol: str,
        timeframe: str,
        params: dict[str, Any],
        started_at: int | None = None,
    ) -> int:
        """Record a start and return the run id.

        Raises:
            StorageError: the database failed.
        """
        record = StrategyRunRecord(
            strategy_id=strategy_id,
            strategy=strategy,
            venue=venue,
            symbol=symbol,
            timeframe=timeframe,
            params=dict(params),
            started_at=now_ms() if started_at is None else started_at,
        )
        with self._db.session() as session:
            session.add(record)
            session.flush()
            return record.id

    def stop(self, run_id: int, reason: str, stopped_at: int | None = None) -> None:
        """Record the end of a run (idempotent: the first stop is kept).

        Raises:
            StorageError: the run does not exist, or the database failed.
        """
        with self._db.session() as session:
            record = session.get(StrategyRunRecord, run_id)
            if record is None:
                raise StorageError(f"strategy run {run_id} does not exist")
            if record.stopped_at is None:
                record.stopped_at = now_ms() if stopped_at is None else stopped_at
                record.stop_reason = reason

    def list(
        self, strategy_id: str | None = None, *, running_only: bool = False
    ) -> list[StrategyRun]:
        """Runs oldest first, optionally of one strategy or only those still running.

        Raises:
            StorageError: the database failed.
        """
        query = select(StrategyRunRecord)
        if strategy_id is not None:
            query = query.where(StrategyRunRecord.strategy_id == strategy_id)
        if running_only:
            query = query.where(StrategyRunRecord.stopped_at.is_(None))
        query = query.order_by(StrategyRunRecord.started_at, StrategyRunRecord.id)
        with self._db.session(readonly=True) as session:
            return [
                StrategyRun(
                    id=record.id,
                    strategy_id=record.strategy_id,
                    strategy=record.strategy,
                    venue=record.venue,
                    symbol=record.symbol,
                    timeframe=record.timeframe,
                    params=record.params,
                    started_at=record.started_at,
                    stopped_at=record.stopped_at,
                    stop_reason=record.stop_reason,
                )
                for record in session.scalars(query)
            ]


def _to_backtest(record: BacktestRunRecord, *, with_result: bool) -> BacktestRun:
    return BacktestRun(
        id=record.id,
        created_at=record.created_at,
        strategy=record.strategy,
        params=record.params,
        exchange=record.exchange,
        symbol=record.symbol,
        timeframe=record.timeframe,
        start_ts=record.start_ts,
        end_ts=record.end_ts,
        summary=record.summary,
        result=record.result if with_result else None,
    )
