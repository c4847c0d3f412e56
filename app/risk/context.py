"""Inputs and outputs of a risk check: the order intent, the account snapshot and the result.

These are plain frozen values so the backtest engine and the live engine can build them the same
way; :mod:`app.risk.manager` re-exports them as part of its API.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from app.core.enums import OrderType, Side
from app.core.errors import KillSwitchEngaged, RiskRejected
from app.core.events import RiskDecision
from app.core.models import Market


@dataclass(frozen=True, slots=True)
class OrderIntent:
    """An order a strategy or a person wants to place, before any risk check.

    ``price`` is the limit (or stop) price, ``None`` for market orders; ``timestamp`` is ms UTC
    (the bar time in a backtest, now when live).
    """

    symbol: str
    side: Side
    order_type: OrderType
    amount: Decimal
    price: Decimal | None
    strategy_id: str | None
    timestamp: int
    client_order_id: str | None = None


@dataclass(frozen=True, slots=True)
class RiskContext:
    """Account snapshot the pre-trade rules evaluate an intent against.

    ``positions`` holds the signed quantity per symbol (> 0 long, < 0 short), ``last_prices``
    the last traded price per symbol, ``open_orders`` the orders resting on the book now and
    ``fee_rate`` the fee fraction charged on this order's notional.
    """

    equity: Decimal
    quote_free: Decimal
    positions: Mapping[str, Decimal]
    last_prices: Mapping[str, Decimal]
    open_orders: int
    market: Market
    fee_rate: Decimal


@dataclass(frozen=True, slots=True)
class RiskResult:
    """Verdict of :meth:`app.risk.manager.RiskManager.check`.

    ``amount`` is the quantity to submit (possibly resized down); ``reason`` is empty when the
    intent was approved unchanged; ``decisions`` holds one event per rule that did not simply
    approve, followed by the final verdict, ready for the audit log and backtest results.
    """

    approved: bool
    amount: Decimal
    reason: str
    decisions: tuple[RiskDecision, ...]

    @property
    def refused_by(self) -> str | None:
        """Name of the rule or breaker that refused the intent, ``None`` when approved."""
        if self.approved or len(self.decisions) < 2:
            return None
        return self.decisions[-2].rule

    def raise_if_rejected(self) -> None:
        """Raise when the intent was refused, for order paths that report through exceptions.

        Raises:
            KillSwitchEngaged: the kill switch refused it.
            RiskRejected: any other rule or breaker refused it (the message says which and why).
        """
        if self.approved:
            return
        refused_by = self.refused_by
        message = f"order refused by {refused_by}: {self.reason}"
        if refused_by == "kill_switch":
            raise KillSwitchEngaged(message)
        raise RiskRejected(message)


def reference_price(intent: OrderIntent, ctx: RiskContext) -> Decimal | None:
    """Price the intent is valued at: its own price, else the symbol's last price.

    Args:
        intent: the order intent.
        ctx: the account snapshot.

    Returns:
        The price, or ``None`` when neither is known.
    """
    if intent.price is not None:
        return intent.price
    return ctx.last_prices.get(intent.symbol)


def is_reducing(side: Side, amount: Decimal, position: Decimal) -> bool:
    """True when the order shrinks the absolute position without flipping its direction.

    Args:
        side: order side.
        amount: order quantity (> 0).
        position: signed current position in the order's symbol.

    Returns:
        ``True`` for a sell of at most a long position or a buy of at most a short position.
    """
    if amount <= 0:
        return False
    if side is Side.SELL:
        return position > 0 and amount <= position
    return position < 0 and amount <= -position
