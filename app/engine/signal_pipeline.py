"""From one strategy signal to at most one order: sizing, risk check, executor.

The correlation id is created here, at the signal, and carried by the
:class:`SignalGenerated` and :class:`RiskDecision` events and the order request.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Protocol

from app.core.enums import OrderType, RiskVerdict, Side, SignalAction
from app.core.errors import CryptobotError, RiskRejected, StorageError
from app.core.events import Alert, CandleClosed, Event, RiskDecision, SignalGenerated
from app.core.ids import new_correlation_id
from app.core.models import Order, Signal
from app.core.money import ZERO, to_decimal
from app.engine.executor import OrderRequest
from app.engine.strategy_book import StrategyInstance
from app.engine.strategy_window import CandleWindow
from app.indicators import atr
from app.risk.context import OrderIntent, RiskContext
from app.risk.manager import RiskManager
from app.risk.sizing import SizingContext

logger = logging.getLogger(__name__)

ATR_PERIOD = 14


class OrderSubmitter(Protocol):
    """The executor side of the order path (:class:`app.engine.executor.OrderExecutor`)."""

    async def submit(self, request: OrderRequest) -> Order:
        """Send one approved order exactly once."""
        ...


class AccountView(Protocol):
    """What a decision needs to know about the account."""

    def risk_context(self, symbol: str) -> RiskContext:
        """Account snapshot for an order in ``symbol``."""
        ...


class SignalPipeline:
    """Sizes, risk-checks and submits the order of one signal (market orders, long only).

    Args:
        submitter: the order executor.
        risk: the account's risk manager.
        account: gives the risk context of an order.
        publish: receives the events (the bus's publish).
    """

    def __init__(
        self,
        submitter: OrderSubmitter,
        risk: RiskManager,
        account: AccountView,
        publish: Callable[[Event], None],
    ) -> None:
        self._submitter = submitter
        self._risk = risk
        self._account = account
        self._publish = publish

    async def run(
        self,
        instance: StrategyInstance,
        action: SignalAction,
        event: CandleClosed,
        *,
        exit_amount: Decimal | None = None,
    ) -> Order | None:
        """Turn one signal into at most one submitted order.

        Args:
            instance: the strategy instance.
            action: ENTER_LONG or EXIT_LONG.
            event: the candle close that produced the signal.
            exit_amount: what an exit sells (default: the instance's whole position).

        Returns:
            The order as the executor left it, or None when sizing, risk or the exchange
            breaker refused (the events say why) or the executor failed (an Alert says why).

        Raises:
            StorageError: the order could not be persisted (nothing was sent).
        """
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
            amount = instance.book.position if exit_amount is None else exit_amount
        else:
            amount = self._size(instance, ctx, close, event, correlation_id)
            if amount <= 0:
                return None
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
            return None
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
        return await self._submit(instance, request, event.timestamp)

    def _size(
        self,
        instance: StrategyInstance,
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
                trade_returns=tuple(instance.book.returns),
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

    async def _submit(
        self, instance: StrategyInstance, request: OrderRequest, timestamp: int
    ) -> Order | None:
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
            return None
        except StorageError:
            raise
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
            return None
        return order


def _last_atr(window: CandleWindow) -> Decimal | None:
    """ATR of the window's last bar (volatility sizing), None while it is still warming up."""
    values = atr(window.column(1), window.column(2), window.column(3), ATR_PERIOD)
    last = float(values[-1]) if len(values) else float("nan")
    return None if math.isnan(last) else to_decimal(last)
