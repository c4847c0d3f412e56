"""RiskManager: the verdict, the decisions it reports, breakers ahead of rules, run-time limits."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.core.enums import BreakerState, OrderType, RiskVerdict, Side
from app.core.errors import ConfigError, EngineError, KillSwitchEngaged, RiskRejected
from app.risk.limits import RiskLimits
from app.risk.manager import VERDICT_RULE, RiskManager
from app.risk.rules import MaxOpenOrders
from tests.risk.helpers import T0, D, make_ctx, make_intent


def test_approved_unchanged_has_one_final_decision() -> None:
    manager = RiskManager(RiskLimits())
    result = manager.check(make_intent("0.01", client_order_id="cb-1"), make_ctx())
    assert result.approved
    assert result.amount == D("0.01")
    assert result.reason == ""
    assert len(result.decisions) == 1
    final = result.decisions[0]
    assert final.rule == VERDICT_RULE
    assert final.verdict is RiskVerdict.APPROVE
    assert final.correlation_id == "cb-1"
    assert final.timestamp == T0
    assert final.strategy_id == "s1"


def test_resize_reports_the_rule_and_the_final_amount() -> None:
    manager = RiskManager(RiskLimits(max_order_notional=D(500)))
    # 0.05 BTC x 20,000 = 1,000 USDT > 500 -> 0.025 BTC
    result = manager.check(make_intent("0.05"), make_ctx())
    assert result.approved
    assert result.amount == D("0.025")
    assert "max_order_notional 500" in result.reason
    rules = [(d.rule, d.verdict, d.amount) for d in result.decisions]
    assert rules == [
        ("max_order_notional", RiskVerdict.RESIZE, D("0.025")),
        (VERDICT_RULE, RiskVerdict.RESIZE, D("0.025")),
    ]
    assert all(d.original_amount == D("0.05") for d in result.decisions)


def test_several_resizes_chain_down() -> None:
    limits = RiskLimits(max_order_notional=D(5000), max_position_pct=D(20))
    manager = RiskManager(limits)
    # 1 BTC = 20,000 -> notional cap 0.25 -> position cap 20 % of 10,000 = 2,000 -> 0.1
    result = manager.check(make_intent("1"), make_ctx())
    assert result.amount == D("0.1")
    rules = [d.rule for d in result.decisions]
    assert rules == ["max_order_notional", "max_position", VERDICT_RULE]


def test_rejection_stops_at_the_first_refusing_rule() -> None:
    manager = RiskManager(RiskLimits(max_open_orders=2))
    result = manager.check(make_intent(), make_ctx(open_orders=2))
    assert not result.approved
    assert result.amount == 0
    assert "max_open_orders 2" in result.reason
    assert [(d.rule, d.verdict) for d in result.decisions] == [
        ("max_open_orders", RiskVerdict.REJECT),
        (VERDICT_RULE, RiskVerdict.REJECT),
    ]


def test_resize_then_min_notional_rejects_dust() -> None:
    manager = RiskManager(RiskLimits())
    # cash 15 USDT buys 15 / (20,000 x 1.001) = 0.000749 -> 0.000 BTC: rejected by the balance rule
    result = manager.check(make_intent("0.01"), make_ctx(quote_free="15"))
    assert not result.approved
    assert result.decisions[0].rule == "balance"
    # cash 30 USDT -> 0.001 BTC = 20 USDT >= 10 minimum: approved resized
    result = manager.check(make_intent("0.01"), make_ctx(quote_free="30"))
    assert result.approved
    assert result.amount == D("0.001")


def test_kill_switch_refuses_everything_until_reset() -> None:
    manager = RiskManager(RiskLimits())
    events = manager.engage_kill_switch("operator pressed STOP", T0)
    assert [(e.breaker, e.old_state, e.new_state, e.scope) for e in events] == [
        ("kill_switch", BreakerState.ACTIVE, BreakerState.HALTED, "system")
    ]
    assert "operator pressed STOP" in events[0].reason
    long_ctx = make_ctx(positions={"BTC/USDT": "0.1"})
    for intent in (make_intent(), make_intent("0.05", side=Side.SELL)):
        result = manager.check(intent, long_ctx)
        assert not result.approved
        assert result.decisions[0].rule == "kill_switch"
        assert "until a person resets it" in result.reason
    assert manager.engage_kill_switch("again", T0 + 1) == []
    assert manager.states()["kill_switch"] is BreakerState.HALTED
    reset = manager.reset("kill_switch", T0 + 2)
    assert [(e.old_state, e.new_state) for e in reset] == [
        (BreakerState.HALTED, BreakerState.ACTIVE)
    ]
    assert manager.check(make_intent(), long_ctx).approved


def test_kill_switch_lets_flattening_orders_through() -> None:
    manager = RiskManager(RiskLimits(max_open_orders=1, max_order_notional=D(10)))
    manager.engage_kill_switch("panic", T0)
    ctx = make_ctx(positions={"BTC/USDT": "0.5"}, open_orders=5)
    close = make_intent("0.5", side=Side.SELL)
    result = manager.check(close, ctx, flatten=True)
    # flattening skips exposure/notional/open-order limits; only precision and min notional apply
    assert result.approved
    assert result.amount == D("0.5")
    grow = make_intent("0.5", side=Side.BUY)
    refused = manager.check(grow, ctx, flatten=True)
    assert not refused.approved
    assert "does not reduce a position" in refused.reason


def test_reset_of_unknown_breaker_names_the_known_ones() -> None:
    manager = RiskManager(RiskLimits())
    with pytest.raises(EngineError, match=r"unknown breaker 'nope'.*kill_switch"):
        manager.reset("nope", T0)


def test_update_limits_applies_at_run_time_and_refuses_invalid() -> None:
    manager = RiskManager(RiskLimits())
    intent = make_intent("0.04")  # 800 USDT
    assert manager.check(intent, make_ctx()).amount == D("0.04")
    manager.update_limits(replace(manager.limits, max_order_notional=D(400)))
    assert manager.limits.max_order_notional == D(400)
    assert manager.check(intent, make_ctx()).amount == D("0.02")
    with pytest.raises(ConfigError, match=r"risk\.max_order_notional"):
        manager.update_limits(replace(manager.limits, max_order_notional=D(0)))
    assert manager.limits.max_order_notional == D(400)


def test_invalid_limits_are_refused_at_construction() -> None:
    with pytest.raises(ConfigError, match=r"risk\.daily_loss_pct"):
        RiskManager(RiskLimits(daily_loss_pct=D(250)))


def test_limit_order_is_valued_at_its_price() -> None:
    manager = RiskManager(RiskLimits(max_order_notional=D(1000)))
    intent = make_intent("0.051", order_type=OrderType.LIMIT, price="19600")
    # 0.051 x 19,600 = 999.6 <= 1,000
    assert manager.check(intent, make_ctx()).amount == D("0.051")
    market = make_intent("0.051")
    # 0.051 x 20,000 = 1,020 > 1,000 -> 0.05
    assert manager.check(market, make_ctx()).amount == D("0.05")


def test_custom_rule_list_replaces_the_defaults() -> None:
    manager = RiskManager(RiskLimits(max_open_orders=1), rules=[MaxOpenOrders()])
    # 1 BTC would break max_order_notional and the balance, but only the given rule runs
    assert manager.check(make_intent("1"), make_ctx(quote_free="0")).approved
    assert not manager.check(make_intent("1"), make_ctx(open_orders=1)).approved
    assert RiskManager(RiskLimits(), rules=()).check(make_intent("1"), make_ctx()).approved


def test_raise_if_rejected_names_the_rule() -> None:
    manager = RiskManager(RiskLimits(max_open_orders=1))
    manager.check(make_intent(), make_ctx()).raise_if_rejected()
    refused = manager.check(make_intent(), make_ctx(open_orders=1))
    assert refused.refused_by == "max_open_orders"
    with pytest.raises(RiskRejected, match="order refused by max_open_orders: 1 orders are open"):
        refused.raise_if_rejected()
    manager.engage_kill_switch("panic", T0)
    killed = manager.check(make_intent(), make_ctx())
    assert killed.refused_by == "kill_switch"
    with pytest.raises(KillSwitchEngaged, match="kill switch engaged: panic"):
        killed.raise_if_rejected()
