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


@dataclass(frozen=True, slots=True)
class RiskEvent:
    """A circuit-breaker state change seen during the backtest."""

    time: int
    breaker: str
    old_state: str
    new_state: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "time": self.time,
            "breaker": self.breaker,
            "old_state": self.old_state,
            "new_state": self.new_state,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class HaltedPeriod:
    """Bars during which a breaker refused new exposure; ``end`` None = still halted at the end."""

    breaker: str
    start: int
    end: int | None
    state: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {"breaker": self.breaker, "start": self.start, "end": self.end, "state": self.state}


@dataclass(frozen=True, slots=True)
class BacktestResult:
    """Everything one backtest produced. ``to_dict()`` is the documented JSON layout."""

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
    risk_events: tuple[RiskEvent, ...] = field(default=())
    halted_periods: tuple[HaltedPeriod, ...] = field(default=())

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
        out["risk_events"] = [event.to_dict() for event in self.risk_events]
        out["halted_periods"] = [period.to_dict() for period in self.halted_periods]
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
