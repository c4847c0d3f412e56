"""Position sizing: how much to buy or sell for one entry.

Every sizer returns a quantity quantised DOWN to the market's step size. A size the exchange
would refuse (below its minimum amount or minimum notional) becomes ``Decimal(0)``;
:meth:`size_with_reason` says why. Sizers never look at cash or limits: the pre-trade rules do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol, runtime_checkable

from app.core.errors import ConfigError
from app.core.models import Market
from app.core.money import ZERO, round_amount
from app.risk.limits import RiskLimits

_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class SizingContext:
    """What a sizer may look at.

    ``trade_returns`` are this strategy's closed-trade returns, oldest first, each a fraction
    (``Decimal("0.02")`` is +2 %): P&L over the entry notional, or over the equity risked.
    """

    equity: Decimal
    price: Decimal
    market: Market
    atr: Decimal | None = None
    trade_returns: Sequence[Decimal] = ()


@dataclass(frozen=True, slots=True)
class SizeResult:
    """A sized quantity and, when it is zero, why."""

    amount: Decimal
    reason: str = ""


@runtime_checkable
class Sizer(Protocol):
    """Turns a sizing context into an order quantity."""

    def size(self, ctx: SizingContext) -> Decimal:
        """Quantity quantised down to the step size; ``Decimal(0)`` when it cannot trade."""
        ...

    def size_with_reason(self, ctx: SizingContext) -> SizeResult:
        """The same quantity with the reason when it is zero."""
        ...


def finalise(raw_amount: Decimal, ctx: SizingContext) -> SizeResult:
    """Quantise a raw quantity to the market and check the exchange minimums.

    Args:
        raw_amount: the unrounded quantity a sizer computed.
        ctx: the sizing context (market and price).

    Returns:
        The quantity rounded down to the step (capped at the market's maximum amount), or zero
        with the reason when it is not positive or below the minimum amount or notional.
    """
    market = ctx.market
    if ctx.price <= 0:
        return SizeResult(ZERO, f"price for {market.symbol} must be positive, got {ctx.price}")
    if raw_amount <= 0:
        return SizeResult(ZERO, f"computed size for {market.symbol} is not positive")
    if market.max_amount is not None and raw_amount > market.max_amount:
        raw_amount = market.max_amount
    amount = round_amount(raw_amount, market.step_size)
    if amount <= 0:
        return SizeResult(
            ZERO, f"size {raw_amount} is below the step size {market.step_size} of {market.symbol}"
        )
    if amount < market.min_amount:
        return SizeResult(
            ZERO,
            f"size {amount} is below the minimum amount {market.min_amount} of {market.symbol}",
        )
    notional = amount * ctx.price
    if notional < market.min_notional:
        return SizeResult(
            ZERO,
            f"notional {notional} is below the minimum notional {market.min_notional} "
            f"of {market.symbol}",
        )
    return SizeResult(amount)


def _positive(name: str, value: Decimal) -> None:
    if value <= 0:
        raise ConfigError(f"sizing.{name}: must be greater than 0, got {value}")


def _percent(name: str, value: Decimal, maximum: Decimal = _HUNDRED) -> None:
    if not ZERO < value <= maximum:
        raise ConfigError(f"sizing.{name}: must be between 0 and {maximum}, got {value}")


@dataclass(frozen=True, slots=True)
class FixedQuantity:
    """Always the same quantity of the base currency."""

    qty: Decimal

    def __post_init__(self) -> None:
        _positive("qty", self.qty)

    def size(self, ctx: SizingContext) -> Decimal:
        """``qty`` rounded down to the step, or zero below the exchange minimums."""
        return self.size_with_reason(ctx).amount

    def size_with_reason(self, ctx: SizingContext) -> SizeResult:
        """See :meth:`size`, with the reason when zero."""
        return finalise(self.qty, ctx)

    def describe(self) -> str:
        """Short text for reports: ``"fixed <qty>"``."""
        return f"fixed {self.qty}"


@dataclass(frozen=True, slots=True)
class FixedQuote:
    """Always the same quote-currency amount (``amount / price`` units)."""

    amount: Decimal

    def __post_init__(self) -> None:
        _positive("amount", self.amount)

    def size(self, ctx: SizingContext) -> Decimal:
        """``amount / price`` rounded down to the step, or zero below the exchange minimums."""
        return self.size_with_reason(ctx).amount

    def size_with_reason(self, ctx: SizingContext) -> SizeResult:
        """See :meth:`size`, with the reason when zero."""
        if ctx.price <= 0:
            return finalise(ZERO, ctx)
        return finalise(self.amount / ctx.price, ctx)

    def describe(self) -> str:
        """Short text for reports: ``"<amount> quote per trade"``."""
        return f"{self.amount} quote per trade"


@dataclass(frozen=True, slots=True)
class PercentOfEquity:
    """A notional of ``pct`` % of equity (``equity x pct / 100 / price`` units)."""

    pct: Decimal

    def __post_init__(self) -> None:
        _percent("pct", self.pct)

    def size(self, ctx: SizingContext) -> Decimal:
        """``equity x pct / 100 / price`` rounded down, or zero below the exchange minimums."""
        return self.size_with_reason(ctx).amount

    def size_with_reason(self, ctx: SizingContext) -> SizeResult:
        """See :meth:`size`, with the reason when zero."""
        if ctx.price <= 0:
            return finalise(ZERO, ctx)
        return finalise(ctx.equity * self.pct / _HUNDRED / ctx.price, ctx)

    def describe(self) -> str:
        """Short text for reports: ``"<pct> % of equity"``."""
        return f"{self.pct} % of equity"


def kelly_fraction(returns: Sequence[Decimal]) -> Decimal | None:
    """Full Kelly fraction ``W - (1 - W) / R`` of a trade history.

    ``W`` is the share of winning trades among winners and losers (break-even trades count
    as neither) and ``R`` the average win over the average loss.

    Args:
        returns: closed-trade returns as fractions.

    Returns:
        The fraction (may be negative: no edge); ``Decimal(1)`` when there is no losing trade;
        ``None`` when there is no winning or losing trade at all.
    """
    wins = [r for r in returns if r > 0]
    losses = [-r for r in returns if r < 0]
    if not wins and not losses:
        return None
    if not losses:
        return Decimal(1)
    if not wins:
        return Decimal(-1)
    win_rate = Decimal(len(wins)) / Decimal(len(wins) + len(losses))
    payoff = (sum(wins, ZERO) / len(wins)) / (sum(losses, ZERO) / len(losses))
    return win_rate - (1 - win_rate) / payoff


@dataclass(frozen=True, slots=True)
class FractionalKelly:
    """A fraction of the Kelly bet computed from the strategy's own trade history.

    Until ``min_trades`` trades exist the ``base`` sizer decides. The Kelly notional is
    ``fraction x kelly x equity``, capped at ``cap_pct`` % of equity; no edge means no trade.
    """

    fraction: Decimal = Decimal("0.5")
    min_trades: int = 20
    cap_pct: Decimal = Decimal(25)
    base: Sizer = field(default_factory=lambda: PercentOfEquity(Decimal(1)))

    def __post_init__(self) -> None:
        _percent("fraction", self.fraction, Decimal(1))
        if self.min_trades < 1:
            raise ConfigError(f"sizing.min_trades: must be at least 1, got {self.min_trades}")
        _percent("cap_pct", self.cap_pct)

    def size(self, ctx: SizingContext) -> Decimal:
        """Kelly-sized quantity rounded down, the base size while the sample is too small."""
        return self.size_with_reason(ctx).amount

    def size_with_reason(self, ctx: SizingContext) -> SizeResult:
        """See :meth:`size`, with the reason when zero."""
        if len(ctx.trade_returns) < self.min_trades:
            return self.base.size_with_reason(ctx)
        kelly = kelly_fraction(ctx.trade_returns)
        if kelly is None or kelly <= 0:
            return SizeResult(
                ZERO,
                f"no edge in the last {len(ctx.trade_returns)} trades "
                f"(Kelly fraction {kelly if kelly is not None else 0}); not trading",
            )
        share = min(self.fraction * kelly, self.cap_pct / _HUNDRED)
        if ctx.price <= 0:
            return finalise(ZERO, ctx)
        return finalise(ctx.equity * share / ctx.price, ctx)

    def describe(self) -> str:
        """Short text for reports, e.g. ``"0.5 Kelly (cap 25 %, 20 trades)"``."""
        return f"{self.fraction} Kelly (cap {self.cap_pct} %, {self.min_trades} trades)"


@dataclass(frozen=True, slots=True)
class VolatilitySizer:
    """Risk ``risk_pct`` % of equity with the stop ``atr_multiple`` x ATR away from entry.

    Quantity = ``equity x risk_pct / 100 / (atr_multiple x ATR)``, so a stop-out loses
    ``risk_pct`` % of equity (before fees and slippage).
    """

    risk_pct: Decimal = Decimal(1)
    atr_multiple: Decimal = Decimal(2)

    def __post_init__(self) -> None:
        _percent("risk_pct", self.risk_pct)
        _positive("atr_multiple", self.atr_multiple)

    def size(self, ctx: SizingContext) -> Decimal:
        """ATR-based quantity rounded down; zero without a positive ATR."""
        return self.size_with_reason(ctx).amount

    def size_with_reason(self, ctx: SizingContext) -> SizeResult:
        """See :meth:`size`, with the reason when zero."""
        if ctx.atr is None or ctx.atr <= 0:
            return SizeResult(
                ZERO,
                f"volatility sizing for {ctx.market.symbol} needs a positive ATR, got {ctx.atr}",
            )
        stop_distance = self.atr_multiple * ctx.atr
        return finalise(ctx.equity * self.risk_pct / _HUNDRED / stop_distance, ctx)

    def describe(self) -> str:
        """Short text for reports, e.g. ``"risk 1 % at 2 x ATR"``."""
        return f"risk {self.risk_pct} % at {self.atr_multiple} x ATR"

    @classmethod
    def from_limits(cls, limits: RiskLimits, atr_multiple: Decimal = Decimal(2)) -> VolatilitySizer:
        """Volatility sizing that risks ``limits.risk_per_trade_pct`` per trade.

        Args:
            limits: the risk limits.
            atr_multiple: stop distance in ATRs.

        Returns:
            The sizer.
        """
        return cls(limits.risk_per_trade_pct, atr_multiple)
