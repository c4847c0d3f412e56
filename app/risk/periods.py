"""Breaker periods: turn a stream of breaker transitions into "halted from .. to .." spans.

Backtest results and the risk panel list these so a user sees when trading was restricted,
by which breaker and why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.core.enums import BreakerState
from app.core.events import BreakerStateChanged


@dataclass(frozen=True, slots=True)
class BreakerPeriod:
    """A span during which one breaker was not ACTIVE; ``end`` is ``None`` while it lasts."""

    breaker: str
    state: BreakerState
    start: int
    end: int | None
    reason: str


def breaker_periods(events: Iterable[BreakerStateChanged]) -> list[BreakerPeriod]:
    """Spans of REDUCING/HALTED per breaker from transitions in time order.

    Args:
        events: transitions as returned by the :class:`~app.risk.manager.RiskManager` methods.

    Returns:
        One period per non-ACTIVE stretch, ordered by start time; a change between REDUCING and
        HALTED closes one period and opens the next.
    """
    open_periods: dict[str, BreakerPeriod] = {}
    closed: list[BreakerPeriod] = []
    for event in events:
        current = open_periods.pop(event.breaker, None)
        if current is not None:
            closed.append(
                BreakerPeriod(
                    current.breaker, current.state, current.start, event.timestamp, current.reason
                )
            )
        if event.new_state is not BreakerState.ACTIVE:
            open_periods[event.breaker] = BreakerPeriod(
                event.breaker, event.new_state, event.timestamp, None, event.reason
            )
    closed.extend(open_periods.values())
    return sorted(closed, key=lambda period: (period.start, period.breaker))
