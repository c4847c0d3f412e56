"""EngineFacade: the only engine API the UI and the CLI use.

Thread-safe: every command runs on the engine thread and returns a
:class:`concurrent.futures.Future` (Qt code awaits ``asyncio.wrap_future(f)``); snapshot queries
return copies and may be called from any thread. The engine starts STOPPED until
:meth:`EngineFacade.start`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Mapping
from concurrent.futures import Future
from decimal import Decimal
from typing import Any, TypeVar

import pandas as pd

from app.core.enums import BreakerState, OrderType, Side, TradingMode
from app.core.errors import StorageError
from app.core.models import Balance, Fill, Market, Order, Position
from app.engine.bus import CoalescingQueue
from app.engine.engine import Engine
from app.engine.portfolio import PortfolioSnapshot
from app.engine.runtime import EngineThread
from app.engine.specs import EngineTrade, StrategySpec, StrategyStatus
from app.engine.supervisor import WorkerHealth
from app.risk.limits import RiskLimits

__all__ = ["EngineFacade", "StrategySpec", "StrategyStatus"]

logger = logging.getLogger(__name__)

T = TypeVar("T")


class EngineFacade:
    """Commands and snapshot queries over one engine (see the module docstring).

    Args:
        engine: the engine (built by :func:`app.engine.builder.build_engine`).
        thread: the engine thread (started here).
    """

    def __init__(self, engine: Engine, thread: EngineThread | None = None) -> None:
        self._engine = engine
        self._thread = thread or EngineThread()
        self._thread.start()
        self._closed = False
        self.events: CoalescingQueue = engine.queue
        self.mode: TradingMode = engine.mode

    def _submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        return self._thread.submit(coro)

    # ------------------------------------------------------------------ commands
    def start(self) -> Future[None]:
        """Connect, reconcile and start the workers."""
        return self._submit(self._engine.start())

    def stop(self) -> Future[None]:
        """Stop strategies and workers, close the exchange, flush the store."""
        return self._submit(self._engine.stop())

    def start_strategy(self, spec: StrategySpec) -> Future[str]:
        """Add a strategy instance; the future gives its strategy id."""
        return self._submit(self._engine.start_strategy(spec))

    def stop_strategy(self, strategy_id: str) -> Future[None]:
        """Stop one strategy instance."""
        return self._submit(self._engine.stop_strategy(strategy_id))

    def place_order(
        self,
        symbol: str,
        side: Side,
        order_type: OrderType,
        amount: Decimal,
        price: Decimal | None = None,
    ) -> Future[Order]:
        """A manual order through the same risk checks as strategies."""
        return self._submit(self._engine.place_order(symbol, side, order_type, amount, price))

    def cancel_order(self, client_order_id: str) -> Future[Order]:
        """Cancel an order by client order id."""
        return self._submit(self._engine.cancel_order(client_order_id))

    def engage_kill_switch(self, reason: str) -> Future[None]:
        """Cancel every open order, optionally close positions, refuse new orders until reset."""
        return self._submit(self._engine.engage_kill_switch(reason))

    def reset_breaker(self, name: str) -> Future[None]:
        """Reset a breaker by name (see :meth:`breaker_states`)."""
        return self._submit(self._engine.reset_breaker(name))

    def update_risk_limits(self, limits: RiskLimits) -> Future[None]:
        """Apply edited risk limits."""
        return self._submit(self._engine.update_risk_limits(limits))

    # ------------------------------------------------------------------ snapshot queries
    def markets(self) -> Mapping[str, Market]:
        """Markets by symbol."""
        return self._engine.view.markets()

    def candles(self, symbol: str, timeframe: str, limit: int | None = None) -> pd.DataFrame:
        """Recent candles (closed, then the forming one), oldest first."""
        return self._engine.candles.frame(symbol, timeframe, limit)

    def orders(self) -> list[Order]:
        """Known orders, oldest first."""
        return self._engine.view.orders()

    def fills(self) -> list[Fill]:
        """Recent fills, oldest first."""
        return self._engine.view.fills()

    def positions(self) -> list[Position]:
        """Positions by symbol."""
        return self._engine.view.positions()

    def balances(self) -> dict[str, Balance]:
        """Balances by currency."""
        return self._engine.view.balances()

    def pnl(self) -> PortfolioSnapshot:
        """Equity, realised and unrealised P&L, fees."""
        return self._engine.view.pnl()

    def breaker_states(self) -> dict[str, BreakerState]:
        """Breaker name -> state."""
        return self._engine.view.breaker_states()

    def risk_limits(self) -> RiskLimits:
        """The limits in force."""
        return self._engine.risk.limits

    def strategies(self) -> list[StrategyStatus]:
        """Strategy instances and their figures."""
        return self._engine.view.strategies()

    def strategy_trades(self, strategy_id: str) -> Future[list[EngineTrade]]:
        """Round trips one strategy instance completed."""

        async def trades() -> list[EngineTrade]:
            return self._engine.runner.trades(strategy_id)

        return self._submit(trades())

    def worker_health(self) -> dict[str, WorkerHealth]:
        """Supervised workers by name."""
        return self._engine.view.worker_health()

    def is_running(self) -> bool:
        """True between a successful start and stop."""
        return self._engine.running

    def shutdown(self, timeout: float = 15.0) -> None:
        """Stop the engine (if running), release the database and join the engine thread."""
        if self._closed:
            return
        self._closed = True
        if self._thread.is_running:
            try:
                self._thread.run(self._engine.stop(), timeout)
            except (TimeoutError, asyncio.CancelledError):
                logger.error("engine did not stop within %.0f s; closing anyway", timeout)
            except Exception:
                logger.exception("engine stop failed; closing anyway")
            self._thread.stop()
        try:
            self._engine.close_storage()
        except StorageError:
            logger.exception("the last audit records could not be written")
