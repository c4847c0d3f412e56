"""How much of a long holding an exit may sell, and what is left behind as dust.

A venue that charges a BUY's fee in the base coin (Binance's default) credits less than the
order's amount, and a sell must be a multiple of the market's step, at least its minimum amount
and minimum notional. An exit therefore sells what is held, never more than the account holds,
rounded DOWN to the step; a remainder too small to be sold on its own is dust: it stays in the
balances and the holder counts as flat.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from app.core.models import Market
from app.core.money import ZERO
from app.engine.specs import EngineTrade
from app.engine.strategy_book import StrategyInstance
from app.risk.context import RiskContext

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ExitPlan:
    """The sell of one exit.

    ``amount`` is what to sell (zero: nothing can be sold); ``dust`` what stays behind when the
    holder may count itself flat after the sale; ``blocked`` is True when the holding is not
    dust but the account holds too little of it to sell now.
    """

    amount: Decimal
    dust: Decimal
    blocked: bool = False


def sellable(amount: Decimal, market: Market, price: Decimal | None) -> Decimal:
    """``amount`` rounded down to the step when the venue would accept selling it, else zero.

    Args:
        amount: quantity of the base coin.
        market: the market's step, minimum amount and minimum notional.
        price: the price valuing the minimum notional (None: not checked).
    """
    rounded = market.round_amount(amount) if amount > 0 else ZERO
    if rounded <= 0 or rounded < market.min_amount:
        return ZERO
    if price is not None and rounded * price < market.min_notional:
        return ZERO
    return rounded


def plan_exit(
    held: Decimal, account_holds: Decimal | None, market: Market, price: Decimal | None
) -> ExitPlan:
    """The sell that closes a long ``held`` by one holder.

    Args:
        held: what the holder (a strategy, the account) holds, net of fees paid in the coin.
        account_holds: what the account holds of the coin (None: unknown); never exceeded.
        market: the market's step, minimum amount and minimum notional.
        price: the price valuing the minimum notional (None: not checked).

    Returns:
        The amount to sell and the dust left; ``blocked`` when nothing can be sold although
        the holding is not dust.
    """
    cap = held if account_holds is None else min(held, account_holds)
    amount = sellable(cap, market, price)
    if amount > 0:
        return ExitPlan(amount, held - amount)
    if sellable(held, market, price) > 0:
        return ExitPlan(ZERO, ZERO, blocked=True)
    return ExitPlan(ZERO, max(held, ZERO))


def log_dust(symbol: str, dust: Decimal, market: Market) -> None:
    """Report at info level a remainder left in the balances (once per holding)."""
    logger.info(
        "%s: %s %s left as dust below the minimum order",
        symbol,
        f"{dust:.8f}",
        market.base,
        extra={"symbol": symbol},
    )


def exit_or_write_off(
    instance: StrategyInstance, ctx: RiskContext, timestamp: int
) -> tuple[Decimal | None, EngineTrade | None]:
    """The amount a strategy's exit sells, capped by what the account holds of the coin.

    Args:
        instance: the strategy (its book's position is what it holds).
        ctx: the account's view (``positions`` is what the account holds, ``market`` its rules).
        timestamp: ms UTC of the signal.

    Returns:
        ``(amount, None)`` to sell; ``(None, trade)`` when the whole position was dust and was
        written off (``trade`` is the round trip it closed, if any); ``(None, None)`` when the
        account holds too little to sell now (logged as a warning).
    """
    symbol = instance.spec.symbol
    held = instance.book.position
    account_holds = ctx.positions.get(symbol)
    plan = plan_exit(held, account_holds, ctx.market, instance.mark or ctx.last_prices.get(symbol))
    if plan.amount > 0:
        return plan.amount, None
    if plan.blocked:
        logger.warning(
            "strategy %s: exit of %s %s not placed: the account holds only %s %s; the "
            "strategy stays in position until it does (check manual sells and withdrawals)",
            instance.strategy_id,
            held,
            ctx.market.base,
            account_holds,
            ctx.market.base,
            extra={"strategy_id": instance.strategy_id, "symbol": symbol},
        )
        return None, None
    log_dust(symbol, plan.dust, ctx.market)
    return None, instance.book.write_off_dust(timestamp)


def settle_dust(
    instance: StrategyInstance,
    market: Market,
    price: Decimal | None,
    timestamp: int,
    *,
    report: bool = True,
) -> EngineTrade | None:
    """Write off what an exit could not sell when it is too small to sell on its own.

    Call it once the exit's order has finished filling (the instance's order is settled).

    Args:
        instance: the strategy.
        market: its market's step, minimum amount and minimum notional.
        price: the price valuing the minimum notional (None: not checked).
        timestamp: ms UTC of the write-off.
        report: log the dust (False when replaying stored fills after a restart).

    Returns:
        The round trip closed by the write-off, or None (nothing written off).
    """
    book = instance.book
    if not book.exiting or book.position <= 0:
        return None
    if sellable(book.position, market, price) > 0:
        return None
    if report:
        log_dust(instance.spec.symbol, book.position, market)
    return book.write_off_dust(timestamp)
