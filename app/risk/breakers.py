"""Circuit breakers: explicit state machines over ACTIVE, REDUCING and HALTED.

Time comes only from the timestamps the caller passes (bar times in a backtest, now when live);
nothing here reads the wall clock. Every transition returns a
:class:`~app.core.events.BreakerStateChanged` carrying its reason.

- :class:`ConsecutiveLossBreaker` (one per strategy): ``consecutive_losses`` losing trades in
  a row -> REDUCING (no new entries, exits pass) for ``cooldown_minutes``, then ACTIVE again.
- :class:`DailyLossBreaker`: realised + unrealised loss since the UTC day's starting equity
  reaching ``daily_loss_pct`` -> REDUCING until 00:00 UTC of the next day.
- :class:`DrawdownBreaker`: equity ``max_drawdown_pct`` below its running peak -> HALTED until a
  person resets it (the reset re-bases the peak on the current equity).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from app.core.enums import BreakerState
from app.core.events import BreakerStateChanged
from app.core.time import format_ms

logger = logging.getLogger(__name__)

_simulated: ContextVar[bool] = ContextVar("simulated_breakers", default=False)


@contextmanager
def simulated_breakers() -> Iterator[None]:
    """Mark the transitions inside the block as simulated (backtests, research): logged at DEBUG.

    A parameter search runs thousands of simulations; their breaker trips are results (they are
    in the returned events), not warnings about the trader's account.
    """
    token = _simulated.set(True)
    try:
        yield
    finally:
        _simulated.reset(token)


DAY_MS = 86_400_000
_MINUTE_MS = 60_000
_HUNDRED = Decimal(100)


class BreakerCell:
    """Name, scope and current state of one breaker; the only place a state changes."""

    __slots__ = ("name", "reason", "scope", "since", "state")

    def __init__(self, name: str, scope: str) -> None:
        """Start ACTIVE.

        Args:
            name: breaker name used in events and :meth:`RiskManager.states`.
            scope: ``"strategy"``, ``"account"`` or ``"system"``.
        """
        self.name = name
        self.scope = scope
        self.state = BreakerState.ACTIVE
        self.reason = ""
        self.since = 0

    def move(
        self, new_state: BreakerState, reason: str, timestamp: int
    ) -> list[BreakerStateChanged]:
        """Transition to ``new_state``; no event when the state does not change.

        Args:
            new_state: target state.
            reason: why, as a user would read it.
            timestamp: ms UTC of the transition.

        Returns:
            The transition event, or an empty list.
        """
        if new_state is self.state:
            return []
        old = self.state
        self.state = new_state
        self.reason = reason
        self.since = timestamp
        level = logging.INFO if new_state is BreakerState.ACTIVE else logging.WARNING
        logger.log(
            logging.DEBUG if _simulated.get() else level,
            "breaker %s: %s -> %s at %s UTC: %s",
            self.name,
            old,
            new_state,
            format_ms(timestamp),
            reason,
            extra={"breaker": self.name, "scope": self.scope},
        )
        return [
            BreakerStateChanged(
                timestamp=timestamp,
                breaker=self.name,
                old_state=old,
                new_state=new_state,
                reason=reason,
                scope=self.scope,
            )
        ]


class ConsecutiveLossBreaker:
    """Pauses one strategy's new entries after a streak of losing trades."""

    __slots__ = ("cell", "cooldown_ms", "losses", "max_losses", "paused_until", "strategy_id")

    def __init__(self, strategy_id: str, max_losses: int, cooldown_minutes: int) -> None:
        """Create an ACTIVE breaker for ``strategy_id``.

        Args:
            strategy_id: the strategy instance it guards.
            max_losses: losing trades in a row that pause it.
            cooldown_minutes: how long the pause lasts.
        """
        self.strategy_id = strategy_id
        self.cell = BreakerCell(f"strategy:{strategy_id}", "strategy")
        self.max_losses = max_losses
        self.cooldown_ms = cooldown_minutes * _MINUTE_MS
        self.losses = 0
        self.paused_until: int | None = None

    def configure(self, max_losses: int, cooldown_minutes: int) -> None:
        """Apply edited limits (a running pause keeps its end time)."""
        self.max_losses = max_losses
        self.cooldown_ms = cooldown_minutes * _MINUTE_MS

    def record(self, pnl: Decimal, timestamp: int) -> list[BreakerStateChanged]:
        """Count a closed trade; a loss may start (or extend) the pause, a non-loss ends the streak.

        Args:
            pnl: the trade's realised P&L (fees included).
            timestamp: ms UTC when it closed.

        Returns:
            Transition events.
        """
        events = self.advance(timestamp)
        if pnl >= 0:
            self.losses = 0
            return events
        self.losses += 1
        if self.losses < self.max_losses:
            return events
        self.losses = 0
        self.paused_until = timestamp + self.cooldown_ms
        events += self.cell.move(
            BreakerState.REDUCING,
            f"{self.max_losses} losing trades in a row; strategy {self.strategy_id} paused "
            f"until {format_ms(self.paused_until)} UTC",
            timestamp,
        )
        return events

    def advance(self, timestamp: int) -> list[BreakerStateChanged]:
        """End the pause once its cooldown has passed at ``timestamp``.

        The event is stamped with the end of the cooldown, not the time it was noticed.
        """
        until = self.paused_until
        if until is None or timestamp < until:
            return []
        self.paused_until = None
        return self.cell.move(
            BreakerState.ACTIVE,
            f"cooldown ended; strategy {self.strategy_id} trades again",
            until,
        )

    def deadline(self) -> int | None:
        """Next timestamp at which :meth:`advance` changes something."""
        return self.paused_until

    def reset(self, timestamp: int) -> list[BreakerStateChanged]:
        """A person ends the pause now and clears the loss streak."""
        self.losses = 0
        self.paused_until = None
        return self.cell.move(BreakerState.ACTIVE, "reset by user", timestamp)


