"""Strategy runner: several strategy instances, each acting on its candle closes.

On every :class:`CandleClosed` of an instance's (symbol, timeframe) the runner, with the
backtest's semantics (DESIGN.md "Backtest semantics"):

1. appends the candle to the instance's rolling window and calls ``generate_signals`` on it;
2. reads the LAST bar's flags: flat + entry -> buy, long + exit -> sell the whole position
   (spot trading is long only; short flags are ignored); while an order of the instance is
   still in flight nothing new is sent;
3. sizes an entry with the configured sizer at the signal bar's close, runs the risk manager
   (``check``, then ``record_submitted``) and hands a MARKET order to the executor, which fills
   at the next price — with the replay feed, the next bar's open.

Every signal gets a correlation id carried by its :class:`SignalGenerated`, :class:`RiskDecision`
events and the order. Fills of an instance's orders update its position and round trips; a
closed round trip's P&L (fees included) feeds the risk manager's loss-streak breaker. A strategy
that raises is stopped alone (status "failed", an :class:`Alert`), never the engine.
"""

from __future__ import annotations

import logging
import math
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from app.core.enums import BreakerState, OrderStatus, OrderType, RiskVerdict, Side, SignalAction
from app.core.errors import CryptobotError, RiskRejected, StorageError
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
from app.core.ids import new_correlation_id
from app.core.models import Candle, Fill, Order, Signal
from app.core.money import ZERO, to_decimal
from app.engine.executor import OrderRequest
from app.engine.sizing_spec import sizer_from_spec
from app.engine.specs import EngineTrade, StrategySpec, StrategyStatus
from app.engine.strategy_window import CandleWindow
from app.indicators import atr
from app.risk.context import OrderIntent, RiskContext
from app.risk.manager import RiskManager
from app.risk.sizing import Sizer, SizingContext, VolatilitySizer
from app.strategies.base import BaseStrategy
from app.strategies.registry import StrategyRegistry

logger = logging.getLogger(__name__)

DEFAULT_WINDOW = 1000
"""Bars kept per instance (at least four times the strategy's warm-up)."""
ATR_PERIOD = 14


class OrderSubmitter(Protocol):
    """The executor side of the order path (:class:`app.engine.executor.OrderExecutor`)."""

    async def submit(self, request: OrderRequest) -> Order:
        """Send one approved order exactly once."""
        ...


class AccountView(Protocol):
    """What the runner needs to know about the account at a decision."""

    def risk_context(self, symbol: str) -> RiskContext:
        """Account snapshot for an order in ``symbol``."""
        ...


@dataclass(slots=True)
class _RoundTrip:
    qty: Decimal = ZERO
    cost: Decimal = ZERO
    fee: Decimal = ZERO
    time: int = 0
    exit_qty: Decimal = ZERO
    exit_value: Decimal = ZERO
    exit_fee: Decimal = ZERO


@dataclass(slots=True)
class _Instance:
    strategy_id: str
    spec: StrategySpec
    strategy: BaseStrategy
    sizer: Sizer
    window: CandleWindow
    status: str = "running"
    detail: str = ""
    position: Decimal = ZERO
    open_trip: _RoundTrip = field(default_factory=_RoundTrip)
    realised: Decimal = ZERO
    trades: list[EngineTrade] = field(default_factory=list)
    returns: list[Decimal] = field(default_factory=list)
    filled: dict[str, Decimal] = field(default_factory=dict)
    pending: dict[str, Order] = field(default_factory=dict)
    mark: Decimal | None = None
    needs_atr: bool = False


