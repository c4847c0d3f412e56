"""The part of :class:`app.engine.facade.EngineFacade` the UI uses, as a structural type.

Panels are typed against this protocol so they depend on the facade's contract, not on how
the engine is wired.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Mapping
from decimal import Decimal
from typing import Protocol

import pandas as pd

from app.core.enums import BreakerState, OrderType, Side, TradingMode
from app.core.models import Balance, Fill, Market, Order, Position
from app.engine.bus import CoalescingQueue
from app.engine.portfolio import PortfolioSnapshot
from app.engine.specs import StrategySpec, StrategyStatus
from app.engine.supervisor import WorkerHealth
from app.risk.limits import RiskLimits


class FacadePort(Protocol):
    """Commands (futures, run on the engine thread) and snapshot queries of the engine."""

    events: CoalescingQueue
    mode: TradingMode

    def start(self) -> concurrent.futures.Future[None]:
        """Connect, reconcile and start the workers."""

    def stop(self) -> concurrent.futures.Future[None]:
        """Stop strategies and workers gracefully."""

    def start_strategy(self, spec: StrategySpec) -> concurrent.futures.Future[str]:
        """Start a strategy instance; resolves to its id."""

    def stop_strategy(self, strategy_id: str) -> concurrent.futures.Future[None]:
        """Stop a strategy instance."""

    def place_order(
        self,
        symbol: str,
        side: Side,
        order_type: OrderType,
        amount: Decimal,
        price: Decimal | None = None,
    ) -> concurrent.futures.Future[Order]:
        """Place a manual order (same risk checks as strategies)."""

    def cancel_order(self, client_order_id: str) -> concurrent.futures.Future[Order]:
        """Cancel one order."""

    def engage_kill_switch(self, reason: str) -> concurrent.futures.Future[None]:
        """Cancel every open order and refuse new ones until reset."""

    def reset_breaker(self, name: str) -> concurrent.futures.Future[None]:
        """Reset a tripped breaker (or the kill switch)."""

    def update_risk_limits(self, limits: RiskLimits) -> concurrent.futures.Future[None]:
        """Replace the risk limits."""

    def markets(self) -> Mapping[str, Market]:
        """Known markets by symbol."""

    def candles(self, symbol: str, timeframe: str, limit: int | None = None) -> pd.DataFrame:
        """Candles with timestamp/open/high/low/close/volume columns."""

    def orders(self) -> list[Order]:
        """Every known order."""

    def fills(self) -> list[Fill]:
        """Every known fill."""

    def positions(self) -> list[Position]:
        """Current positions."""

    def balances(self) -> dict[str, Balance]:
        """Balances by currency."""

    def pnl(self) -> PortfolioSnapshot:
        """Account valuation now."""

    def breaker_states(self) -> dict[str, BreakerState]:
        """Every circuit breaker's state by name."""

    def risk_limits(self) -> RiskLimits:
        """The limits in force."""

    def strategies(self) -> list[StrategyStatus]:
        """Every strategy instance and its status."""

    def worker_health(self) -> dict[str, WorkerHealth]:
        """Health of the supervised workers."""

    def is_running(self) -> bool:
        """True between start() and stop()."""

    def shutdown(self) -> None:
        """Stop the engine and join its thread."""