class DailyLossBreaker:
    """Stops new entries for the rest of the UTC day once the day's loss reaches the limit.

    The day's starting equity is the last equity known before the day began (the first equity
    ever seen, on the first day). A manual reset re-bases it on the current equity.
    """

    __slots__ = ("cell", "day", "day_start_equity", "last_equity", "limit_fraction", "limit_pct")

    def __init__(self, limit_pct: Decimal) -> None:
        """Create an ACTIVE breaker with a loss limit of ``limit_pct`` %."""
        self.cell = BreakerCell("daily_loss", "account")
        self.limit_pct = limit_pct
        self.limit_fraction = limit_pct / _HUNDRED
        self.day: int | None = None
        self.day_start_equity: Decimal | None = None
        self.last_equity: Decimal | None = None

    def configure(self, limit_pct: Decimal) -> None:
        """Apply an edited limit (checked at the next equity update)."""
        self.limit_pct = limit_pct
        self.limit_fraction = limit_pct / _HUNDRED

    def advance(self, timestamp: int) -> list[BreakerStateChanged]:
        """Roll over to a new UTC day: new starting equity, and ACTIVE again if tripped.

        The event is stamped 00:00 UTC of the new day, not the time it was noticed.
        """
        day = timestamp // DAY_MS
        if self.day is None or day <= self.day:
            return []
        self.day = day
        self.day_start_equity = self.last_equity
        return self.cell.move(
            BreakerState.ACTIVE, "new UTC day; daily loss limit re-armed", day * DAY_MS
        )

    def update(self, equity: Decimal, timestamp: int) -> list[BreakerStateChanged]:
        """Take a new equity figure; trips when the day's loss reaches the limit.

        Args:
            equity: account equity (realised + unrealised) in quote currency.
            timestamp: ms UTC of the figure.

        Returns:
            Transition events.
        """
        events = self.advance(timestamp)
        if self.day is None:
            self.day = timestamp // DAY_MS
        if self.day_start_equity is None:
            self.day_start_equity = equity
        self.last_equity = equity
        start = self.day_start_equity
        if self.cell.state is BreakerState.ACTIVE and start > 0:
            loss = start - equity
            if loss >= start * self.limit_fraction:
                events += self.cell.move(
                    BreakerState.REDUCING,
                    f"daily loss {loss} reached risk.daily_loss_pct {self.limit_pct}% of the day's "
                    f"starting equity {start}; new entries halted until 00:00 UTC",
                    timestamp,
                )
        return events

    def deadline(self) -> int | None:
        """Start of the next UTC day, once a day is known."""
        return None if self.day is None else (self.day + 1) * DAY_MS

    def reset(self, timestamp: int) -> list[BreakerStateChanged]:
        """A person re-arms the breaker; today's loss is measured from the current equity."""
        self.day_start_equity = self.last_equity
        return self.cell.move(BreakerState.ACTIVE, "reset by user", timestamp)


class DrawdownBreaker:
    """Halts all trading when equity falls ``limit_pct`` % below its running peak."""

    __slots__ = ("cell", "last_equity", "limit_fraction", "limit_pct", "peak")

    def __init__(self, limit_pct: Decimal) -> None:
        """Create an ACTIVE breaker with a drawdown limit of ``limit_pct`` %."""
        self.cell = BreakerCell("drawdown", "account")
        self.limit_pct = limit_pct
        self.limit_fraction = limit_pct / _HUNDRED
        self.peak: Decimal | None = None
        self.last_equity: Decimal | None = None

    def configure(self, limit_pct: Decimal) -> None:
        """Apply an edited limit (checked at the next equity update)."""
        self.limit_pct = limit_pct
        self.limit_fraction = limit_pct / _HUNDRED

    def update(self, equity: Decimal, timestamp: int) -> list[BreakerStateChanged]:
        """Take a new equity figure; trips when the drawdown from the peak reaches the limit.

        Args:
            equity: account equity in quote currency.
            timestamp: ms UTC of the figure.

        Returns:
            Transition events.
        """
        self.last_equity = equity
        if self.peak is None or equity > self.peak:
            self.peak = equity
        peak = self.peak
        if self.cell.state is BreakerState.ACTIVE and peak > 0:
            drop = peak - equity
            if drop >= peak * self.limit_fraction:
                return self.cell.move(
                    BreakerState.HALTED,
                    f"drawdown {drop / peak * _HUNDRED:.2f}% from the equity peak {peak} reached "
                    f"risk.max_drawdown_pct {self.limit_pct}%; trading halted until reset",
                    timestamp,
                )
        return []

    def reset(self, timestamp: int) -> list[BreakerStateChanged]:
        """A person resumes trading; the peak restarts at the current equity."""
        self.peak = self.last_equity
        return self.cell.move(BreakerState.ACTIVE, "reset by user", timestamp)
