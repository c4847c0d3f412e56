"""How many units an entry buys or sells: the risk module's sizers, seen by the backtest.

The simulator asks a :class:`SizeRule` for ``quantity(equity, price, returns)``. Any sizer of
:mod:`app.risk.sizing` (fixed quantity, fixed quote, % of equity, fractional Kelly, ...) becomes
one through :class:`RiskSizerRule`, so backtests size exactly as paper and live trading do.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

from app.core.errors import BacktestError, ConfigError
from app.core.models import Market
from app.risk.sizing import FixedQuantity, FixedQuote, PercentOfEquity, Sizer, SizingContext

DEFAULT_SYMBOL = "ASSET/QUOTE"
_TICK = Decimal("0.00000001")
_ONE = Decimal(1)


class SizeRule(Protocol):
    """Quantity of a new position from the account equity and the expected fill price."""

    def quantity(self, equity: Decimal, price: Decimal, returns: Sequence[Decimal]) -> Decimal:
        """Units to buy/sell (>= 0; 0 means no order)."""
        ...

    def describe(self) -> str:
        """Short text for reports, e.g. ``"fixed 0.1"``."""
        ...


class RiskSizerRule:
    """Adapter: an :mod:`app.risk.sizing` sizer on one market as a backtest size rule.

    A :class:`~app.risk.sizing.FixedQuantity` on a market without minimums always answers the
    same quantity, so it is asked once (the hot path of a backtest asks at every entry).

    Args:
        sizer: the risk sizer.
        market: the traded market.
    """

    __slots__ = ("_constant", "market", "sizer")

    def __init__(self, sizer: Sizer, market: Market) -> None:
        self.sizer = sizer
        self.market = market
        self._constant: Decimal | None = None
        if isinstance(sizer, FixedQuantity) and market.min_notional <= 0 >= market.min_amount:
            self._constant = sizer.size(SizingContext(equity=_ONE, price=_ONE, market=market))

    def quantity(self, equity: Decimal, price: Decimal, returns: Sequence[Decimal]) -> Decimal:
        """The sizer's quantity for this equity, price and closed-trade history."""
        if self._constant is not None:
            return self._constant
        context = SizingContext(
            equity=equity, price=price, market=self.market, trade_returns=returns
        )
        return self.sizer.size(context)

    def describe(self) -> str:
        """The sizer's own description, or its class name."""
        describe = getattr(self.sizer, "describe", None)
        return str(describe()) if callable(describe) else type(self.sizer).__name__


def default_market(symbol: str, step: Decimal, fee: Decimal) -> Market:
    """A market without exchange minimums: quantities on ``step``, prices on 1e-8.

    Args:
        symbol: "BASE/QUOTE" (a name without a slash is used as the base).
        step: quantity increment.
        fee: taker fee fraction.
    """
    base, _, quote = symbol.partition("/")
    return Market(
        symbol=symbol,
        base=base or symbol,
        quote=quote or "QUOTE",
        tick_size=_TICK,
        step_size=step,
        maker_fee=fee,
        taker_fee=fee,
    )


def sizer_rule(
    *,
    size: Decimal | None,
    stake_pct: Decimal | None,
    stake_amount: Decimal | None,
    market: Market,
) -> RiskSizerRule:
    """The rule for exactly one of a fixed quantity, a % of equity or a quote amount.

    Raises:
        BacktestError: none or several were given, or the value is out of range.
    """
    chosen = [value for value in (size, stake_pct, stake_amount) if value is not None]
    if len(chosen) != 1:
        raise BacktestError(
            "sizing: give exactly one of size (fixed quantity, e.g. 0.1), stake_pct "
            "(percent of equity), stake_amount (quote currency per trade) or a sizer"
        )
    sizer: Sizer
    label = "stake_pct" if stake_pct is not None else "stake_amount" if stake_amount else "size"
    try:
        if stake_pct is not None:
            sizer = PercentOfEquity(stake_pct)
        elif stake_amount is not None:
            sizer = FixedQuote(stake_amount)
        else:
            assert size is not None
            sizer = FixedQuantity(size)
    except ConfigError as exc:
        raise BacktestError(f"{label}: {exc}") from exc
    return RiskSizerRule(sizer, market)
