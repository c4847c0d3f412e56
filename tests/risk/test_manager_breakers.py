"""RiskManager with breakers: what a backtest or live run sees across losses and days."""

from __future__ import annotations

from app.core.enums import BreakerState, Side
from app.risk.breakers import DAY_MS
from app.risk.limits import RiskLimits
from app.risk.manager import RiskManager
from tests.risk.helpers import D, make_ctx, make_intent

MIDNIGHT = 19_676 * DAY_MS  # 2023-11-15 00:00 UTC
HOUR = 3_600_000
MINUTE = 60_000


def test_daily_loss_halts_entries_until_midnight_and_lists_refusals() -> None:
    manager = RiskManager(RiskLimits(daily_loss_pct=D(3), max_drawdown_pct=D(50)))
    flat, long = make_ctx(), make_ctx(positions={"BTC/USDT": "0.05"})
    equity = {0: "10000", 1: "9900", 2: "9650", 3: "9700", 23: "9800", 24: "9800", 25: "9790"}
    transitions, refused, approved = [], [], []
    for hour, value in equity.items():
        ts = MIDNIGHT + hour * HOUR
        transitions += manager.update_equity(D(value), ts)
        result = manager.check(make_intent("0.01", timestamp=ts), flat)
        (approved if result.approved else refused).append(hour)
        if not result.approved:
            assert result.decisions[0].rule == "daily_loss"
            assert "only orders that reduce a position pass" in result.reason
        exit_order = make_intent("0.05", side=Side.SELL, timestamp=ts)
        assert manager.check(exit_order, long).approved
    # tripped at 02:00 (-3.5 %), refused through 23:00, re-armed at 00:00 next day
    assert refused == [2, 3, 23]
    assert approved == [0, 1, 24, 25]
    assert [(e.breaker, e.new_state, e.timestamp) for e in transitions] == [
        ("daily_loss", BreakerState.REDUCING, MIDNIGHT + 2 * HOUR),
        ("daily_loss", BreakerState.ACTIVE, MIDNIGHT + 24 * HOUR),
    ]


def test_rearm_found_by_a_check_is_reported_by_the_next_update() -> None:
    manager = RiskManager(RiskLimits(daily_loss_pct=D(3)))
    manager.update_equity(D(10000), MIDNIGHT)
    manager.update_equity(D(9000), MIDNIGHT + HOUR)
    next_day = MIDNIGHT + DAY_MS + 5
    assert manager.check(make_intent(timestamp=next_day), make_ctx()).approved
    events = manager.update_equity(D(9000), next_day + 1)
    assert [(e.new_state, e.timestamp) for e in events] == [
        (BreakerState.ACTIVE, MIDNIGHT + DAY_MS)
    ]
    assert manager.advance() == []


def test_consecutive_losses_pause_one_strategy_only() -> None:
    manager = RiskManager(RiskLimits(consecutive_losses=2, cooldown_minutes=30))
    assert manager.record_trade_closed("a", D(-10), MIDNIGHT) == []
    events = manager.record_trade_closed("a", D(-10), MIDNIGHT + MINUTE)
    assert [(e.breaker, e.new_state) for e in events] == [("strategy:a", BreakerState.REDUCING)]
    states = manager.states()
    assert states["strategy:a"] is BreakerState.REDUCING
    ts = MIDNIGHT + 2 * MINUTE
    paused = manager.check(make_intent(strategy_id="a", timestamp=ts), make_ctx())
    assert not paused.approved
    assert paused.decisions[0].rule == "strategy:a"
    assert manager.check(make_intent(strategy_id="b", timestamp=ts), make_ctx()).approved
    assert manager.check(make_intent(strategy_id=None, timestamp=ts), make_ctx()).approved
    closing = make_intent("0.01", side=Side.SELL, strategy_id="a", timestamp=ts)
    assert manager.check(closing, make_ctx(positions={"BTC/USDT": "0.01"})).approved
    # the cooldown ends 30 minutes after the second loss
    after = MIDNIGHT + 31 * MINUTE
    before = make_intent(strategy_id="a", timestamp=after - 1)
    assert not manager.check(before, make_ctx()).approved
    assert manager.check(make_intent(strategy_id="a", timestamp=after), make_ctx()).approved
    ended = manager.advance(after + 5 * MINUTE)
    assert [(e.breaker, e.new_state, e.timestamp) for e in ended] == [
        ("strategy:a", BreakerState.ACTIVE, after)
    ]


