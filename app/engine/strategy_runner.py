"""Strategy runner: several strategy instances, each acting on its candle closes.

On every :class:`CandleClosed` of an instance's (symbol, timeframe) the runner, with the
backtest's semantics (DESIGN.md "Backtest semantics"):

1. appends the candle to the instance's rolling window and calls ``generate_signals`` on it;
2. reads the LAST bar's flags: flat + entry -> buy, long + exit -> sell the whole position
   (spot trading is long only; short flags are ignored); while an order of the instance is
   still in flight nothing new is sent. The position is what the account received (a buy's
   fee charged in the base coin is not in it); an exit sells it rounded down to the market's
   step, never more than the account holds (:mod:`app.engine.exit_amount`), and a remainder
   below the market's minimum order is dust: logged once, left in the balances, the instance
   is flat and may enter again;
3. sizes an entry with the configured sizer at the signal bar's close, runs the risk manager
   (``check``, then ``record_submitted``) and hands a MARKET order to the executor, which fills
   at the next price — with the replay feed, the next bar's open.

Every signal gets a correlation id carried by its :class:`SignalGenerated`, :class:`RiskDecision`
events and the order. Fills of an instance's orders update its position and round trips; a
closed round trip's P&L (fees included) feeds the risk manager's loss-streak breaker. A strategy
that raises is stopped alone (status "failed", an :class:`Alert`), never the engine.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

from app.core.enums import BreakerState, SignalAction
from app.core.errors import CryptobotError, StorageError
from app.core.events import (
    Alert,
    CandleClosed,
    Event,
    FillReceived,
    OrderUpdated,
    StrategyStateChanged,
)
from app.core.models import Candle, Fill, Order
from app.core.money import to_decimal
from app.engine.exit_amount import exit_or_write_off, settle_dust
from app.engine.signal_pipeline import AccountView, OrderSubmitter, SignalPipeline
from app.engine.sizing_spec import sizer_from_spec
from app.engine.specs import EngineTrade, StrategySpec, StrategyStatus
from app.engine.strategy_book import StrategyBook, StrategyInstance
from app.engine.strategy_window import CandleWindow
from app.risk.manager import RiskManager
from app.risk.sizing import VolatilitySizer
from app.strategies.registry import StrategyRegistry

logger = logging.getLogger(__name__)

DEFAULT_WINDOW = 1000
"""Bars kept per instance (at least four times the strategy's warm-up)."""


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
        self._risk = risk
        self._account = account
        self._publish = publish
        self._pipeline = SignalPipeline(submitter, risk, account, publish)
        self._registry = registry
        self._window = window
        self._instances: dict[str, StrategyInstance] = {}
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
        strategy_id = self._new_id(spec)
        book = StrategyBook(strategy_id, spec.symbol)
        instance = StrategyInstance(strategy_id, spec, strategy, sizer, window, book)
        instance.needs_atr = isinstance(sizer, VolatilitySizer)
        if history:
            instance.mark = to_decimal(history[-1].close)
        self._instances[strategy_id] = instance
        self._changed(instance, "running", f"{spec.symbol} {spec.timeframe}", timestamp)
        logger.info(
            "strategy %s started: %s on %s %s", strategy_id, strategy, spec.symbol, spec.timeframe
        )
        return strategy_id

    def _new_id(self, spec: StrategySpec) -> str:
        """A stable id for ``spec`` (the same spec gets the same id after a restart)."""
        text = json.dumps(
            [spec.strategy, spec.symbol, spec.timeframe, dict(spec.params), dict(spec.sizing)],
            sort_keys=True,
            default=str,
        )
        base = f"{spec.strategy}-{hashlib.sha256(text.encode()).hexdigest()[:6]}"
        strategy_id, copy = base, 1
        while strategy_id in self._instances:
            copy += 1
            strategy_id = f"{base}-{copy}"
        return strategy_id

    def restore(self, strategy_id: str, orders: Iterable[Order], fills: Iterable[Fill]) -> int:
        """Rebuild an instance's book from the stored orders and fills of a previous run.

        An exit's remainder too small to sell is written off again (silently), as it was live.

        Args:
            strategy_id: the instance (ids are stable per spec).
            orders: stored orders, any owner (the instance's are picked by strategy id).
            fills: stored fills, oldest first.

        Returns:
            How many of the instance's orders were found.

        Raises:
            KeyError: no instance has this id.
            EngineError: the exchange does not list the instance's market.
        """
        instance = self._instances[strategy_id]
        own = [o for o in orders if o.strategy_id == strategy_id]
        for order in own:
            self._owner[order.client_order_id] = strategy_id
            instance.book.track(order)
        book = instance.book
        for fill in fills:
            if self._owner.get(fill.client_order_id) == strategy_id:
                book.book(fill)
                pending = book.is_pending(fill.client_order_id)
                if book.exiting and not pending and book.position > 0:
                    market = self._account.risk_context(instance.spec.symbol).market
                    settle_dust(instance, market, fill.price, fill.timestamp, report=False)
        return len(own)

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
                    realised_pnl=instance.book.realised,
                    unrealised_pnl=instance.book.unrealised(instance.mark),
                    trades=len(instance.book.trades),
                    position=instance.book.position,
                )
            )
        return result

    def trades(self, strategy_id: str) -> list[EngineTrade]:
        """Round trips the instance completed, oldest first.

        Raises:
            KeyError: no instance has this id.
        """
        return list(self._instances[strategy_id].book.trades)

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

    def _signals(self, instance: StrategyInstance) -> tuple[SignalAction, ...]:
        if len(instance.window) <= instance.strategy.warmup_bars:
            return ()
        frame = instance.strategy.generate_signals(instance.window.frame())
        if len(frame) != len(instance.window):
            raise CryptobotError(
                f"generate_signals returned {len(frame)} bars for {len(instance.window)} candles"
            )
        return frame.actions_at(-1)

    async def _act(
        self, instance: StrategyInstance, actions: tuple[SignalAction, ...], event: CandleClosed
    ) -> None:
        position = instance.book.position
        if instance.book.in_flight:
            logger.debug("strategy %s: order in flight, signal skipped", instance.strategy_id)
            return
        exit_amount = None
        if position > 0 and SignalAction.EXIT_LONG in actions:
            action = SignalAction.EXIT_LONG
            exit_amount = self._exit_amount(instance, event.timestamp)
            if exit_amount is None:
                return
        elif position == 0 and SignalAction.ENTER_LONG in actions:
            action = SignalAction.ENTER_LONG
        else:
            return
        try:
            order = await self._pipeline.run(instance, action, event, exit_amount=exit_amount)
        except StorageError as exc:
            self._fail(instance, exc, event.timestamp)
            return
        if order is not None:
            self._owner[order.client_order_id] = instance.strategy_id
            instance.book.track(order)

    def _exit_amount(self, instance: StrategyInstance, timestamp: int) -> Decimal | None:
        """What the exit sells, or None when nothing can be (dust written off, or blocked)."""
        ctx = self._account.risk_context(instance.spec.symbol)
        amount, trade = exit_or_write_off(instance, ctx, timestamp)
        if trade is not None:
            self._trade_closed(instance, trade)
        return amount

    def _settle_dust(self, instance: StrategyInstance, timestamp: int) -> None:
        """After an exit has sold all it could, count a remainder too small to sell as flat."""
        book = instance.book
        if not book.exiting or book.in_flight or book.position <= 0:
            return
        market = self._account.risk_context(instance.spec.symbol).market
        trade = settle_dust(instance, market, instance.mark, timestamp)
        if trade is not None:
            self._trade_closed(instance, trade)

    # ------------------------------------------------------------------ orders and fills
    def on_order_updated(self, event: OrderUpdated) -> None:
        """Bus handler: follow the state of the instances' orders.

        An order is claimed by its strategy id from its first (PENDING_SUBMIT) update, so
        fills booked while the submission is still being answered reach the instance.
        """
        order = event.order
        owner = self._owner.get(order.client_order_id)
        if owner is None and order.strategy_id in self._instances:
            owner = self._owner[order.client_order_id] = order.strategy_id
        if owner is not None:
            instance = self._instances[owner]
            instance.book.track(order)
            self._settle_dust(instance, event.timestamp)

    def on_fill(self, event: FillReceived) -> None:
        """Bus handler: book a fill of an instance's order (position, round trips, P&L)."""
        owner = self._owner.get(event.fill.client_order_id)
        if owner is None:
            return
        instance = self._instances[owner]
        trade = instance.book.book(event.fill)
        if trade is not None:
            self._trade_closed(instance, trade)
        else:
            self._settle_dust(instance, event.fill.timestamp)

    def _trade_closed(self, instance: StrategyInstance, trade: EngineTrade) -> None:
        """Feed a round trip's P&L to the loss-streak breaker and report a pause."""
        breaker = f"strategy:{instance.strategy_id}"
        for change in self._risk.record_trade_closed(
            instance.strategy_id, trade.pnl, trade.exit_time
        ):
            self._publish(change)
            if change.breaker == breaker:
                status = "running" if change.new_state is BreakerState.ACTIVE else "paused"
                self._publish(
                    StrategyStateChanged(
                        timestamp=trade.exit_time,
                        strategy_id=instance.strategy_id,
                        status=status,
                        detail=change.reason,
                    )
                )

    # ------------------------------------------------------------------ state changes
    def _fail(self, instance: StrategyInstance, exc: BaseException, timestamp: int) -> None:
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

    def _changed(
        self, instance: StrategyInstance, status: str, detail: str, timestamp: int
    ) -> None:
        instance.status = status
        instance.detail = detail
        self._publish(
            StrategyStateChanged(
                timestamp=timestamp, strategy_id=instance.strategy_id, status=status, detail=detail
            )
        )
