"""A stand-in for the engine facade while the engine is still being built (fast start-up).

The main window is shown first; the engine (database migration, exchange libraries) is built on a
worker thread and attached when ready. Until then queries return empty snapshots and commands
fail with a clear message; afterwards every call goes to the real facade.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pandas as pd

from app.core.enums import BreakerState, OrderType, Side, TradingMode
from app.core.errors import EngineError
from app.core.models import Balance, Fill, Market, Order, Position
from app.core.money import ZERO
from app.engine.bus import CoalescingQueue
from app.engine.portfolio import PortfolioSnapshot
from app.engine.specs import StrategySpec, StrategyStatus
from app.engine.supervisor import WorkerHealth
from app.risk.limits import RiskLimits
from app.ui.facade_port import FacadePort

NOT_READY = "the engine is still loading; try again in a moment"
_COLUMNS = ("timestamp", "open", "high", "low", "close", "volume")


def _refused(message: str = NOT_READY) -> concurrent.futures.Future[Any]:
    future: concurrent.futures.Future[Any] = concurrent.futures.Future()
    future.set_exception(EngineError(message))
    return future


class PendingFacade:
    """Implements :class:`~app.ui.facade_port.FacadePort`; forwards to the real facade once
    :meth:`attach` is called.

    Args:
        mode: the trading mode the settings ask for (shown until the engine is attached).
        limits: the risk limits from the settings (shown until then).
    """

    def __init__(self, mode: TradingMode, limits: RiskLimits) -> None:
        self.events = CoalescingQueue()
        self.mode = mode
        self._limits = limits
        self._real: FacadePort | None = None
        self.failure: str | None = None

    @property
    def attached(self) -> FacadePort | None:
        """The real facade, once attached."""
        return self._real

    def attach(self, facade: FacadePort) -> None:
        """Forward everything to ``facade`` from now on."""
        self._real = facade
        self.events = facade.events
        self.mode = facade.mode

    def fail(self, message: str) -> None:
        """The engine could not be built: commands fail with ``message`` from now on."""
        self.failure = message

    def _not_ready(self) -> concurrent.futures.Future[Any]:
        return _refused(
            f"the engine is not available: {self.failure}" if self.failure else NOT_READY
        )

    # ------------------------------------------------------------------ commands
    def start(self) -> concurrent.futures.Future[None]:
        """Start the engine (refused until it is attached)."""
        return self._not_ready() if self._real is None else self._real.start()

    def stop(self) -> concurrent.futures.Future[None]:
        """Stop the engine."""
        return self._not_ready() if self._real is None else self._real.stop()

    def start_strategy(self, spec: StrategySpec) -> concurrent.futures.Future[str]:
        """Start a strategy instance."""
        return self._not_ready() if self._real is None else self._real.start_strategy(spec)

    def stop_strategy(self, strategy_id: str) -> concurrent.futures.Future[None]:
        """Stop a strategy instance."""
        return self._not_ready() if self._real is None else self._real.stop_strategy(strategy_id)

    def place_order(
        self,
        symbol: str,
        side: Side,
        order_type: OrderType,
        amount: Decimal,
        price: Decimal | None = None,
    ) -> concurrent.futures.Future[Order]:
        """Place a manual order."""
        if self._real is None:
            return self._not_ready()
        return self._real.place_order(symbol, side, order_type, amount, price)

    def cancel_order(self, client_order_id: str) -> concurrent.futures.Future[Order]:
        """Cancel one order."""
        return self._not_ready() if self._real is None else self._real.cancel_order(client_order_id)

    def engage_kill_switch(self, reason: str) -> concurrent.futures.Future[None]:
        """Engage the kill switch."""
        return self._not_ready() if self._real is None else self._real.engage_kill_switch(reason)

    def reset_breaker(self, name: str) -> concurrent.futures.Future[None]:
        """Reset a breaker."""
        return self._not_ready() if self._real is None else self._real.reset_breaker(name)

    def update_risk_limits(self, limits: RiskLimits) -> concurrent.futures.Future[None]:
        """Replace the risk limits."""
        return self._not_ready() if self._real is None else self._real.update_risk_limits(limits)

    # ------------------------------------------------------------------ queries
    def markets(self) -> Mapping[str, Market]:
        """Known markets (none until attached)."""
        return {} if self._real is None else self._real.markets()

    def candles(self, symbol: str, timeframe: str, limit: int | None = None) -> pd.DataFrame:
        """Candles (an empty frame until attached)."""
        if self._real is None:
            return pd.DataFrame(columns=list(_COLUMNS))
        return self._real.candles(symbol, timeframe, limit)

    def orders(self) -> list[Order]:
        """Orders."""
        return [] if self._real is None else self._real.orders()

    def fills(self) -> list[Fill]:
        """Fills."""
        return [] if self._real is None else self._real.fills()

    def positions(self) -> list[Position]:
        """Positions."""
        return [] if self._real is None else self._real.positions()

    def balances(self) -> dict[str, Balance]:
        """Balances."""
        return {} if self._real is None else self._real.balances()

    def pnl(self) -> PortfolioSnapshot:
        """Valuation (zeros until attached)."""
        if self._real is None:
            return PortfolioSnapshot(ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, ())
        return self._real.pnl()

    def breaker_states(self) -> dict[str, BreakerState]:
        """Breaker states."""
        return {} if self._real is None else self._real.breaker_states()

    def risk_limits(self) -> RiskLimits:
        """The limits (from the settings until attached)."""
        return self._limits if self._real is None else self._real.risk_limits()

    def strategies(self) -> list[StrategyStatus]:
        """Strategy instances."""
        return [] if self._real is None else self._real.strategies()

    def worker_health(self) -> dict[str, WorkerHealth]:
        """Worker health."""
        return {} if self._real is None else self._real.worker_health()

    def is_running(self) -> bool:
        """True when the attached engine runs."""
        return False if self._real is None else self._real.is_running()

    def shutdown(self) -> None:
        """Shut the attached engine down (nothing to do before)."""
        if self._real is not None:
            self._real.shutdown()
