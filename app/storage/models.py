"""SQLAlchemy 2.0 typed declarative models: the whole database schema.

Money columns are :class:`~app.storage.types.DecimalText` (exact TEXT), times are integer ms UTC
(BigInteger), enums are stored as their stable lowercase values. The Alembic migrations in
``app/storage/migrations`` create exactly this schema (a test compares them).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.storage.types import DecimalText

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JsonDict = dict[str, Any]


class Base(DeclarativeBase):
    """Declarative base with portable constraint names (SQLite and PostgreSQL)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads it as a class attribute
        Decimal: DecimalText(),
        int: BigInteger(),
        JsonDict: JSON(),
    }


class OrderRecord(Base):
    """Latest known snapshot of one order; ``client_order_id`` is unique across venues."""

    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_venue_status", "venue", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_order_id: Mapped[str] = mapped_column(String(64), unique=True)
    venue: Mapped[str] = mapped_column(String(64))
    symbol: Mapped[str] = mapped_column(String(64))
    side: Mapped[str] = mapped_column(String(8))
    type: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal]
    price: Mapped[Decimal | None]
    stop_price: Mapped[Decimal | None]
    time_in_force: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(24))
    exchange_order_id: Mapped[str | None] = mapped_column(String(128), index=True)
    filled: Mapped[Decimal]
    average_price: Mapped[Decimal | None]
    fee: Mapped[Decimal]
    fee_currency: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[int]
    updated_at: Mapped[int]
    strategy_id: Mapped[str | None] = mapped_column(String(128))
    correlation_id: Mapped[str | None] = mapped_column(String(64), index=True)
    reduce_only: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text)


class FillRecord(Base):
    """One execution; ``trade_id`` is unique per venue, so re-delivered trades are ignored."""

    __tablename__ = "fills"
    __table_args__ = (UniqueConstraint("venue", "trade_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    venue: Mapped[str] = mapped_column(String(64))
    trade_id: Mapped[str] = mapped_column(String(128))
    client_order_id: Mapped[str] = mapped_column(String(64), index=True)
    exchange_order_id: Mapped[str | None] = mapped_column(String(128))
    symbol: Mapped[str] = mapped_column(String(64))
    side: Mapped[str] = mapped_column(String(8))
    price: Mapped[Decimal]
    amount: Mapped[Decimal]
    fee: Mapped[Decimal]
    fee_currency: Mapped[str] = mapped_column(String(32))
    timestamp: Mapped[int] = mapped_column(index=True)
    is_maker: Mapped[bool] = mapped_column(Boolean)


class BalanceRecord(Base):
    """Holdings of one currency at one venue (the paper exchange persists its balances here)."""

    __tablename__ = "balances"
    __table_args__ = (UniqueConstraint("venue", "currency"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    venue: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(32))
    free: Mapped[Decimal]
    used: Mapped[Decimal]
    updated_at: Mapped[int]


class StrategyRunRecord(Base):
    """One start-to-stop run of a strategy in the engine."""

    __tablename__ = "strategy_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    strategy_id: Mapped[str] = mapped_column(String(128), index=True)
    strategy: Mapped[str] = mapped_column(String(128))
    venue: Mapped[str] = mapped_column(String(64))
    symbol: Mapped[str] = mapped_column(String(64))
    timeframe: Mapped[str] = mapped_column(String(16))
    params: Mapped[JsonDict]
    started_at: Mapped[int]
    stopped_at: Mapped[int | None]
    stop_reason: Mapped[str | None] = mapped_column(Text)


class BacktestRunRecord(Base):
    """A finished backtest: its inputs, summary metrics and the full result."""

    __tablename__ = "backtest_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[int] = mapped_column(index=True)
    strategy: Mapped[str] = mapped_column(String(128))
    params: Mapped[JsonDict]
    exchange: Mapped[str] = mapped_column(String(64))
    symbol: Mapped[str] = mapped_column(String(64))
    timeframe: Mapped[str] = mapped_column(String(16))
    start_ts: Mapped[int]
    end_ts: Mapped[int]
    summary: Mapped[JsonDict]
    result: Mapped[JsonDict]


class AuditRecord(Base):
    """One append-only audit entry (decision, order, risk event); never updated or deleted."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_kind_ts", "kind", "ts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ts: Mapped[int] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(64))
    correlation_id: Mapped[str | None] = mapped_column(String(64), index=True)
    component: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    payload: Mapped[JsonDict]


class SettingsHistoryRecord(Base):
    """A saved version of the settings (secrets are references, never values)."""

    __tablename__ = "settings_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ts: Mapped[int] = mapped_column(index=True)
    source: Mapped[str] = mapped_column(String(64))
    content: Mapped[JsonDict]


class CandleSeriesRecord(Base):
    """One candle series, identified by (exchange, symbol, timeframe)."""

    __tablename__ = "candle_series"
    __table_args__ = (UniqueConstraint("exchange", "symbol", "timeframe"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exchange: Mapped[str] = mapped_column(String(64))
    symbol: Mapped[str] = mapped_column(String(64))
    timeframe: Mapped[str] = mapped_column(String(16))


class CandleChunkRecord(Base):
    """A time window of one series' candles stored as packed columns (see app.storage.candles)."""

    __tablename__ = "candle_chunks"

    series_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("candle_series.id", ondelete="CASCADE"), primary_key=True
    )
    chunk_start: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    first_ts: Mapped[int]
    last_ts: Mapped[int]
    count: Mapped[int] = mapped_column(Integer)
    gap_count: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
