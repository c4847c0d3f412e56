"""The components of one engine, as :func:`app.engine.builder.build_engine` wires them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from app.core.enums import TradingMode
from app.core.ports import ExchangePort
from app.engine.audit import AuditWriter
from app.engine.bus import EventBus
from app.engine.exchange_breaker import ExchangeCircuitBreaker
from app.engine.executor import OrderExecutor
from app.engine.portfolio import Portfolio
from app.engine.reconciliation import Reconciler
from app.engine.replay_driver import ReplayDriver
from app.engine.tracker import OrderTracker
from app.exchange.paper import PaperExchange
from app.risk.manager import RiskManager
from app.storage.repositories import OrderRepository
from app.strategies.registry import StrategyRegistry


@dataclass(slots=True)
class EngineParts:
    """The components :func:`app.engine.builder.build_engine` wires together.

    The audit writer must already be attached to ``bus`` (as
    :func:`app.engine.order_path.build_order_path` does).
    """

    mode: TradingMode
    exchange: ExchangePort
    tracker: OrderTracker
    executor: OrderExecutor
    reconciler: Reconciler
    audit: AuditWriter
    breaker: ExchangeCircuitBreaker
    portfolio: Portfolio
    risk: RiskManager
    bus: EventBus
    registry: StrategyRegistry
    orders: OrderRepository
    quote_currency: str
    clock: Callable[[], int]
    replay: ReplayDriver | None = None
    paper: PaperExchange | None = None
    window: int = 1000
    poll_interval: float = 2.0
    reconcile_interval: float = 60.0
    balance_interval: float = 15.0
    candle_poll: float | None = None
    symbols: tuple[str, ...] = ()
    """Watch-list: tickers and candles of these are followed (chart, manual orders)."""
    timeframe: str = "1h"
    """Timeframe of the watch-list candles."""
    closers: list[Callable[[], None]] = field(default_factory=list)