def test_states_follow_the_injected_clock() -> None:
    clock = [MIDNIGHT]
    manager = RiskManager(
        RiskLimits(consecutive_losses=1, cooldown_minutes=10), now_ms=lambda: clock[0]
    )
    manager.record_trade_closed("a", D(-1), MIDNIGHT)
    assert manager.states()["strategy:a"] is BreakerState.REDUCING
    clock[0] = MIDNIGHT + 10 * MINUTE
    assert manager.states()["strategy:a"] is BreakerState.ACTIVE
    assert [e.new_state for e in manager.advance()] == [BreakerState.ACTIVE]


def test_drawdown_halts_even_exits_and_reset_restores() -> None:
    manager = RiskManager(RiskLimits(max_drawdown_pct=D(10), daily_loss_pct=D(100)))
    manager.update_equity(D(10000), MIDNIGHT)
    events = manager.update_equity(D(9000), MIDNIGHT + HOUR)
    assert [(e.breaker, e.new_state) for e in events] == [("drawdown", BreakerState.HALTED)]
    long = make_ctx(positions={"BTC/USDT": "0.05"})
    ts = MIDNIGHT + 2 * HOUR
    for intent in (
        make_intent(timestamp=ts),
        make_intent("0.05", side=Side.SELL, timestamp=ts),
    ):
        result = manager.check(intent, long)
        assert not result.approved
        assert result.decisions[0].rule == "drawdown"
    assert manager.states()["drawdown"] is BreakerState.HALTED
    assert manager.check(make_intent("0.05", side=Side.SELL, timestamp=ts), long, flatten=True)
    manager.reset("drawdown", ts + 1)
    assert manager.check(make_intent(timestamp=ts + 2), long).approved


def test_reset_of_a_strategy_breaker_by_name() -> None:
    manager = RiskManager(RiskLimits(consecutive_losses=1, cooldown_minutes=600))
    manager.record_trade_closed("a", D(-1), MIDNIGHT)
    events = manager.reset("strategy:a", MIDNIGHT + 1)
    assert [(e.breaker, e.new_state) for e in events] == [("strategy:a", BreakerState.ACTIVE)]
    assert manager.check(make_intent(strategy_id="a", timestamp=MIDNIGHT + 2), make_ctx()).approved


def test_edited_loss_streak_applies_to_running_strategies() -> None:
    manager = RiskManager(RiskLimits(consecutive_losses=5))
    manager.record_trade_closed("a", D(-1), MIDNIGHT)
    manager.update_limits(RiskLimits(consecutive_losses=2))
    events = manager.record_trade_closed("a", D(-1), MIDNIGHT + 1)
    assert [e.new_state for e in events] == [BreakerState.REDUCING]


def test_time_based_transitions_are_reported_in_time_order() -> None:
    manager = RiskManager(
        RiskLimits(consecutive_losses=1, cooldown_minutes=30, daily_loss_pct=D(3))
    )
    manager.update_equity(D(10000), MIDNIGHT)
    manager.update_equity(D(9000), MIDNIGHT + 23 * HOUR)
    manager.record_trade_closed("a", D(-1), MIDNIGHT + 23 * HOUR + 10 * MINUTE)
    # both end while nobody calls; the daily re-arm is found first but happened later
    events = manager.advance(MIDNIGHT + DAY_MS + HOUR)
    assert [(e.breaker, e.timestamp) for e in events] == [
        ("strategy:a", MIDNIGHT + 23 * HOUR + 40 * MINUTE),
        ("daily_loss", MIDNIGHT + DAY_MS),
    ]
