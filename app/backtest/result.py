"""The result of one backtest: trades, refusals, the equity curve and the metrics."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.backtest.config import BacktestConfig
from app.backtest.data import FloatArray, IntArray
from app.backtest.metrics import Metrics
from app.backtest.trades import OpenTrade, RejectedOrder, Trade, json_number
from app.core.events import BreakerStateChanged, RiskDecision
from app.risk.periods import BreakerPeriod


@dataclass(frozen=True, slots=True)
class BacktestResult:
    """Everything one backtest produced. ``to_dict()`` is the documented JSON layout.

    The arrays hold one value per bar: equity, cash and signed position at each close.
    ``risk_events`` are breaker transitions, ``halted_periods`` the spans a breaker restricted
    trading and ``risk_decisions`` every rule that refused or resized an order (with a
    :class:`~app.risk.manager.RiskManager`; empty otherwise).
    """

    strategy: str
    params: Mapping[str, Any]
    config: BacktestConfig
    sizing: str
    timeframe_ms: int
    timestamp: IntArray
    close: FloatArray
    equity: FloatArray
    cash: FloatArray
    position: FloatArray
    trades: tuple[Trade, ...]
    open_trade: OpenTrade | None
    rejected_orders: tuple[RejectedOrder, ...]
    metrics: Metrics
    final_equity: Decimal
    fees_paid: Decimal
    risk_events: tuple[BreakerStateChanged, ...] = field(default=())
    halted_periods: tuple[BreakerPeriod, ...] = field(default=())
    risk_decisions: tuple[RiskDecision, ...] = field(default=())

    @property
    def bars(self) -> int:
        """Number of bars simulated."""
        return int(self.timestamp.shape[0])

    @property
    def num_trades(self) -> int:
        """Closed round trips (the open trade is not counted)."""
        return len(self.trades)

    @property
    def initial_capital(self) -> Decimal:
        """Starting cash."""
        return self.config.cash

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping: settings, metrics, trades, the open trade and refused orders."""
        config = self.config
        out: dict[str, Any] = {
            "strategy": self.strategy,
            "params": dict(self.params),
            "bars": self.bars,
            "start_time": int(self.timestamp[0]),
            "end_time": int(self.timestamp[-1]),
            "timeframe_ms": self.timeframe_ms,
            "initial_capital": json_number(config.cash),
            "fee": json_number(config.fee),
            "slippage_bps": json_number(config.slippage_bps),
            "sizing": self.sizing,
            "final_equity": json_number(self.final_equity),
            "num_trades": self.num_trades,
            "fees_paid": json_number(self.fees_paid),
        }
        out.update(self.metrics.to_dict())
        out["trades"] = [trade.to_dict() for trade in self.trades]
        out["open_trade"] = None if self.open_trade is None else self.open_trade.to_dict()
        out["rejected_orders"] = [order.to_dict() for order in self.rejected_orders]
        out["risk_events"] = [
            {
                "time": event.timestamp,
                "breaker": event.breaker,
                "old_state": event.old_state.value,
                "new_state": event.new_state.value,
                "reason": event.reason,
            }
            for event in self.risk_events
        ]
        out["halted_periods"] = [
            {
                "breaker": period.breaker,
                "state": period.state.value,
                "start": period.start,
                "end": period.end,
                "reason": period.reason,
            }
            for period in self.halted_periods
        ]
        return out

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, default=json_default)


def json_default(value: Any) -> Any:
    """``json.dumps`` fallback: Decimals and numpy scalars as numbers.

    Raises:
        TypeError: any other type.
    """
    if isinstance(value, Decimal):
        return json_number(value)
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
