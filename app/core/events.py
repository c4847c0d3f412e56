"""Typed events published on the engine's bus and consumed by the UI, audit log and workers.

Every event is a frozen value with ``timestamp`` (ms UTC). Events that belong to one decision
or order carry its ``correlation_id``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from app.core.enums import BreakerState, RiskVerdict, TradingMode
from app.core.models import Balance, Candle, Fill, Order, Position, Signal


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Base of all events."""

    timestamp: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TickerUpdated(Event):
    """Last traded price of a symbol changed (coalesced per symbol on the way to the UI)."""

    exchange: str
    symbol: str
    last: Decimal
    bid: Decimal | None = None
    ask: Decimal | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CandleUpdated(Event):
    """The forming (not yet closed) candle changed."""

    exchange: str
    symbol: str
    timeframe: str
    candle: Candle


@dataclass(frozen=True, slots=True, kw_only=True)
class CandleClosed(Event):
    """A candle closed; strategies act on this."""

    exchange: str
    symbol: str
    timeframe: str
    candle: Candle


@dataclass(frozen=True, slots=True, kw_only=True)
class SignalGenerated(Event):
    """A strategy produced a signal."""

    signal: Signal


@dataclass(frozen=True, slots=True, kw_only=True)
class RiskDecision(Event):
    """A pre-trade rule or breaker approved, rejected or resized an order intent."""

    rule: str
    verdict: RiskVerdict
    reason: str
    symbol: str
    strategy_id: str | None = None
    correlation_id: str | None = None
    original_amount: Decimal | None = None
    amount: Decimal | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BreakerStateChanged(Event):
    """A circuit breaker (strategy, account, drawdown, kill switch, exchange) changed state."""

    breaker: str
    old_state: BreakerState
    new_state: BreakerState
    reason: str
    scope: str = "account"


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderUpdated(Event):
    """An order was created, submitted, filled, cancelled or rejected (new snapshot)."""

    order: Order


@dataclass(frozen=True, slots=True, kw_only=True)
class FillReceived(Event):
    """An execution arrived."""

    fill: Fill
    correlation_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PositionUpdated(Event):
    """A position changed (after a fill or a mark-to-market)."""

    position: Position


@dataclass(frozen=True, slots=True, kw_only=True)
class BalanceUpdated(Event):
    """Balances changed."""

    balances: tuple[Balance, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class EquityUpdated(Event):
    """Account equity and P&L in the quote currency."""

    equity: Decimal
    realised_pnl: Decimal
    unrealised_pnl: Decimal
    daily_pnl: Decimal
    drawdown_pct: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class EngineStateChanged(Event):
    """The engine started, stopped or changed mode."""

    running: bool
    mode: TradingMode
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionStateChanged(Event):
    """The exchange connection went up or down."""

    exchange: str
    connected: bool
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkerHealthChanged(Event):
    """A supervised worker started, crashed, restarted or stopped."""

    worker: str
    status: str
    restarts: int = 0
    error: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StrategyStateChanged(Event):
    """A strategy instance started, stopped, paused (breaker) or failed."""

    strategy_id: str
    status: str
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Alert(Event):
    """Something a person must see (reconciliation mismatch, breaker trip, worker failure)."""

    level: str
    title: str
    message: str
    correlation_id: str | None = None
    details: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
