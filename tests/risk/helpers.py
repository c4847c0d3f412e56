"""Shared helpers for the risk tests: a BTC/USDT market and builders for intents and contexts."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from app.core.enums import OrderType, Side
from app.core.models import Market
from app.risk.context import OrderIntent, RiskContext

D = Decimal
T0 = 1_700_000_000_000  # 2023-11-14 22:13:20 UTC

BTC = Market(
    symbol="BTC/USDT",
    base="BTC",
    quote="USDT",
    tick_size=D("0.01"),
    step_size=D("0.001"),
    min_notional=D("10"),
    min_amount=D("0.001"),
)


def make_intent(
    amount: str | Decimal = "0.01",
    *,
    side: Side = Side.BUY,
    order_type: OrderType = OrderType.MARKET,
    price: str | Decimal | None = None,
    symbol: str = "BTC/USDT",
    strategy_id: str | None = "s1",
    timestamp: int = T0,
    client_order_id: str | None = None,
) -> OrderIntent:
    """An order intent with test defaults (a market buy of 0.01 BTC)."""
    return OrderIntent(
        symbol=symbol,
        side=side,
        order_type=order_type,
        amount=D(amount),
        price=None if price is None else D(price),
        strategy_id=strategy_id,
        timestamp=timestamp,
        client_order_id=client_order_id,
    )


def make_ctx(
    *,
    equity: str = "10000",
    quote_free: str = "10000",
    positions: Mapping[str, str] | None = None,
    last_prices: Mapping[str, str] | None = None,
    open_orders: int = 0,
    market: Market = BTC,
    fee_rate: str = "0.001",
) -> RiskContext:
    """An account snapshot with test defaults (flat, 10,000 USDT, BTC last at 20,000)."""
    prices = {"BTC/USDT": "20000"} if last_prices is None else last_prices
    return RiskContext(
        equity=D(equity),
        quote_free=D(quote_free),
        positions={k: D(v) for k, v in (positions or {}).items()},
        last_prices={k: D(v) for k, v in prices.items()},
        open_orders=open_orders,
        market=market,
        fee_rate=D(fee_rate),
    )
