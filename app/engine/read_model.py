"""Copies of the engine's state that any thread may read (the facade's snapshot queries).

The engine thread keeps them current: bus events (orders, fills, positions, balances) update
them as they are published, and the engine refreshes the derived figures (P&L, breaker states,
strategies, worker health) after every candle close, fill and command. Readers get copies.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from decimal import Decimal

from app.core.enums import BreakerState
from app.core.events import BalanceUpdated, Event, FillReceived, OrderUpdated, PositionUpdated
from app.core.models import Balance, Fill, Market, Order, Position
from app.core.money import ZERO
from app.engine.portfolio import PortfolioSnapshot
from app.engine.specs import StrategyStatus
from app.engine.supervisor import WorkerHealth

MAX_FILLS = 10_000
"""Newest fills kept for the UI (the database keeps every one)."""


class ReadModel:
    """Thread-safe snapshot store behind the facade's queries."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._orders: dict[str, Order] = {}
        self._fills: list[Fill] = []
        self._fill_ids: set[str] = set()
        self._positions: dict[str, Position] = {}
        self._balances: dict[str, Balance] = {}
        self._markets: dict[str, Market] = {}
        self._pnl = PortfolioSnapshot(ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, ())
        self._breakers: dict[str, BreakerState] = {}
        self._strategies: list[StrategyStatus] = []
        self._health: dict[str, WorkerHealth] = {}

    # ------------------------------------------------------------------ writers (engine thread)
    def on_event(self, event: Event) -> None:
        """Bus handler: keep orders, fills, positions and balances current."""
        with self._lock:
            if isinstance(event, OrderUpdated):
                self._orders[event.order.client_order_id] = event.order
            elif isinstance(event, FillReceived):
                self._add_fill(event.fill)
            elif isinstance(event, PositionUpdated):
                self._positions[event.position.symbol] = event.position
            elif isinstance(event, BalanceUpdated):
                self._balances = {b.currency: b for b in event.balances}

    def seed(
        self, orders: Iterable[Order], fills: Iterable[Fill], positions: Iterable[Position]
    ) -> None:
        """Load the state restored on start (orders oldest first)."""
        with self._lock:
            for order in orders:
                self._orders[order.client_order_id] = order
            for fill in fills:
                self._add_fill(fill)
            for position in positions:
                self._positions[position.symbol] = position

    def set_markets(self, markets: Mapping[str, Market]) -> None:
        """Replace the markets."""
        with self._lock:
            self._markets = dict(markets)

    def set_balances(self, balances: Mapping[str, Balance]) -> None:
        """Replace the balances."""
        with self._lock:
            self._balances = dict(balances)

    def refresh(
        self,
        pnl: PortfolioSnapshot,
        breakers: Mapping[str, BreakerState],
        strategies: list[StrategyStatus],
        health: Mapping[str, WorkerHealth],
    ) -> None:
        """Replace the derived figures."""
        with self._lock:
            self._pnl = pnl
            self._breakers = dict(breakers)
            self._strategies = list(strategies)
            self._health = dict(health)

    def _add_fill(self, fill: Fill) -> None:
        if fill.trade_id in self._fill_ids:
            return
        self._fill_ids.add(fill.trade_id)
        self._fills.append(fill)
        if len(self._fills) > MAX_FILLS:
            dropped = self._fills[: len(self._fills) - MAX_FILLS]
            del self._fills[: len(dropped)]
            self._fill_ids.difference_update(f.trade_id for f in dropped)

    # ------------------------------------------------------------------ readers (any thread)
    def markets(self) -> dict[str, Market]:
        """Markets by symbol."""
        with self._lock:
            return dict(self._markets)

    def orders(self) -> list[Order]:
        """Every known order, oldest first."""
        with self._lock:
            return sorted(self._orders.values(), key=lambda o: (o.created_at, o.client_order_id))

    def fills(self) -> list[Fill]:
        """Recent fills, oldest first."""
        with self._lock:
            return list(self._fills)

    def positions(self) -> list[Position]:
        """Positions by symbol (flat ones with realised P&L included)."""
        with self._lock:
            return list(self._positions.values())

    def balances(self) -> dict[str, Balance]:
        """Balances by currency."""
        with self._lock:
            return dict(self._balances)

    def quote_balance(self, currency: str) -> Decimal:
        """Total of one currency (zero when unknown)."""
        with self._lock:
            balance = self._balances.get(currency)
        return ZERO if balance is None else balance.total

    def pnl(self) -> PortfolioSnapshot:
        """Account valuation at the last refresh."""
        with self._lock:
            return self._pnl

    def breaker_states(self) -> dict[str, BreakerState]:
        """Breaker name -> state."""
        with self._lock:
            return dict(self._breakers)

    def strategies(self) -> list[StrategyStatus]:
        """Strategy instances and their figures."""
        with self._lock:
            return list(self._strategies)

    def worker_health(self) -> dict[str, WorkerHealth]:
        """Supervised workers by name."""
        with self._lock:
            return dict(self._health)
