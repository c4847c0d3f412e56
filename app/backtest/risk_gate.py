"""The risk manager inside a backtest: the same pre-trade checks and breakers as live trading.

Every signal order becomes an :class:`~app.risk.context.OrderIntent` checked by the
:class:`~app.risk.manager.RiskManager` at the signal bar's close. The manager sees the equity at
every bar close (daily-loss and drawdown breakers) and every closed trade (loss streaks). Stops
and targets are resting orders placed with the entry, so breakers do not block them.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from app.backtest.data import CandleArrays
from app.backtest.interfaces import price_of
from app.backtest.trades import Trade
from app.core.enums import OrderType, Side
from app.core.events import BreakerStateChanged, RiskDecision
from app.core.models import Market
from app.core.money import ZERO
from app.risk.context import OrderIntent, RiskContext
from app.risk.manager import RiskManager

logger = logging.getLogger(__name__)


class RiskGate:
    """Feeds a :class:`RiskManager` from the simulation and asks it about every order.

    Args:
        manager: the risk manager (its limits and breaker states are used as they are).
        market: the traded market (step size, minimum notional).
        candles: the bars (equity is marked at each close).
        fee: fee fraction per fill.
        strategy_id: identifies the strategy for its loss-streak breaker.
    """

    def __init__(
        self,
        manager: RiskManager,
        market: Market,
        candles: CandleArrays,
        fee: Decimal,
        strategy_id: str,
    ) -> None:
        self._manager = manager
        self._market = market
        self._candles = candles
        self._fee = fee
        self._strategy_id = strategy_id
        self._last_bar = -1
        self.events: list[BreakerStateChanged] = []
        self.decisions: list[RiskDecision] = []

    def advance(self, bar: int, cash: Decimal, position: Decimal) -> None:
        """Feed the equity of every bar close up to ``bar`` (held at ``cash`` and ``position``)."""
        close = self._candles.close
        timestamp = self._candles.timestamp
        for index in range(self._last_bar + 1, bar + 1):
            equity = cash + position * price_of(close.item(index)) if position else cash
            self._record(self._manager.update_equity(equity, timestamp.item(index)))
        self._last_bar = max(self._last_bar, bar)

    def approve(
        self, bar: int, side: Side, qty: Decimal, price: Decimal, cash: Decimal, position: Decimal
    ) -> tuple[Decimal, str]:
        """Check a market order created at the close of ``bar``.

        Returns:
            The approved quantity (zero when refused, possibly resized) and the reason.
        """
        symbol = self._market.symbol
        intent = OrderIntent(
            symbol=symbol,
            side=side,
            order_type=OrderType.MARKET,
            amount=qty,
            price=None,
            strategy_id=self._strategy_id,
            timestamp=self._candles.timestamp.item(bar),
        )
        context = RiskContext(
            equity=cash + position * price,
            quote_free=cash,
            positions={symbol: position},
            last_prices={symbol: price},
            open_orders=0,
            market=self._market,
            fee_rate=self._fee,
        )
        result = self._manager.check(intent, context)
        self.decisions.extend(result.decisions[:-1])
        if not result.approved:
            refused_by = result.refused_by or "risk"
            return ZERO, f"{refused_by}: {result.reason}"
        self._manager.record_submitted(
            OrderIntent(
                symbol, side, OrderType.MARKET, result.amount, None,
                self._strategy_id, intent.timestamp,
            )
        )  # fmt: skip
        return result.amount, result.reason

    def trade_closed(self, trade: Trade) -> None:
        """Feed a closed round trip to the loss-streak breaker."""
        self._record(
            self._manager.record_trade_closed(self._strategy_id, trade.pnl, trade.exit_time)
        )

    def _record(self, events: list[BreakerStateChanged]) -> None:
        for event in events:
            logger.debug(
                "backtest breaker %s: %s -> %s (%s)",
                event.breaker,
                event.old_state,
                event.new_state,
                event.reason,
            )
        self.events.extend(events)
