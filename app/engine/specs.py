"""Values the facade exchanges with the UI and CLI about strategy instances."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.core.money import ZERO


@dataclass(frozen=True, slots=True)
class StrategySpec:
    """One strategy instance to run: registry name, market, parameters and sizing.

    ``sizing`` names a sizer of :mod:`app.risk.sizing` by ``kind`` (``fixed_quantity``,
    ``fixed_quote``, ``percent_of_equity``, ``kelly`` or ``volatility``) with its fields, e.g.
    ``{"kind": "fixed_quantity", "qty": "0.1"}``.
    """

    strategy: str
    symbol: str
    timeframe: str
    params: Mapping[str, Any] = field(default_factory=dict)
    sizing: Mapping[str, Any] = field(
        default_factory=lambda: {"kind": "percent_of_equity", "pct": "10"}
    )


@dataclass(frozen=True, slots=True)
class StrategyStatus:
    """Where one strategy instance stands (``status``: running, stopped, paused or failed)."""

    strategy_id: str
    spec: StrategySpec
    status: str
    detail: str = ""
    realised_pnl: Decimal = ZERO
    unrealised_pnl: Decimal = ZERO
    trades: int = 0
    position: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class EngineTrade:
    """A round trip a strategy instance completed through the engine (fees in quote currency).

    ``pnl`` is net of the entry and exit fees, as in the backtest's trades.
    """

    strategy_id: str
    symbol: str
    qty: Decimal
    entry_time: int
    entry_price: Decimal
    entry_fee: Decimal
    exit_time: int
    exit_price: Decimal
    exit_fee: Decimal
    pnl: Decimal
