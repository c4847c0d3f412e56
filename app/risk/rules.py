"""Pre-trade rules: each one small check that approves, rejects (with a reason) or resizes.

Semantics (shared by backtest, paper and live):

- Resizing only ever shrinks an order, to a whole step of the market. The max-order-notional,
  max-position, max-exposure and balance rules resize to the largest amount that fits; the
  min-notional rule runs after them, so a resize that leaves a dust order rejects it.
- Orders are valued at their own price, or at the symbol's last price for market orders.
- An order that reduces a position without flipping it never breaks a position or exposure cap.
- The rate limit is a sliding one-second window over submitted orders; the duplicate guard
  refuses the same (symbol, side, amount, price) submitted within ``duplicate_window_ms``.

The hot path avoids logging and Decimal context changes; limits arrive precomputed in
:class:`~app.risk.rule_base.RuleState`.
"""

from __future__ import annotations

from decimal import Decimal

from app.core.enums import OrderType, Side
from app.core.money import ZERO, is_multiple_of, round_amount
from app.risk.context import OrderIntent, RiskContext, is_reducing, reference_price
from app.risk.rule_base import (
    APPROVED,
    RATE_WINDOW_MS,
    PreTradeRule,
    RuleOutcome,
    RuleState,
    duplicate_key,
    reject,
    resize,
)


def _capped_amount(
    intent: OrderIntent, position: Decimal, cap: Decimal, step: Decimal
) -> Decimal | None:
    """The order amount cut so the resulting |position| stays within ``cap``, or ``None``.

    ``None`` means the whole order fits. A reducing order is never capped; an order that grows
    or flips the position is cut so the resulting absolute position is at most ``cap`` (``cap``
    < 0 counts as 0), rounded down to ``step`` (zero when nothing is left).
    """
    if cap < 0:
        cap = ZERO
    if intent.side is Side.BUY:
        allowed = min(intent.amount, cap - position)
    else:
        allowed = min(intent.amount, cap + position)
    if allowed >= intent.amount:
        return None
    return round_amount(allowed, step) if allowed > 0 else ZERO


class PriceSanity:
    """A limit price further than ``price_band_pct`` % from the last price is refused.

    Stop orders need a positive price but may sit anywhere (a protective stop is far on purpose).
    """

    name = "price_sanity"

    def evaluate(self, intent: OrderIntent, ctx: RiskContext, state: RuleState) -> RuleOutcome:
        """Reject a limit price far from (or without) the last price; market orders pass."""
        price = intent.price
        order_type = intent.order_type
        if price is None:
            if order_type is OrderType.MARKET:
                return APPROVED
            return reject(f"{order_type} order for {intent.symbol} needs a price")
        if price <= 0:
            return reject(f"price for {intent.symbol} must be positive, got {price}")
        if order_type is not OrderType.LIMIT:
            return APPROVED
        last = ctx.last_prices.get(intent.symbol)
        if last is None or last <= 0:
            return reject(f"no last price for {intent.symbol}; cannot check the order price")
        if abs(price - last) > last * state.price_band_fraction:
            return reject(
                f"price {price} is more than risk.price_band_pct "
                f"{state.limits.price_band_pct}% from the last price {last} of {intent.symbol}"
            )
        return APPROVED


class MarketPrecision:
    """The market must be active, the price on its tick grid, the amount on its step grid."""

    name = "market_precision"

    def evaluate(self, intent: OrderIntent, ctx: RiskContext, state: RuleState) -> RuleOutcome:
        """Reject bad prices and markets; round the amount down to the step / max amount."""
        market = ctx.market
        if market.symbol != intent.symbol:
            return reject(f"market rules are for {market.symbol}, the order is for {intent.symbol}")
        if not market.active:
            return reject(f"market {market.symbol} is not active on the exchange")
        amount = intent.amount
        if amount <= 0:
            return reject(f"amount for {intent.symbol} must be positive, got {amount}")
        price = intent.price
        if price is not None and not is_multiple_of(price, market.tick_size):
            return reject(
                f"price {price} is not a multiple of the tick size {market.tick_size} "
                f"of {market.symbol}"
            )
        new_amount = amount
        why = f"step {market.step_size}"
        if market.max_amount is not None and new_amount > market.max_amount:
            new_amount = market.max_amount
            why = f"max amount {market.max_amount}"
        if not is_multiple_of(new_amount, market.step_size):
            new_amount = round_amount(new_amount, market.step_size)
        if new_amount <= 0:
            return reject(
                f"amount {amount} is below the step size {market.step_size} of {market.symbol}"
            )
        if new_amount != amount:
            return resize(
                new_amount,
                f"amount {amount} rounded down to {new_amount} ({why} of {market.symbol})",
            )
        return APPROVED


