"""Strategy runner: signals -> sizing -> risk -> executor, fills -> positions and round trips."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest

from app.core.enums import BreakerState, OrderStatus, OrderType, RiskVerdict, Side, SignalAction
from app.core.errors import ConfigError
from app.core.events import (
    Alert,
    CandleClosed,
    Event,
    FillReceived,
    OrderUpdated,
    RiskDecision,
    SignalGenerated,
    StrategyStateChanged,
)
from app.core.models import Candle, Fill, Market, Order
from app.engine.executor import OrderRequest
from app.engine.specs import StrategySpec
from app.engine.strategy_runner import StrategyRunner
from app.risk.context import RiskContext
from app.risk.limits import RiskLimits
from app.risk.manager import RiskManager
from app.strategies import BaseStrategy, Parameter, SignalFrame, StrategyRegistry

HOUR = 3_600_000
MARKET = Market(
    symbol="BTC/USDT",
    base="BTC",
    quote="USDT",
    tick_size=Decimal("0.01"),
    step_size=Decimal("0.00001"),
    min_notional=Decimal(5),
)
ENTER, EXIT, BOOM = 101.0, 99.0, 66.0


class Scripted(BaseStrategy):
    """Enters on a close of 101, exits on a close of 99, raises on a close of 66."""

    name = "scripted"
    title = "Scripted"
    description = "Signals chosen by the close price (tests)."

    @classmethod
    def get_parameters(cls) -> tuple[Parameter, ...]:
        return (Parameter("unused", "int", 1, min=1, max=10),)

    def generate_signals(self, data: pd.DataFrame) -> SignalFrame:
        close = self.column(data, "close")
        if close[-1] == BOOM:
            raise RuntimeError("indicator blew up")
        return SignalFrame(entries=np.asarray(close == ENTER), exits=np.asarray(close == EXIT))


class RecordingExecutor:
    """Accepts every request as an OPEN order (the exchange is not the subject here)."""

    def __init__(self) -> None:
        self.requests: list[OrderRequest] = []

    async def submit(self, request: OrderRequest) -> Order:
        self.requests.append(request)
        return Order(
            client_order_id=f"cb-{len(self.requests)}",
            symbol=request.symbol,
            side=request.side,
            type=request.order_type,
            amount=request.amount,
            status=OrderStatus.OPEN,
            strategy_id=request.strategy_id,
            correlation_id=request.correlation_id,
        )


class Account:
    """A flat 10,000 USDT account."""

    def risk_context(self, symbol: str) -> RiskContext:
        return RiskContext(
            equity=Decimal(10_000),
            quote_free=Decimal(10_000),
            positions={},
            last_prices={symbol: Decimal(100)},
            open_orders=0,
            market=MARKET,
            fee_rate=Decimal("0.001"),
        )


def _runner(
    limits: RiskLimits | None = None,
) -> tuple[StrategyRunner, RecordingExecutor, list[Event], RiskManager]:
    registry = StrategyRegistry()
    registry.register(Scripted)
    events: list[Event] = []
    executor = RecordingExecutor()
    risk = RiskManager(limits or RiskLimits(consecutive_losses=2))
    runner = StrategyRunner(executor, risk, Account(), events.append, registry, window=50)
    return runner, executor, events, risk


def _spec(sizing: Mapping[str, Any] | None = None) -> StrategySpec:
    return StrategySpec(
        "scripted", "BTC/USDT", "1h", {}, sizing or {"kind": "fixed_quantity", "qty": "0.5"}
    )


def _close(bar: int, close: float, symbol: str = "BTC/USDT") -> CandleClosed:
    candle = Candle(bar * HOUR, close, close + 1, close - 1, close, 10.0)
    return CandleClosed(
        timestamp=(bar + 1) * HOUR, exchange="x", symbol=symbol, timeframe="1h", candle=candle
    )


def _fill(order_id: str, side: Side, price: str, amount: str, at: int) -> FillReceived:
    fill = Fill(
        trade_id=f"t-{order_id}-{at}",
        client_order_id=order_id,
        symbol="BTC/USDT",
        side=side,
        price=Decimal(price),
        amount=Decimal(amount),
        fee=Decimal(price) * Decimal(amount) * Decimal("0.001"),
        fee_currency="USDT",
        timestamp=at,
    )
    return FillReceived(timestamp=at, fill=fill)


def _filled(order_id: str, side: Side, amount: str) -> OrderUpdated:
    order = Order(
        order_id, "BTC/USDT", side, OrderType.MARKET, Decimal(amount), status=OrderStatus.FILLED,
        filled=Decimal(amount),
    )  # fmt: skip
    return OrderUpdated(timestamp=0, order=order)


async def test_entry_signal_sends_one_sized_market_buy_with_one_correlation_id() -> None:
    runner, executor, events, _ = _runner()
    strategy_id = runner.add(_spec())
    await runner.on_candle_closed(_close(0, 100.0))
    assert executor.requests == []
    await runner.on_candle_closed(_close(1, ENTER))
    [request] = executor.requests
    assert (request.side, request.order_type, request.amount) == (
        Side.BUY,
        OrderType.MARKET,
        Decimal("0.5"),
    )
    assert request.strategy_id == strategy_id
    assert not request.reduce_only
    [signal] = [e for e in events if isinstance(e, SignalGenerated)]
    assert signal.signal.action is SignalAction.ENTER_LONG
    assert signal.signal.price == Decimal("101.0")
    decisions = [e for e in events if isinstance(e, RiskDecision)]
    assert decisions and decisions[-1].verdict is RiskVerdict.APPROVE
    ids = {signal.signal.correlation_id, request.correlation_id}
    ids |= {d.correlation_id for d in decisions}
    assert len(ids) == 1 and None not in ids


async def test_nothing_new_is_sent_while_an_order_is_in_flight() -> None:
    runner, executor, _, _ = _runner()
    runner.add(_spec())
    await runner.on_candle_closed(_close(0, ENTER))
    await runner.on_candle_closed(_close(1, ENTER))
    assert len(executor.requests) == 1


async def test_fills_make_a_round_trip_whose_loss_feeds_the_loss_streak_breaker() -> None:
    runner, executor, events, risk = _runner(RiskLimits(consecutive_losses=1))
    strategy_id = runner.add(_spec())
    await runner.on_candle_closed(_close(0, ENTER))
    runner.on_order_updated(_filled("cb-1", Side.BUY, "0.5"))
    runner.on_fill(_fill("cb-1", Side.BUY, "101", "0.5", HOUR))
    [status] = runner.statuses()
    assert status.position == Decimal("0.5")
    await runner.on_candle_closed(_close(1, EXIT))
    exit_request = executor.requests[1]
    assert (exit_request.side, exit_request.amount, exit_request.reduce_only) == (
        Side.SELL,
        Decimal("0.5"),
        True,
    )
    runner.on_fill(_fill("cb-2", Side.SELL, "99", "0.5", 2 * HOUR))
    runner.on_order_updated(_filled("cb-2", Side.SELL, "0.5"))
    [trade] = runner.trades(strategy_id)
    assert trade.entry_price == Decimal(101) and trade.exit_price == Decimal(99)
    assert trade.pnl == Decimal("-1") - Decimal("0.0505") - Decimal("0.0495")
    [status] = runner.statuses()
    assert (status.trades, status.position, status.realised_pnl) == (1, 0, trade.pnl)
    assert risk.states()[f"strategy:{strategy_id}"] is not BreakerState.ACTIVE
    assert status.status == "paused"
    assert any(isinstance(e, StrategyStateChanged) and e.status == "paused" for e in events)


async def test_a_failing_strategy_stops_alone_with_an_alert() -> None:
    runner, executor, events, _ = _runner()
    broken = runner.add(_spec())
    await runner.on_candle_closed(_close(0, BOOM))
    healthy = runner.add(_spec())
    await runner.on_candle_closed(_close(1, ENTER))
    statuses = {s.strategy_id: s for s in runner.statuses()}
    assert statuses[broken].status == "failed"
    assert "indicator blew up" in statuses[broken].detail
    assert statuses[healthy].status == "running"
    assert [r.strategy_id for r in executor.requests] == [healthy]
    assert any(isinstance(e, Alert) and broken in e.title for e in events)


async def test_an_oversized_order_is_resized_by_risk() -> None:
    runner, executor, events, _ = _runner(RiskLimits(max_order_notional=Decimal(10)))
    runner.add(_spec({"kind": "fixed_quantity", "qty": "1"}))
    await runner.on_candle_closed(_close(0, ENTER))
    final = [e for e in events if isinstance(e, RiskDecision)][-1]
    assert final.verdict is RiskVerdict.RESIZE
    assert executor.requests[0].amount == Decimal("0.1")  # 10 USDT at the last price, 100


async def test_risk_rejection_sends_nothing_and_says_why() -> None:
    runner, executor, events, risk = _runner()
    risk.engage_kill_switch("test", 0)
    runner.add(_spec())
    await runner.on_candle_closed(_close(0, ENTER))
    assert executor.requests == []
    final = [e for e in events if isinstance(e, RiskDecision)][-1]
    assert final.verdict is RiskVerdict.REJECT
    assert "kill switch" in final.reason


async def test_a_size_below_the_minimum_notional_is_refused_by_sizing() -> None:
    runner, executor, events, _ = _runner()
    runner.add(_spec({"kind": "fixed_quote", "amount": "1"}))
    await runner.on_candle_closed(_close(0, ENTER))
    assert executor.requests == []
    [decision] = [e for e in events if isinstance(e, RiskDecision)]
    assert decision.rule == "sizing" and decision.verdict is RiskVerdict.REJECT
    assert "minimum notional" in decision.reason


async def test_other_markets_and_stopped_strategies_are_left_alone() -> None:
    runner, executor, _, _ = _runner()
    strategy_id = runner.add(_spec())
    await runner.on_candle_closed(_close(0, ENTER, symbol="ETH/USDT"))
    runner.stop(strategy_id)
    await runner.on_candle_closed(_close(1, ENTER))
    assert executor.requests == []
    assert runner.statuses()[0].status == "stopped"


def test_invalid_sizing_is_refused_with_the_field_named() -> None:
    runner, _, _, _ = _runner()
    with pytest.raises(ConfigError, match=r"sizing\.kind"):
        runner.add(_spec({"kind": "martingale"}))
    with pytest.raises(ConfigError, match=r"sizing\.qty"):
        runner.add(_spec({"kind": "fixed_quantity"}))


async def test_volatility_sizing_risks_the_configured_share_of_equity_per_atr_stop() -> None:
    runner, executor, _, _ = _runner(
        RiskLimits(max_order_notional=Decimal(1_000_000), max_position_pct=Decimal(100))
    )
    runner.add(_spec({"kind": "volatility", "risk_pct": "1", "atr_multiple": "2"}))
    for bar in range(20):
        await runner.on_candle_closed(_close(bar, 100.0))
    assert executor.requests == []
    await runner.on_candle_closed(_close(20, ENTER))
    [request] = executor.requests
    # every bar's true range is 2, so ATR = 2: 1 % of 10,000 over a stop 2 x 2 away = 25 units
    assert request.amount == Decimal(25)


async def test_a_restarted_strategy_gets_its_id_position_and_trades_back() -> None:
    runner, executor, _, _ = _runner()
    strategy_id = runner.add(_spec())
    await runner.on_candle_closed(_close(0, ENTER))
    buy = _fill("cb-1", Side.BUY, "101", "0.5", HOUR)
    runner.on_fill(buy)
    runner.on_order_updated(_filled("cb-1", Side.BUY, "0.5"))
    [request] = executor.requests
    stored_order = Order(
        "cb-1", "BTC/USDT", Side.BUY, OrderType.MARKET, Decimal("0.5"), status=OrderStatus.FILLED,
        filled=Decimal("0.5"), strategy_id=request.strategy_id,
    )  # fmt: skip
    someone_else = Order("cb-9", "BTC/USDT", Side.BUY, OrderType.MARKET, Decimal(1))

    again, executor_again, _, _ = _runner()
    assert again.add(_spec()) == strategy_id
    assert again.add(_spec()) != strategy_id  # a second copy of the same spec
    assert again.restore(strategy_id, [stored_order, someone_else], [buy.fill]) == 1
    status = {s.strategy_id: s for s in again.statuses()}[strategy_id]
    assert status.position == Decimal("0.5")
    await again.on_candle_closed(_close(1, EXIT))
    assert [(r.strategy_id, r.side) for r in executor_again.requests] == [(strategy_id, Side.SELL)]
