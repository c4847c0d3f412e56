"""Breaker periods built from transition events."""

from __future__ import annotations

from app.core.enums import BreakerState
from app.core.events import BreakerStateChanged
from app.risk.breakers import DAY_MS
from app.risk.limits import RiskLimits
from app.risk.manager import RiskManager
from app.risk.periods import BreakerPeriod, breaker_periods
from tests.risk.helpers import D

A, R, H = BreakerState.ACTIVE, BreakerState.REDUCING, BreakerState.HALTED
MIDNIGHT = 19_676 * DAY_MS
HOUR = 3_600_000


def change(name: str, old: BreakerState, new: BreakerState, ts: int) -> BreakerStateChanged:
    return BreakerStateChanged(
        timestamp=ts, breaker=name, old_state=old, new_state=new, reason=f"{name}@{ts}"
    )


def test_periods_pair_trips_with_their_end() -> None:
    events = [
        change("daily_loss", A, R, 10),
        change("kill_switch", A, H, 15),
        change("daily_loss", R, A, 20),
        change("daily_loss", A, R, 30),
    ]
    assert breaker_periods(events) == [
        BreakerPeriod("daily_loss", R, 10, 20, "daily_loss@10"),
        BreakerPeriod("kill_switch", H, 15, None, "kill_switch@15"),
        BreakerPeriod("daily_loss", R, 30, None, "daily_loss@30"),
    ]


def test_a_state_change_between_restrictions_splits_the_period() -> None:
    events = [change("x", A, R, 1), change("x", R, H, 5), change("x", H, A, 9)]
    assert breaker_periods(events) == [
        BreakerPeriod("x", R, 1, 5, "x@1"),
        BreakerPeriod("x", H, 5, 9, "x@5"),
    ]


def test_manager_events_give_the_halted_day() -> None:
    manager = RiskManager(RiskLimits(daily_loss_pct=D(3)))
    events = manager.update_equity(D(10000), MIDNIGHT)
    events += manager.update_equity(D(9600), MIDNIGHT + 5 * HOUR)
    events += manager.update_equity(D(9650), MIDNIGHT + DAY_MS + HOUR)
    [period] = breaker_periods(events)
    assert (period.breaker, period.state) == ("daily_loss", R)
    assert (period.start, period.end) == (MIDNIGHT + 5 * HOUR, MIDNIGHT + DAY_MS)
    assert "daily loss 400" in period.reason
