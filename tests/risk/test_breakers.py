"""Circuit breakers: state transitions, their reasons and timing from the given timestamps."""

from __future__ import annotations

import logging

import pytest

from app.core.enums import BreakerState
from app.core.events import BreakerStateChanged
from app.risk.breakers import (
    DAY_MS,
    ConsecutiveLossBreaker,
    DailyLossBreaker,
    DrawdownBreaker,
    simulated_breakers,
)
from tests.risk.helpers import D

MIDNIGHT = 19_676 * DAY_MS  # 2023-11-15 00:00 UTC
HOUR = 3_600_000
MINUTE = 60_000


def moves(events: list[BreakerStateChanged]) -> list[tuple[str, BreakerState, BreakerState]]:
    return [(e.breaker, e.old_state, e.new_state) for e in events]


# ---------------------------------------------------------------- consecutive losses
def test_streak_of_losses_pauses_the_strategy_for_the_cooldown() -> None:
    breaker = ConsecutiveLossBreaker("sma", max_losses=3, cooldown_minutes=60)
    assert breaker.record(D(-5), MIDNIGHT) == []
    assert breaker.record(D(-5), MIDNIGHT + MINUTE) == []
    events = breaker.record(D("-0.01"), MIDNIGHT + 2 * MINUTE)
    assert moves(events) == [("strategy:sma", BreakerState.ACTIVE, BreakerState.REDUCING)]
    assert events[0].scope == "strategy"
    assert events[0].timestamp == MIDNIGHT + 2 * MINUTE
    assert "3 losing trades in a row" in events[0].reason
    assert "paused until 2023-11-15 01:02 UTC" in events[0].reason
    assert breaker.deadline() == MIDNIGHT + 62 * MINUTE
    assert breaker.advance(MIDNIGHT + 62 * MINUTE - 1) == []
    ended = breaker.advance(MIDNIGHT + 62 * MINUTE)
    assert moves(ended) == [("strategy:sma", BreakerState.REDUCING, BreakerState.ACTIVE)]
    assert "cooldown ended" in ended[0].reason


def test_a_win_or_break_even_ends_the_streak() -> None:
    breaker = ConsecutiveLossBreaker("sma", max_losses=3, cooldown_minutes=60)
    breaker.record(D(-1), MIDNIGHT)
    breaker.record(D(-1), MIDNIGHT + 1)
    breaker.record(D(2), MIDNIGHT + 2)
    breaker.record(D(-1), MIDNIGHT + 3)
    breaker.record(D(-1), MIDNIGHT + 4)
    breaker.record(D(0), MIDNIGHT + 5)
    assert breaker.record(D(-1), MIDNIGHT + 6) == []
    assert breaker.cell.state is BreakerState.ACTIVE


def test_the_streak_restarts_after_a_pause() -> None:
    breaker = ConsecutiveLossBreaker("sma", max_losses=2, cooldown_minutes=10)
    breaker.record(D(-1), MIDNIGHT)
    breaker.record(D(-1), MIDNIGHT + 1)
    assert breaker.cell.state is BreakerState.REDUCING
    # the next loss after the cooldown is the first of a new streak
    events = breaker.record(D(-1), MIDNIGHT + 11 * MINUTE)
    assert moves(events) == [("strategy:sma", BreakerState.REDUCING, BreakerState.ACTIVE)]
    assert events[0].timestamp == MIDNIGHT + 1 + 10 * MINUTE
    assert breaker.cell.state is BreakerState.ACTIVE


def test_manual_reset_ends_the_pause() -> None:
    breaker = ConsecutiveLossBreaker("sma", max_losses=1, cooldown_minutes=60)
    breaker.record(D(-1), MIDNIGHT)
    events = breaker.reset(MIDNIGHT + 5)
    assert moves(events) == [("strategy:sma", BreakerState.REDUCING, BreakerState.ACTIVE)]
    assert events[0].reason == "reset by user"
    assert breaker.deadline() is None
    assert breaker.reset(MIDNIGHT + 6) == []


# ---------------------------------------------------------------- daily loss
def test_daily_loss_trips_at_the_limit_of_the_days_starting_equity() -> None:
    breaker = DailyLossBreaker(D(3))
    assert breaker.update(D(10000), MIDNIGHT + HOUR) == []
    # 9,701 is a 2.99 % loss: still active
    assert breaker.update(D(9701), MIDNIGHT + 2 * HOUR) == []
    events = breaker.update(D(9700), MIDNIGHT + 3 * HOUR)
    assert moves(events) == [("daily_loss", BreakerState.ACTIVE, BreakerState.REDUCING)]
    assert events[0].scope == "account"
    assert "daily loss 300 reached risk.daily_loss_pct 3%" in events[0].reason
    assert "starting equity 10000" in events[0].reason
    # recovering during the day does not re-arm it
    assert breaker.update(D(10500), MIDNIGHT + 4 * HOUR) == []
    assert breaker.cell.state is BreakerState.REDUCING


