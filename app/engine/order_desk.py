"""Orders a person asks for: manual orders and the kill switch, through the same risk checks."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from decimal import Decimal

from app.core.enums import OrderType, Side
from app.core.errors import ExchangeError, RiskRejected
from app.core.events import Event, TickerUpdated
from app.core.ids import new_correlation_id
from app.core.models import Order
from app.core.ports import ExchangePort
from app.engine.executor import OrderExecutor, OrderRequest
from app.engine.exit_amount import log_dust, plan_exit
from app.engine.signal_pipeline import AccountView
from app.risk.context import OrderIntent
from app.risk.kill_switch import flatten_intents
from app.risk.manager import RiskManager

logger = logging.getLogger(__name__)


class OrderDesk:
    """Manual orders and the kill switch of one account.

    Args:
        exchange: the venue (asked for a price when none was seen yet).
        executor: the order executor.
        risk: the account's risk manager.
        account: gives the risk context of an order.
        publish: receives the events (the bus's publish).
        last_prices: the last known price by symbol.
        positions: signed position by symbol (kill-switch flattening).
        clock: ms UTC source.
    """

    def __init__(
        self,
        exchange: ExchangePort,
        executor: OrderExecutor,
        risk: RiskManager,
        account: AccountView,
        publish: Callable[[Event], None],
        *,
        last_prices: Callable[[], Mapping[str, Decimal]],
        positions: Callable[[], Mapping[str, Decimal]],
        clock: Callable[[], int],
    ) -> None:
        self._exchange = exchange
        self._executor = executor
        self._risk = risk
        self._account = account
        self._publish = publish
        self._last_prices = last_prices
        self._positions = positions
        self._clock = clock

    async def place_order(
        self,
        symbol: str,
        side: Side,
        order_type: OrderType,
        amount: Decimal,
        price: Decimal | None = None,
    ) -> Order:
        """A manual order: the same risk checks as strategies, then the executor.

        Raises:
            EngineError: the symbol is not listed.
            RiskRejected: a rule or breaker refused it (the reason says which).
            StorageError: the order could not be persisted (nothing was sent).
        """
        await self._ensure_price(symbol)
        correlation_id = new_correlation_id()
        now = self._clock()
        intent = OrderIntent(symbol, side, order_type, amount, price, None, now, correlation_id)
        result = self._risk.check(intent, self._account.risk_context(symbol))
        for decision in result.decisions:
            self._publish(decision)
        if not result.approved:
            raise RiskRejected(f"{side} {amount} {symbol} refused: {result.reason}")
        final = OrderIntent(
            symbol, side, order_type, result.amount, price, None, now, correlation_id
        )
        self._risk.record_submitted(final)
        return await self._executor.submit(
            OrderRequest(
                symbol=symbol,
                side=side,
                order_type=order_type,
                amount=result.amount,
                price=price,
                correlation_id=correlation_id,
            )
        )

    async def _ensure_price(self, symbol: str) -> None:
        """Fetch the last price of ``symbol`` when none was seen yet (risk values orders)."""
        if symbol in self._last_prices():
            return
        try:
            last = await self._exchange.fetch_ticker(symbol)
        except ExchangeError as exc:
            logger.warning("no price for %s yet: %s", symbol, exc)
            return
        self._publish(
            TickerUpdated(
                timestamp=self._clock(),
                exchange=self._exchange.exchange_id,
                symbol=symbol,
                last=last,
            )
        )

    async def engage_kill_switch(self, reason: str, *, trading: bool) -> None:
        """Refuse new orders; when ``trading``, cancel every open order and, if the limits say
        so, close every position.
        """
        now = self._clock()
        for change in self._risk.engage_kill_switch(reason, now):
            self._publish(change)
        if not trading:
            return
        await self._executor.cancel_all()
        if self._risk.limits.close_positions_on_kill:
            await self._flatten(now)

    async def _flatten(self, now: int) -> None:
        """Sell every long the account holds (net of fees paid in the coin), rounded down to
        the step; a holding below the minimum order is dust: reported, left, never sent.
        """
        for intent in flatten_intents(self._positions(), now):
            ctx = self._account.risk_context(intent.symbol)
            if intent.side is Side.SELL:
                price = ctx.last_prices.get(intent.symbol)
                plan = plan_exit(intent.amount, intent.amount, ctx.market, price)
                if plan.dust > 0:
                    log_dust(intent.symbol, plan.dust, ctx.market)
                if plan.amount <= 0:
                    continue
                intent = replace(intent, amount=plan.amount)
            result = self._risk.check(intent, ctx, flatten=True)
            for decision in result.decisions:
                self._publish(decision)
            if not result.approved:
                logger.error("kill switch: %s not closed: %s", intent.symbol, result.reason)
                continue
            await self._executor.submit(
                OrderRequest(
                    symbol=intent.symbol,
                    side=intent.side,
                    order_type=OrderType.MARKET,
                    amount=result.amount,
                    reduce_only=True,
                )
            )
