"""Property tests: no order the manager approves (possibly resized) ever breaks a limit."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import event, given, settings
from hypothesis import strategies as st

from app.core.enums import OrderType, Side
from app.risk.context import OrderIntent, RiskContext
from app.risk.limits import RiskLimits
from app.risk.manager import RiskManager
from tests.risk.helpers import BTC, T0, D

HUNDRED = D(100)


def dec(low: str, high: str, places: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=low, max_value=high, places=places)


limits_st = st.builds(
    RiskLimits,
    max_order_notional=dec("10", "50000", 2),
    max_position_pct=dec("5", "100", 1),
    max_total_exposure_pct=dec("1", "300", 1),
    max_open_orders=st.integers(1, 20),
    price_band_pct=dec("0.5", "20", 1),
    max_orders_per_second=st.integers(1, 20),
    duplicate_window_ms=st.integers(0, 5000),
)


@st.composite
def scenario(draw: st.DrawFn) -> tuple[RiskLimits, OrderIntent, RiskContext]:
    limits = draw(limits_st)
    last = draw(dec("100", "60000", 2))
    eth_last = draw(dec("10", "5000", 2))
    market = replace(
        BTC,
        min_notional=draw(dec("0", "20", 0)),
        max_amount=draw(st.none() | dec("0.5", "5", 3)),
    )
    ctx = RiskContext(
        equity=draw(dec("5000", "200000", 2) | dec("-1000", "5000", 2)),
        quote_free=draw(dec("0", "200000", 2)),
        positions={
            "BTC/USDT": draw(dec("-0.5", "0.5", 3)),
            "ETH/USDT": draw(dec("-5", "5", 2)),
        },
        last_prices={"BTC/USDT": last, "ETH/USDT": eth_last},
        open_orders=draw(st.integers(0, 12)),
        market=market,
        fee_rate=draw(dec("0", "0.01", 4)),
    )
    order_type = draw(st.sampled_from(OrderType))
    price = None
    if order_type is not OrderType.MARKET:
        price = market.round_price(last * (1 + draw(dec("-0.04", "0.04", 3))))
    intent = OrderIntent(
        symbol="BTC/USDT",
        side=draw(st.sampled_from(Side)),
        order_type=order_type,
        amount=draw(dec("0.0001", "5", 4)),
        price=price,
        strategy_id="prop",
        timestamp=T0,
    )
    return limits, intent, ctx


def assert_within_limits(
    limits: RiskLimits, intent: OrderIntent, ctx: RiskContext, amount: Decimal
) -> None:
    market = ctx.market
    ref = intent.price if intent.price is not None else ctx.last_prices[intent.symbol]
    last = ctx.last_prices[intent.symbol]
    assert 0 < amount <= intent.amount
    assert amount % market.step_size == 0
    assert amount >= market.min_amount
    assert market.max_amount is None or amount <= market.max_amount
    notional = amount * ref
    assert notional >= market.min_notional
    assert notional <= limits.max_order_notional
    if intent.price is not None:
        assert intent.price % market.tick_size == 0
    if intent.order_type is OrderType.LIMIT:
        assert intent.price is not None
        assert abs(intent.price - last) <= last * limits.price_band_pct / HUNDRED
    assert ctx.open_orders < limits.max_open_orders
    if intent.side is Side.BUY:
        assert amount * ref * (1 + ctx.fee_rate) <= ctx.quote_free
    old = ctx.positions[intent.symbol]
    new = old + intent.side.sign * amount
    reducing = abs(new) <= abs(old) and (new == 0 or (new > 0) == (old > 0))
    if not reducing:
        assert abs(new) * ref <= ctx.equity * limits.max_position_pct / HUNDRED
        others = sum(
            (abs(q) * ctx.last_prices[s] for s, q in ctx.positions.items() if s != intent.symbol),
            D(0),
        )
        assert others + abs(new) * ref <= ctx.equity * limits.max_total_exposure_pct / HUNDRED


@settings(max_examples=400, deadline=None)
@given(scenario())
def test_no_approved_order_breaks_a_limit(
    case: tuple[RiskLimits, OrderIntent, RiskContext],
) -> None:
    limits, intent, ctx = case
    result = RiskManager(limits).check(intent, ctx)
    event("approved" if result.approved else result.decisions[-2].rule)
    if result.approved:
        assert_within_limits(limits, intent, ctx, result.amount)
        assert result.decisions[-1].amount == result.amount
    else:
        assert result.amount == 0
        assert result.reason
    assert result.decisions[-1].rule == "risk_manager"


@settings(max_examples=60, deadline=None)
@given(
    limits=limits_st,
    gaps=st.lists(st.integers(0, 400), min_size=1, max_size=60),
    amounts=st.lists(st.sampled_from(["0.01", "0.02", "0.03"]), min_size=60, max_size=60),
)
def test_approved_stream_respects_rate_limit_and_duplicate_window(
    limits: RiskLimits, gaps: list[int], amounts: list[str]
) -> None:
    limits = replace(limits, max_order_notional=D(50000), max_open_orders=20)
    manager = RiskManager(limits)
    ctx = RiskContext(
        equity=D(1000000),
        quote_free=D(1000000),
        positions={},
        last_prices={"BTC/USDT": D(20000)},
        open_orders=0,
        market=BTC,
        fee_rate=D("0.001"),
    )
    submitted: list[OrderIntent] = []
    ts = T0
    for gap, amount in zip(gaps, amounts, strict=False):
        ts += gap
        intent = OrderIntent("BTC/USDT", Side.BUY, OrderType.MARKET, D(amount), None, "p", ts)
        result = manager.check(intent, ctx)
        if result.approved:
            final = replace(intent, amount=result.amount)
            manager.record_submitted(final)
            submitted.append(final)
    for index, order in enumerate(submitted):
        in_window = [o for o in submitted[: index + 1] if o.timestamp > order.timestamp - 1000]
        assert len(in_window) <= limits.max_orders_per_second
        for earlier in submitted[:index]:
            if earlier.amount == order.amount:
                assert order.timestamp - earlier.timestamp >= limits.duplicate_window_ms
