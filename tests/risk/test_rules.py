"""Each pre-trade rule on its own: approve, reject with reason, or resize (hand-computed)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.core.enums import OrderType, RiskVerdict, Side
from app.risk.limits import RiskLimits
from app.risk.rule_base import APPROVED, RuleState
from app.risk.rules import (
    DuplicateOrderGuard,
    MarketPrecision,
    MaxOpenOrders,
    MaxOrderNotional,
    MaxPositionPerSymbol,
    MaxTotalExposure,
    MinNotional,
    OrderRateLimit,
    PriceSanity,
    SufficientBalance,
    default_rules,
)
from tests.risk.helpers import BTC, T0, D, make_ctx, make_intent


def state(**limits: object) -> RuleState:
    return RuleState(RiskLimits(**limits))  # type: ignore[arg-type]


def test_default_rules_are_the_ten_in_order() -> None:
    names = [rule.name for rule in default_rules()]
    assert names == [
        "price_sanity",
        "market_precision",
        "max_order_notional",
        "max_position",
        "max_total_exposure",
        "balance",
        "min_notional",
        "max_open_orders",
        "rate_limit",
        "duplicate_order",
    ]


# ---------------------------------------------------------------- price sanity
def test_price_sanity_passes_market_orders_and_prices_inside_the_band() -> None:
    rule, st = PriceSanity(), state(price_band_pct=D(5))
    assert rule.evaluate(make_intent(), make_ctx(), st) is APPROVED
    # 5 % of 20,000 = 1,000: 21,000 and 19,000 are on the edge and pass
    for price in ("21000", "19000"):
        limit = make_intent(order_type=OrderType.LIMIT, price=price)
        assert rule.evaluate(limit, make_ctx(), st) is APPROVED


def test_price_sanity_rejects_prices_outside_the_band() -> None:
    rule, st = PriceSanity(), state(price_band_pct=D(5))
    for price in ("21000.01", "18999.99"):
        outcome = rule.evaluate(
            make_intent(order_type=OrderType.LIMIT, price=price), make_ctx(), st
        )
        assert outcome.verdict is RiskVerdict.REJECT
        assert "risk.price_band_pct 5% from the last price 20000 of BTC/USDT" in outcome.reason


def test_price_sanity_lets_stop_orders_sit_far_from_the_price() -> None:
    rule, st = PriceSanity(), state(price_band_pct=D(5))
    stop = make_intent(side=Side.SELL, order_type=OrderType.STOP_MARKET, price="15000")
    assert rule.evaluate(stop, make_ctx(), st) is APPROVED
    no_price = rule.evaluate(make_intent(order_type=OrderType.STOP_MARKET), make_ctx(), st)
    assert no_price.verdict is RiskVerdict.REJECT
    assert "stop_market order for BTC/USDT needs a price" in no_price.reason


def test_price_sanity_needs_a_last_price_and_a_price_for_limit_orders() -> None:
    rule, st = PriceSanity(), state()
    no_last = rule.evaluate(
        make_intent(order_type=OrderType.LIMIT, price="20000"), make_ctx(last_prices={}), st
    )
    assert no_last.verdict is RiskVerdict.REJECT
    assert "no last price for BTC/USDT" in no_last.reason
    no_price = rule.evaluate(make_intent(order_type=OrderType.LIMIT), make_ctx(), st)
    assert no_price.verdict is RiskVerdict.REJECT
    assert "needs a price" in no_price.reason


# ---------------------------------------------------------------- precision
def test_precision_rounds_amount_down_to_the_step() -> None:
    outcome = MarketPrecision().evaluate(make_intent("0.0129"), make_ctx(), state())
    assert outcome.verdict is RiskVerdict.RESIZE
    assert outcome.amount == D("0.012")


def test_precision_caps_at_max_amount() -> None:
    ctx = make_ctx(market=replace(BTC, max_amount=D("0.5")))
    outcome = MarketPrecision().evaluate(make_intent("2"), ctx, state())
    assert outcome.amount == D("0.5")
    assert "max amount 0.5" in outcome.reason


@pytest.mark.parametrize(
    ("intent", "market", "message"),
    [
        (make_intent(price="20000.005", order_type=OrderType.LIMIT), BTC, "tick size 0.01"),
        (make_intent("0"), BTC, "must be positive"),
        (make_intent("-1"), BTC, "must be positive"),
        (make_intent(), replace(BTC, active=False), "not active"),
        (make_intent(symbol="ETH/USDT"), BTC, "market rules are for BTC/USDT"),
        (make_intent("0.0004"), BTC, "below the step size 0.001"),
    ],
)
def test_precision_rejects(intent: object, market: object, message: str) -> None:
    ctx = make_ctx(market=market)  # type: ignore[arg-type]
    outcome = MarketPrecision().evaluate(intent, ctx, state())  # type: ignore[arg-type]
    assert outcome.verdict is RiskVerdict.REJECT
    assert message in outcome.reason


# ---------------------------------------------------------------- max order notional
def test_max_order_notional_resizes_down() -> None:
    st = state(max_order_notional=D(1000))
    assert MaxOrderNotional().evaluate(make_intent("0.05"), make_ctx(), st) is APPROVED
    outcome = MaxOrderNotional().evaluate(make_intent("0.0573"), make_ctx(), st)
    assert outcome.verdict is RiskVerdict.RESIZE
    assert outcome.amount == D("0.05")
    assert "exceeds risk.max_order_notional 1000" in outcome.reason


def test_max_order_notional_rejects_when_not_even_one_step_fits() -> None:
    outcome = MaxOrderNotional().evaluate(
        make_intent("1"), make_ctx(), state(max_order_notional=D(15))
    )
    assert outcome.verdict is RiskVerdict.REJECT


def test_max_order_notional_needs_a_price() -> None:
    outcome = MaxOrderNotional().evaluate(make_intent(), make_ctx(last_prices={}), state())
    assert outcome.verdict is RiskVerdict.REJECT
    assert "no price known for BTC/USDT" in outcome.reason


# ---------------------------------------------------------------- max position
def test_max_position_resizes_growth_to_the_cap() -> None:
    # 25 % of 10,000 = 2,500 USDT = 0.125 BTC; long 0.1 already -> room 0.025
    ctx = make_ctx(positions={"BTC/USDT": "0.1"})
    outcome = MaxPositionPerSymbol().evaluate(make_intent("0.05"), ctx, state())
    assert outcome.verdict is RiskVerdict.RESIZE
    assert outcome.amount == D("0.025")
    assert "max_position_pct 25%" in outcome.reason


def test_max_position_rejects_when_already_at_the_cap() -> None:
    ctx = make_ctx(positions={"BTC/USDT": "0.125"})
    outcome = MaxPositionPerSymbol().evaluate(make_intent("0.01"), ctx, state())
    assert outcome.verdict is RiskVerdict.REJECT


def test_max_position_passes_reductions_even_above_the_cap() -> None:
    ctx = make_ctx(positions={"BTC/USDT": "0.5"})  # 10,000 USDT, far over 25 %
    sell = make_intent("0.4", side=Side.SELL)
    assert MaxPositionPerSymbol().evaluate(sell, ctx, state()) is APPROVED


def test_max_position_limits_a_flip_to_the_cap_on_the_other_side() -> None:
    # long 0.1, sell 1 -> would be short 0.9; cap 0.125 -> sell at most 0.225
    ctx = make_ctx(positions={"BTC/USDT": "0.1"})
    outcome = MaxPositionPerSymbol().evaluate(make_intent("1", side=Side.SELL), ctx, state())
    assert outcome.amount == D("0.225")


def test_max_position_short_growth() -> None:
    ctx = make_ctx(positions={"BTC/USDT": "-0.1"})
    outcome = MaxPositionPerSymbol().evaluate(make_intent("0.1", side=Side.SELL), ctx, state())
    assert outcome.amount == D("0.025")


# ---------------------------------------------------------------- total exposure
def test_total_exposure_counts_other_symbols_at_their_last_price() -> None:
    # cap 50 % of 10,000 = 5,000; ETH 2 x 1,500 = 3,000 -> room 2,000 = 0.1 BTC
    ctx = make_ctx(
        positions={"ETH/USDT": "-2"},
        last_prices={"BTC/USDT": "20000", "ETH/USDT": "1500"},
    )
    st = state(max_total_exposure_pct=D(50))
    outcome = MaxTotalExposure().evaluate(make_intent("0.2"), ctx, st)
    assert outcome.verdict is RiskVerdict.RESIZE
    assert outcome.amount == D("0.1")
    assert MaxTotalExposure().evaluate(make_intent("0.1"), ctx, st) is APPROVED


def test_total_exposure_rejects_when_full_and_passes_reductions() -> None:
    ctx = make_ctx(
        positions={"ETH/USDT": "4", "BTC/USDT": "0.1"},
        last_prices={"BTC/USDT": "20000", "ETH/USDT": "1500"},
    )
    st = state(max_total_exposure_pct=D(50))  # 6,000 + 2,000 > 5,000 already
    grow = MaxTotalExposure().evaluate(make_intent("0.01"), ctx, st)
    assert grow.verdict is RiskVerdict.REJECT
    assert "max_total_exposure_pct 50%" in grow.reason
    reduce = make_intent("0.05", side=Side.SELL)
    assert MaxTotalExposure().evaluate(reduce, ctx, st) is APPROVED


def test_total_exposure_needs_prices_of_other_positions() -> None:
    ctx = make_ctx(positions={"ETH/USDT": "1"})
    outcome = MaxTotalExposure().evaluate(make_intent(), ctx, state())
    assert outcome.verdict is RiskVerdict.REJECT
    assert "no last price for ETH/USDT" in outcome.reason


# ---------------------------------------------------------------- balance
def test_balance_includes_the_fee() -> None:
    # 0.05 x 20,000 x 1.001 = 1,001 USDT
    st = state()
    assert SufficientBalance().evaluate(make_intent("0.05"), make_ctx(quote_free="1001"), st) is (
        APPROVED
    )
    outcome = SufficientBalance().evaluate(make_intent("0.05"), make_ctx(quote_free="1000"), st)
    assert outcome.verdict is RiskVerdict.RESIZE
    # 1,000 / 20,020 = 0.04995 -> 0.049
    assert outcome.amount == D("0.049")
    assert "fee included" in outcome.reason
    assert "free balance 1000 USDT" in outcome.reason


def test_balance_rejects_with_no_cash_and_ignores_sells() -> None:
    st = state()
    broke = SufficientBalance().evaluate(make_intent(), make_ctx(quote_free="0"), st)
    assert broke.verdict is RiskVerdict.REJECT
    sell = make_intent("1", side=Side.SELL)
    assert SufficientBalance().evaluate(sell, make_ctx(quote_free="0"), st) is APPROVED


# ---------------------------------------------------------------- min notional
def test_min_notional_and_min_amount() -> None:
    st = state()
    # 0.0005 x 20,000 = 10 USDT = exactly the minimum -> passes min notional but not min amount
    tiny = MinNotional().evaluate(make_intent("0.0005"), make_ctx(), st)
    assert tiny.verdict is RiskVerdict.REJECT
    assert "minimum amount 0.001" in tiny.reason
    market = replace(BTC, min_notional=D(25))
    low = MinNotional().evaluate(make_intent("0.001"), make_ctx(market=market), st)
    assert low.verdict is RiskVerdict.REJECT
    assert "notional 20.000 is below the minimum notional 25" in low.reason
    assert MinNotional().evaluate(make_intent("0.002"), make_ctx(market=market), st) is APPROVED


# ---------------------------------------------------------------- open orders
def test_max_open_orders() -> None:
    st = state(max_open_orders=3)
    assert MaxOpenOrders().evaluate(make_intent(), make_ctx(open_orders=2), st) is APPROVED
    outcome = MaxOpenOrders().evaluate(make_intent(), make_ctx(open_orders=3), st)
    assert outcome.verdict is RiskVerdict.REJECT
    assert "cancel one first" in outcome.reason


# ---------------------------------------------------------------- rate limit
def test_rate_limit_is_a_sliding_one_second_window() -> None:
    st = state(max_orders_per_second=3, duplicate_window_ms=0)
    rule = OrderRateLimit()
    for offset in (0, 300, 600):
        assert rule.evaluate(make_intent(timestamp=T0 + offset), make_ctx(), st) is APPROVED
        st.record(make_intent(timestamp=T0 + offset))
    full = rule.evaluate(make_intent(timestamp=T0 + 999), make_ctx(), st)
    assert full.verdict is RiskVerdict.REJECT
    assert "max_orders_per_second 3" in full.reason
    # at T0 + 1000 the first submission has left the window
    assert rule.evaluate(make_intent(timestamp=T0 + 1000), make_ctx(), st) is APPROVED


def test_rate_limit_defaults_to_ten_per_second() -> None:
    st = state(duplicate_window_ms=0)
    for index in range(10):
        st.record(make_intent(timestamp=T0 + index))
    outcome = OrderRateLimit().evaluate(make_intent(timestamp=T0 + 10), make_ctx(), st)
    assert outcome.verdict is RiskVerdict.REJECT


# ---------------------------------------------------------------- duplicates
def test_duplicate_guard_keys_on_symbol_side_amount_price_within_the_window() -> None:
    st = state(duplicate_window_ms=2000)
    rule = DuplicateOrderGuard()
    st.record(make_intent("0.01", timestamp=T0))
    dup = rule.evaluate(make_intent("0.010", timestamp=T0 + 1999), make_ctx(), st)
    assert dup.verdict is RiskVerdict.REJECT
    assert "1999 ms ago" in dup.reason
    different = [
        make_intent("0.02", timestamp=T0 + 10),
        make_intent("0.01", side=Side.SELL, timestamp=T0 + 10),
        make_intent("0.01", order_type=OrderType.LIMIT, price="20000", timestamp=T0 + 10),
        make_intent("0.01", symbol="ETH/USDT", timestamp=T0 + 10),
        make_intent("0.01", timestamp=T0 + 2000),
    ]
    for intent in different:
        assert rule.evaluate(intent, make_ctx(), st) is APPROVED


def test_duplicate_history_stays_bounded() -> None:
    st = state(duplicate_window_ms=100)
    for index in range(1000):
        st.record(make_intent(str(D("0.001") * (index + 1)), timestamp=T0 + index * 1000))
    assert len(st.recent_orders) <= 66
    assert len(st.submissions) <= 1