class MaxOrderNotional:
    """No single order above ``max_order_notional`` (quote currency): resized down to fit."""

    name = "max_order_notional"

    def evaluate(self, intent: OrderIntent, ctx: RiskContext, state: RuleState) -> RuleOutcome:
        """Resize an order whose notional exceeds the limit."""
        price = reference_price(intent, ctx)
        if price is None or price <= 0:
            return reject(f"no price known for {intent.symbol}; cannot value the order")
        limit = state.max_order_notional
        if intent.amount * price <= limit:
            return APPROVED
        amount = round_amount(limit / price, ctx.market.step_size)
        return resize(
            amount,
            f"order notional {intent.amount * price} exceeds risk.max_order_notional {limit}",
        )


class MaxPositionPerSymbol:
    """The position in one symbol stays within ``max_position_pct`` % of equity."""

    name = "max_position"

    def evaluate(self, intent: OrderIntent, ctx: RiskContext, state: RuleState) -> RuleOutcome:
        """Resize an order that would grow the position past the cap; reductions pass."""
        position = ctx.positions.get(intent.symbol, ZERO)
        if is_reducing(intent.side, intent.amount, position):
            return APPROVED
        price = reference_price(intent, ctx)
        if price is None or price <= 0:
            return reject(f"no price known for {intent.symbol}; cannot value the position")
        cap = ctx.equity * state.max_position_fraction / price
        amount = _capped_amount(intent, position, cap, ctx.market.step_size)
        if amount is None:
            return APPROVED
        return resize(
            amount,
            f"position in {intent.symbol} would exceed risk.max_position_pct "
            f"{state.limits.max_position_pct}% of equity {ctx.equity}",
        )


class MaxTotalExposure:
    """The sum of all positions' absolute value stays within ``max_total_exposure_pct`` %."""

    name = "max_total_exposure"

    def evaluate(self, intent: OrderIntent, ctx: RiskContext, state: RuleState) -> RuleOutcome:
        """Resize an order that would push total exposure past the cap; reductions pass."""
        symbol = intent.symbol
        position = ctx.positions.get(symbol, ZERO)
        if is_reducing(intent.side, intent.amount, position):
            return APPROVED
        price = reference_price(intent, ctx)
        if price is None or price <= 0:
            return reject(f"no price known for {symbol}; cannot value the exposure")
        others = ZERO
        last_prices = ctx.last_prices
        for other, quantity in ctx.positions.items():
            if other == symbol or not quantity:
                continue
            mark = last_prices.get(other)
            if mark is None:
                return reject(f"no last price for {other}; cannot value the total exposure")
            others += abs(quantity) * mark
        room = ctx.equity * state.max_exposure_fraction - others
        amount = _capped_amount(intent, position, room / price, ctx.market.step_size)
        if amount is None:
            return APPROVED
        return resize(
            amount,
            f"total exposure would exceed risk.max_total_exposure_pct "
            f"{state.limits.max_total_exposure_pct}% of equity {ctx.equity}",
        )


