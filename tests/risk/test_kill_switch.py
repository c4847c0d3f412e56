"""Kill switch: latched halt, flattening orders, reset only by a person."""

from __future__ import annotations

from app.core.enums import BreakerState, OrderType, Side
from app.risk.kill_switch import KillSwitch, flatten_intents
from app.risk.limits import RiskLimits
from app.risk.manager import RiskManager
from tests.risk.helpers import T0, D, make_ctx, make_intent


def test_engage_is_latched_and_idempotent() -> None:
    switch = KillSwitch()
    assert not switch.engaged
    events = switch.engage("exchange returned nonsense", T0)
    assert switch.engaged
    assert [(e.breaker, e.old_state, e.new_state, e.scope) for e in events] == [
        ("kill_switch", BreakerState.ACTIVE, BreakerState.HALTED, "system")
    ]
    assert events[0].reason == "kill switch engaged: exchange returned nonsense"
    assert switch.engage("again", T0 + 1) == []
    assert switch.cell.reason == "kill switch engaged: exchange returned nonsense"
    reset = switch.reset(T0 + 2)
    assert [(e.old_state, e.new_state) for e in reset] == [
        (BreakerState.HALTED, BreakerState.ACTIVE)
    ]
    assert not switch.engaged
    assert switch.reset(T0 + 3) == []


def test_flatten_intents_close_every_position() -> None:
    intents = flatten_intents(
        {"ETH/USDT": D("-2.5"), "BTC/USDT": D("0.3"), "SOL/USDT": D(0)}, T0, strategy_id="kill"
    )
    assert [(i.symbol, i.side, i.amount, i.order_type, i.price) for i in intents] == [
        ("BTC/USDT", Side.SELL, D("0.3"), OrderType.MARKET, None),
        ("ETH/USDT", Side.BUY, D("2.5"), OrderType.MARKET, None),
    ]
    assert all(i.timestamp == T0 and i.strategy_id == "kill" for i in intents)


def test_kill_switch_flow_refuses_new_orders_and_passes_flattening() -> None:
    limits = RiskLimits(close_positions_on_kill=True, max_orders_per_second=1)
    manager = RiskManager(limits)
    ctx = make_ctx(positions={"BTC/USDT": "0.3"}, open_orders=3)
    manager.engage_kill_switch("user pressed the kill switch", T0)
    assert manager.limits.close_positions_on_kill
    for intent in flatten_intents(ctx.positions, T0 + 1):
        result = manager.check(intent, ctx, flatten=True)
        assert result.approved
        assert result.amount == D("0.3")
        manager.record_submitted(intent)
    refused = manager.check(make_intent(timestamp=T0 + 2), ctx)
    assert not refused.approved
    assert refused.decisions[0].rule == "kill_switch"
    # a limit sell that merely reduces is still refused without the flatten mark
    sell = make_intent("0.1", side=Side.SELL, timestamp=T0 + 3)
    assert not manager.check(sell, ctx).approved
    # the switch survives equity updates, new days and other resets
    manager.update_equity(D(10000), T0 + 86_400_000)
    manager.reset("daily_loss", T0 + 86_400_001)
    assert manager.states()["kill_switch"] is BreakerState.HALTED
    manager.reset("kill_switch", T0 + 86_400_002)
    assert manager.check(make_intent(timestamp=T0 + 86_400_003), make_ctx()).approved