def test_daily_loss_re_arms_at_midnight_utc_with_the_new_starting_equity() -> None:
    breaker = DailyLossBreaker(D(3))
    breaker.update(D(10000), MIDNIGHT)
    breaker.update(D(9600), MIDNIGHT + 23 * HOUR)
    assert breaker.deadline() == MIDNIGHT + DAY_MS
    assert breaker.advance(MIDNIGHT + DAY_MS - 1) == []
    events = breaker.advance(MIDNIGHT + DAY_MS)
    assert moves(events) == [("daily_loss", BreakerState.REDUCING, BreakerState.ACTIVE)]
    assert "new UTC day" in events[0].reason
    # the new day starts from the last equity of the previous day: 9,600
    assert breaker.day_start_equity == D(9600)
    assert breaker.update(D("9312.01"), MIDNIGHT + DAY_MS + HOUR) == []
    tripped = breaker.update(D(9312), MIDNIGHT + DAY_MS + 2 * HOUR)  # 288 = 3 % of 9,600
    assert moves(tripped) == [("daily_loss", BreakerState.ACTIVE, BreakerState.REDUCING)]


def test_daily_loss_rolls_over_inside_update() -> None:
    breaker = DailyLossBreaker(D(3))
    breaker.update(D(10000), MIDNIGHT)
    breaker.update(D(9000), MIDNIGHT + HOUR)
    events = breaker.update(D(8900), MIDNIGHT + DAY_MS + HOUR)
    # re-armed for the new day (start 9,000), and 100 is only 1.1 %: stays active
    assert moves(events) == [("daily_loss", BreakerState.REDUCING, BreakerState.ACTIVE)]
    assert events[0].timestamp == MIDNIGHT + DAY_MS
    assert breaker.cell.state is BreakerState.ACTIVE


def test_daily_loss_reset_re_bases_on_current_equity() -> None:
    breaker = DailyLossBreaker(D(3))
    breaker.update(D(10000), MIDNIGHT)
    breaker.update(D(9000), MIDNIGHT + HOUR)
    assert moves(breaker.reset(MIDNIGHT + 2 * HOUR)) == [
        ("daily_loss", BreakerState.REDUCING, BreakerState.ACTIVE)
    ]
    assert breaker.update(D(8800), MIDNIGHT + 3 * HOUR) == []  # 2.2 % of 9,000
    assert breaker.cell.state is BreakerState.ACTIVE


# ---------------------------------------------------------------- drawdown
def test_drawdown_from_the_running_peak_halts_until_reset() -> None:
    breaker = DrawdownBreaker(D(15))
    breaker.update(D(10000), MIDNIGHT)
    breaker.update(D(11000), MIDNIGHT + HOUR)
    assert breaker.update(D("9350.01"), MIDNIGHT + 2 * HOUR) == []
    events = breaker.update(D(9350), MIDNIGHT + 3 * HOUR)  # 1,650 = 15 % of 11,000
    assert moves(events) == [("drawdown", BreakerState.ACTIVE, BreakerState.HALTED)]
    assert "drawdown 15.00% from the equity peak 11000" in events[0].reason
    assert "until reset" in events[0].reason
    # a new day or a recovery does not release it
    assert breaker.update(D(12000), MIDNIGHT + 3 * DAY_MS) == []
    assert breaker.cell.state is BreakerState.HALTED
    breaker.update(D(9000), MIDNIGHT + 3 * DAY_MS + 1)
    assert moves(breaker.reset(MIDNIGHT + 3 * DAY_MS + 2)) == [
        ("drawdown", BreakerState.HALTED, BreakerState.ACTIVE)
    ]
    # the peak restarts at the equity of the reset (9,000): 8,000 is an 11 % drawdown
    assert breaker.update(D(8000), MIDNIGHT + 3 * DAY_MS + 3) == []
    assert breaker.cell.state is BreakerState.ACTIVE


def test_configure_changes_the_limit_for_the_next_update() -> None:
    breaker = DrawdownBreaker(D(15))
    breaker.update(D(10000), MIDNIGHT)
    assert breaker.update(D(9500), MIDNIGHT + 1) == []
    breaker.configure(D(5))
    assert moves(breaker.update(D(9500), MIDNIGHT + 2)) == [
        ("drawdown", BreakerState.ACTIVE, BreakerState.HALTED)
    ]


def test_transitions_are_logged_with_the_breaker_name(caplog: pytest.LogCaptureFixture) -> None:
    breaker = DrawdownBreaker(D(10))
    breaker.update(D(100), MIDNIGHT)
    with caplog.at_level(logging.INFO, logger="app.risk.breakers"):
        breaker.update(D(90), MIDNIGHT + HOUR)
        breaker.reset(MIDNIGHT + 2 * HOUR)
    levels = [(r.levelno, r.breaker) for r in caplog.records]  # type: ignore[attr-defined]
    assert levels == [(logging.WARNING, "drawdown"), (logging.INFO, "drawdown")]
    assert "active -> halted at 2023-11-15 01:00 UTC" in caplog.records[0].getMessage()


def test_simulated_transitions_are_logged_at_debug_only(caplog: pytest.LogCaptureFixture) -> None:
    breaker = DrawdownBreaker(D(10))
    breaker.update(D(100), MIDNIGHT)
    with caplog.at_level(logging.DEBUG, logger="app.risk.breakers"):
        with simulated_breakers():
            events = breaker.update(D(90), MIDNIGHT + HOUR)
        breaker.reset(MIDNIGHT + 2 * HOUR)
    assert moves(events) == [("drawdown", BreakerState.ACTIVE, BreakerState.HALTED)]
    assert [r.levelno for r in caplog.records] == [logging.DEBUG, logging.INFO]
