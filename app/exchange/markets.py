"""Convert ccxt market dictionaries into :class:`~app.core.models.Market` values.

ccxt reports precision either as a tick size (``TICK_SIZE`` mode, e.g. Binance: ``0.01``) or as
a number of decimal places (``DECIMAL_PLACES`` mode: ``2``); both become Decimal increments.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from app.core.errors import BadExchangeReply
from app.core.models import Market
from app.core.money import ZERO, to_decimal

TICK_SIZE = 4
"""ccxt's precisionMode constant for tick-size precision (ccxt.base.decimal_to_precision)."""
DEFAULT_FEE = Decimal("0.001")


def _optional_decimal(value: object, field: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Decimal | str | int | float):
        return to_decimal(value, field=field)
    raise ValueError(f"{field}: expected a number, got {type(value).__name__}")


def precision_to_increment(value: object, precision_mode: int, field: str) -> Decimal:
    """A ccxt precision value as the smallest increment.

    Args:
        value: ``market["precision"]["price"|"amount"]``.
        precision_mode: the exchange's ``precisionMode``.
        field: named in the error message.

    Returns:
        The increment (``Decimal("0.01")``); zero when the venue reports none.
    """
    number = _optional_decimal(value, field)
    if number is None:
        return ZERO
    if precision_mode == TICK_SIZE:
        return number
    return Decimal(1).scaleb(-int(number))


def market_from_ccxt(raw: Mapping[str, Any], precision_mode: int) -> Market:
    """One ccxt market dict as a Market.

    Args:
        raw: an entry of ``exchange.markets``.
        precision_mode: the exchange's ``precisionMode``.

    Returns:
        The Market with tick/step/min-notional Decimals.

    Raises:
        BadExchangeReply: the dict lacks the symbol or holds non-numeric limits.
    """
    try:
        symbol = str(raw["symbol"])
        precision = raw.get("precision") or {}
        limits = raw.get("limits") or {}
        amount_limits = limits.get("amount") or {}
        cost_limits = limits.get("cost") or {}
        maker = _optional_decimal(raw.get("maker"), f"{symbol}.maker")
        taker = _optional_decimal(raw.get("taker"), f"{symbol}.taker")
        return Market(
            symbol=symbol,
            base=str(raw.get("base") or symbol.split("/")[0]),
            quote=str(raw.get("quote") or symbol.split("/")[-1].split(":")[0]),
            tick_size=precision_to_increment(
                precision.get("price"), precision_mode, f"{symbol}.precision.price"
            ),
            step_size=precision_to_increment(
                precision.get("amount"), precision_mode, f"{symbol}.precision.amount"
            ),
            min_notional=_optional_decimal(cost_limits.get("min"), f"{symbol}.min_cost") or ZERO,
            min_amount=_optional_decimal(amount_limits.get("min"), f"{symbol}.min_amount") or ZERO,
            max_amount=_optional_decimal(amount_limits.get("max"), f"{symbol}.max_amount"),
            maker_fee=DEFAULT_FEE if maker is None else maker,
            taker_fee=DEFAULT_FEE if taker is None else taker,
            active=raw.get("active") is not False,
        )
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise BadExchangeReply(f"market description cannot be read: {exc}") from exc


def markets_from_ccxt(
    raw_markets: Mapping[str, Mapping[str, Any]], precision_mode: int
) -> dict[str, Market]:
    """Every spot market of a ccxt ``markets`` mapping, by unified symbol.

    Args:
        raw_markets: ``exchange.markets``.
        precision_mode: the exchange's ``precisionMode``.
    """
    return {
        symbol: market_from_ccxt(raw, precision_mode)
        for symbol, raw in raw_markets.items()
        if raw.get("spot", True)
    }