class StrategyRunner:
    """Runs strategy instances on candle closes (see the module docstring).

    Args:
        submitter: the order executor.
        risk: the account's risk manager.
        account: gives the risk context (equity, cash, positions, market) of an order.
        publish: receives the runner's events (the bus's publish).
        registry: where strategy names are looked up.
        window: bars kept per instance (raised to four times the warm-up when shorter).
    """

    def __init__(
        self,
        submitter: OrderSubmitter,
        risk: RiskManager,
        account: AccountView,
        publish: Callable[[Event], None],
        registry: StrategyRegistry,
        *,
        window: int = DEFAULT_WINDOW,
    ) -> None:
        self._submitter = submitter
        self._risk = risk
        self._account = account
        self._publish = publish
        self._registry = registry
        self._window = window
        self._instances: dict[str, _Instance] = {}
        self._owner: dict[str, str] = {}

    # ------------------------------------------------------------------ instances
    def add(self, spec: StrategySpec, history: Sequence[Candle] = (), timestamp: int = 0) -> str:
        """Create and start an instance of ``spec``; returns its strategy id.

        Args:
            spec: strategy, market, parameters and sizing.
            history: closed candles before now, oldest first (fill the window).
            timestamp: ms UTC of the start (for the event).

        Raises:
            StrategyError: unknown strategy or invalid parameters.
            ConfigError: invalid sizing.
        """
        strategy = self._registry.create(spec.strategy, dict(spec.params))
        sizer = sizer_from_spec(spec.sizing)
        window = CandleWindow(max(self._window, 4 * strategy.warmup_bars + 1))
        for candle in history:
            window.append(candle)
        strategy_id = f"{spec.strategy}-{secrets.token_hex(3)}"
        instance = _Instance(strategy_id, spec, strategy, sizer, window)
        instance.needs_atr = isinstance(sizer, VolatilitySizer)
        if history:
            instance.mark = to_decimal(history[-1].close)
        self._instances[strategy_id] = instance
        self._changed(instance, "running", f"{spec.symbol} {spec.timeframe}", timestamp)
        logger.info(
            "strategy %s started: %s on %s %s", strategy_id, strategy, spec.symbol, spec.timeframe
        )
        return strategy_id

    def seed(self, strategy_id: str, history: Sequence[Candle]) -> None:
        """Add closed candles (oldest first) before the instance's first live close.

        Raises:
            KeyError: no instance has this id.
        """
        instance = self._instances[strategy_id]
        for candle in history:
            instance.window.append(candle)
        if history:
            instance.mark = to_decimal(history[-1].close)

    def specs(self) -> dict[str, StrategySpec]:
        """Spec of every instance by strategy id."""
        return {i.strategy_id: i.spec for i in self._instances.values()}

    def window_size(self, strategy_id: str) -> int:
        """Bars the instance's window keeps.

        Raises:
            KeyError: no instance has this id.
        """
        return self._instances[strategy_id].window.capacity

    def stop(
        self, strategy_id: str, timestamp: int = 0, detail: str = "stopped by the user"
    ) -> None:
        """Stop an instance (it keeps its figures; in-flight orders finish on their own).

        Raises:
            KeyError: no instance has this id.
        """
        instance = self._instances[strategy_id]
        if instance.status in ("running", "paused"):
            self._changed(instance, "stopped", detail, timestamp)

    def stop_all(self, timestamp: int = 0, detail: str = "engine stopped") -> None:
        """Stop every running instance."""
        for strategy_id in list(self._instances):
            self.stop(strategy_id, timestamp, detail)

    def __contains__(self, strategy_id: object) -> bool:
        return strategy_id in self._instances

    def statuses(self) -> list[StrategyStatus]:
        """Every instance's status and figures (paused when its loss breaker is not active)."""
        states = self._risk.states()
        result = []
        for instance in self._instances.values():
            status = instance.status
            detail = instance.detail
            breaker = states.get(f"strategy:{instance.strategy_id}", BreakerState.ACTIVE)
            if status == "running" and breaker is not BreakerState.ACTIVE:
                status, detail = "paused", "paused by its consecutive-loss breaker"
            result.append(
                StrategyStatus(
                    strategy_id=instance.strategy_id,
                    spec=instance.spec,
                    status=status,
                    detail=detail,
                    realised_pnl=instance.realised,
                    unrealised_pnl=_unrealised(instance),
                    trades=len(instance.trades),
                    position=instance.position,
                )
            )
        return result

    def trades(self, strategy_id: str) -> list[EngineTrade]:
        """Round trips the instance completed, oldest first.

        Raises:
            KeyError: no instance has this id.
        """
        return list(self._instances[strategy_id].trades)

    # ------------------------------------------------------------------ candle closes
    async def on_candle_closed(self, event: CandleClosed) -> None:
        """Run every instance of the event's series on the closed candle."""
        for instance in list(self._instances.values()):
            spec = instance.spec
            if instance.status != "running" or (spec.symbol, spec.timeframe) != (
                event.symbol,
                event.timeframe,
            ):
                continue
            if not instance.window.append(event.candle):
                continue
            instance.mark = to_decimal(event.candle.close)
            try:
                actions = self._signals(instance)
            except Exception as exc:
                self._fail(instance, exc, event.timestamp)
                continue
            if actions:
                await self._act(instance, actions, event)

    def _signals(self, instance: _Instance) -> tuple[SignalAction, ...]:
        if len(instance.window) <= instance.strategy.warmup_bars:
            return ()
        frame = instance.strategy.generate_signals(instance.window.frame())
        if len(frame) != len(instance.window):
            raise CryptobotError(
                f"generate_signals returned {len(frame)} bars for {len(instance.window)} candles"
            )
        return frame.actions_at(-1)

    async def _act(
        self, instance: _Instance, actions: tuple[SignalAction, ...], event: CandleClosed
    ) -> None:
        if instance.pending:
            logger.debug("strategy %s: order in flight, signal skipped", instance.strategy_id)
            return
        if instance.position > 0 and SignalAction.EXIT_LONG in actions:
            await self._signal(instance, SignalAction.EXIT_LONG, event)
        elif instance.position == 0 and SignalAction.ENTER_LONG in actions:
            await self._signal(instance, SignalAction.ENTER_LONG, event)

    async def _signal(self, instance: _Instance, action: SignalAction, event: CandleClosed) -> None:
        spec = instance.spec
        correlation_id = new_correlation_id()
        close = to_decimal(event.candle.close)
        signal = Signal(
            strategy_id=instance.strategy_id,
            symbol=spec.symbol,
            action=action,
            timestamp=event.candle.timestamp,
            price=close,
            correlation_id=correlation_id,
        )
        self._publish(SignalGenerated(timestamp=event.timestamp, signal=signal))
        ctx = self._account.risk_context(spec.symbol)
        exiting = action is SignalAction.EXIT_LONG
        side = Side.SELL if exiting else Side.BUY
        if exiting:
            amount = instance.position
        else:
            amount = self._size(instance, ctx, close, event, correlation_id)
            if amount <= 0:
                return
        intent = OrderIntent(
            spec.symbol,
            side,
            OrderType.MARKET,
            amount,
            None,
            instance.strategy_id,
            event.timestamp,
            correlation_id,
        )
        result = self._risk.check(intent, ctx)
        for decision in result.decisions:
            self._publish(decision)
        if not result.approved:
            logger.info(
                "strategy %s: %s %s refused by risk: %s",
                instance.strategy_id,
                side,
                spec.symbol,
                result.reason,
                extra={"correlation_id": correlation_id},
            )
            return
        submitted = OrderIntent(
            spec.symbol,
            side,
            OrderType.MARKET,
            result.amount,
            None,
            instance.strategy_id,
            event.timestamp,
            correlation_id,
        )
        self._risk.record_submitted(submitted)
        request = OrderRequest(
            symbol=spec.symbol,
            side=side,
            order_type=OrderType.MARKET,
            amount=result.amount,
            strategy_id=instance.strategy_id,
            correlation_id=correlation_id,
            reduce_only=exiting,
        )
        await self._submit(instance, request, event.timestamp)

    def _size(
        self,
        instance: _Instance,
        ctx: RiskContext,
        close: Decimal,
        event: CandleClosed,
        correlation_id: str,
    ) -> Decimal:
        sized = instance.sizer.size_with_reason(
            SizingContext(
                equity=ctx.equity,
                price=close,
                market=ctx.market,
                atr=_last_atr(instance.window) if instance.needs_atr else None,
                trade_returns=tuple(instance.returns),
            )
        )
        if sized.amount <= 0:
            self._publish(
                RiskDecision(
                    timestamp=event.timestamp,
                    rule="sizing",
                    verdict=RiskVerdict.REJECT,
                    reason=sized.reason,
                    symbol=instance.spec.symbol,
                    strategy_id=instance.strategy_id,
                    correlation_id=correlation_id,
                    amount=ZERO,
                )
            )
        return sized.amount

    async def _submit(self, instance: _Instance, request: OrderRequest, timestamp: int) -> None:
        try:
            order = await self._submitter.submit(request)
        except RiskRejected as exc:
            self._publish(
                RiskDecision(
                    timestamp=timestamp,
                    rule="exchange_breaker",
                    verdict=RiskVerdict.REJECT,
                    reason=str(exc),
                    symbol=request.symbol,
                    strategy_id=instance.strategy_id,
                    correlation_id=request.correlation_id,
                    original_amount=request.amount,
                    amount=ZERO,
                )
            )
            return
        except StorageError as exc:
            self._fail(instance, exc, timestamp)
            return
        except CryptobotError as exc:
            logger.warning("strategy %s: order not placed: %s", instance.strategy_id, exc)
            self._publish(
                Alert(
                    timestamp=timestamp,
                    level="warning",
                    title=f"Order of {instance.strategy_id} not placed",
                    message=str(exc),
                    correlation_id=request.correlation_id,
                )
            )
            return
        self._owner[order.client_order_id] = instance.strategy_id
        instance.filled.setdefault(order.client_order_id, ZERO)
        self._track(instance, order)

    # ------------------------------------------------------------------ orders and fills
    def on_order_updated(self, event: OrderUpdated) -> None:
        """Bus handler: follow the state of the instances' orders."""
        owner = self._owner.get(event.order.client_order_id)
        if owner is not None:
            self._track(self._instances[owner], event.order)

    def on_fill(self, event: FillReceived) -> None:
        """Bus handler: book a fill of an instance's order (position, round trips, P&L)."""
        fill = event.fill
        owner = self._owner.get(fill.client_order_id)
        if owner is None:
            return
        instance = self._instances[owner]
        instance.filled[fill.client_order_id] = (
            instance.filled.get(fill.client_order_id, ZERO) + fill.amount
        )
        self._book(instance, fill)
        pending = instance.pending.get(fill.client_order_id)
        if pending is not None:
            self._track(instance, pending)

    def _track(self, instance: _Instance, order: Order) -> None:
        coid = order.client_order_id
        booked = instance.filled.get(coid, ZERO)
        settled = order.status.is_terminal and booked >= order.filled
        if settled or order.status is OrderStatus.REJECTED:
            instance.pending.pop(coid, None)
        else:
            instance.pending[coid] = order

    def _book(self, instance: _Instance, fill: Fill) -> None:
        fee = fill.fee * fill.price if fill.fee_currency == fill.symbol.split("/")[0] else fill.fee
        trip = instance.open_trip
        if fill.side is Side.BUY:
            if trip.qty == 0:
                trip.time = fill.timestamp
            trip.qty += fill.amount
            trip.cost += fill.notional
            trip.fee += fee
            instance.position += fill.amount
            return
        trip.exit_qty += fill.amount
        trip.exit_value += fill.notional
        trip.exit_fee += fee
        instance.position -= fill.amount
        if instance.position <= 0 and trip.qty > 0:
            self._close_trip(instance, fill.timestamp)

    def _close_trip(self, instance: _Instance, timestamp: int) -> None:
        trip = instance.open_trip
        pnl = trip.exit_value - trip.cost - trip.fee - trip.exit_fee
        trade = EngineTrade(
            strategy_id=instance.strategy_id,
            symbol=instance.spec.symbol,
            qty=trip.qty,
            entry_time=trip.time,
            entry_price=trip.cost / trip.qty,
            entry_fee=trip.fee,
            exit_time=timestamp,
            exit_price=trip.exit_value / trip.exit_qty,
            exit_fee=trip.exit_fee,
            pnl=pnl,
        )
        instance.trades.append(trade)
        instance.realised += pnl
        instance.returns.append(pnl / trip.cost)
        instance.open_trip = _RoundTrip()
        instance.position = ZERO
        for change in self._risk.record_trade_closed(instance.strategy_id, pnl, timestamp):
            self._publish(change)
            if change.breaker == f"strategy:{instance.strategy_id}":
                status = "running" if change.new_state is BreakerState.ACTIVE else "paused"
                self._publish(
                    StrategyStateChanged(
                        timestamp=timestamp,
                        strategy_id=instance.strategy_id,
                        status=status,
                        detail=change.reason,
                    )
                )

    # ------------------------------------------------------------------ state changes
    def _fail(self, instance: _Instance, exc: BaseException, timestamp: int) -> None:
        detail = f"{type(exc).__name__}: {exc}"
        logger.error(
            "strategy %s failed and was stopped: %s",
            instance.strategy_id,
            detail,
            exc_info=exc,
            extra={"strategy_id": instance.strategy_id},
        )
        self._changed(instance, "failed", detail, timestamp)
        self._publish(
            Alert(
                timestamp=timestamp,
                level="error",
                title=f"Strategy {instance.strategy_id} stopped",
                message=f"{detail}; fix the strategy or its parameters and start it again",
            )
        )

    def _changed(self, instance: _Instance, status: str, detail: str, timestamp: int) -> None:
        instance.status = status
        instance.detail = detail
        self._publish(
            StrategyStateChanged(
                timestamp=timestamp, strategy_id=instance.strategy_id, status=status, detail=detail
            )
        )


def _unrealised(instance: _Instance) -> Decimal:
    trip = instance.open_trip
    if instance.position <= 0 or instance.mark is None or trip.qty == 0:
        return ZERO
    average = trip.cost / trip.qty
    return (instance.mark - average) * instance.position


def _last_atr(window: CandleWindow) -> Decimal | None:
    """ATR of the window's last bar (volatility sizing), None while it is still warming up."""
    values = atr(window.column(1), window.column(2), window.column(3), ATR_PERIOD)
    last = float(values[-1]) if len(values) else float("nan")
    return None if math.isnan(last) else to_decimal(last)