class SufficientBalance:
    """A buy must be covered by the free quote balance including the fee: resized to fit."""

    name = "balance"

    def evaluate(self, intent: OrderIntent, ctx: RiskContext, state: RuleState) -> RuleOutcome:
        """Resize a buy whose cost ``amount x price x (1 + fee)`` exceeds the free quote."""
        if intent.side is Side.SELL:
            return APPROVED
        price = reference_price(intent, ctx)
        if price is None or price <= 0:
            return reject(f"no price known for {intent.symbol}; cannot cost the order")
        unit_cost = price * (1 + ctx.fee_rate)
        if intent.amount * unit_cost <= ctx.quote_free:
            return APPROVED
        free = ctx.quote_free
        amount = round_amount(free / unit_cost, ctx.market.step_size) if free > 0 else ZERO
        return resize(
            amount,
            f"cost {intent.amount * unit_cost} {ctx.market.quote} (fee included) exceeds the free "
            f"balance {free} {ctx.market.quote}",
        )


class MinNotional:
    """The (possibly resized) order must reach the market's minimum amount and notional."""

    name = "min_notional"

    def evaluate(self, intent: OrderIntent, ctx: RiskContext, state: RuleState) -> RuleOutcome:
        """Reject an order below the exchange's minimum amount or minimum notional."""
        market = ctx.market
        if intent.amount < market.min_amount:
            return reject(
                f"amount {intent.amount} is below the minimum amount {market.min_amount} "
                f"of {market.symbol}"
            )
        price = reference_price(intent, ctx)
        if price is None or price <= 0:
            return reject(f"no price known for {intent.symbol}; cannot check the minimum notional")
        notional = intent.amount * price
        if notional < market.min_notional:
            return reject(
                f"notional {notional} is below the minimum notional {market.min_notional} "
                f"of {market.symbol}"
            )
        return APPROVED


class MaxOpenOrders:
    """No new order while ``max_open_orders`` orders are already resting on the book."""

    name = "max_open_orders"

    def evaluate(self, intent: OrderIntent, ctx: RiskContext, state: RuleState) -> RuleOutcome:
        """Reject when the open-order count has reached the limit."""
        if ctx.open_orders >= state.max_open_orders:
            return reject(
                f"{ctx.open_orders} orders are open "
                f"(risk.max_open_orders {state.max_open_orders}); cancel one first"
            )
        return APPROVED


class OrderRateLimit:
    """At most ``max_orders_per_second`` submissions in any sliding one-second window."""

    name = "rate_limit"

    def evaluate(self, intent: OrderIntent, ctx: RiskContext, state: RuleState) -> RuleOutcome:
        """Reject when the last second already holds the maximum number of submissions."""
        submissions = state.submissions
        if len(submissions) < state.max_orders_per_second:
            return APPROVED
        cutoff = intent.timestamp - RATE_WINDOW_MS
        recent = sum(1 for ts in submissions if ts > cutoff)
        if recent < state.max_orders_per_second:
            return APPROVED
        return reject(
            f"{recent} orders in the last second (risk.max_orders_per_second "
            f"{state.max_orders_per_second})"
        )


class DuplicateOrderGuard:
    """The same (symbol, side, amount, price) within ``duplicate_window_ms`` is refused."""

    name = "duplicate_order"

    def evaluate(self, intent: OrderIntent, ctx: RiskContext, state: RuleState) -> RuleOutcome:
        """Reject an order identical to one submitted within the window."""
        last = state.recent_orders.get(duplicate_key(intent))
        if last is None or intent.timestamp - last >= state.duplicate_window_ms:
            return APPROVED
        return reject(
            f"same {intent.side} {intent.amount} {intent.symbol} at {intent.price} was submitted "
            f"{intent.timestamp - last} ms ago "
            f"(risk.duplicate_window_ms {state.duplicate_window_ms})"
        )


def default_rules() -> tuple[PreTradeRule, ...]:
    """The ten pre-trade rules in evaluation order (validity, resizers, then refusals)."""
    return (
        PriceSanity(),
        MarketPrecision(),
        MaxOrderNotional(),
        MaxPositionPerSymbol(),
        MaxTotalExposure(),
        SufficientBalance(),
        MinNotional(),
        MaxOpenOrders(),
        OrderRateLimit(),
        DuplicateOrderGuard(),
    )
