"""BreakerBoard: every circuit breaker of one account, driven by the timestamps it is given.

It owns the kill switch, the drawdown and daily-loss breakers and one consecutive-loss breaker
per strategy, decides whether a breaker blocks an order intent, and queues the transitions that
time alone causes (cooldown ends, a new UTC day) until the next call that reports events.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from app.core.enums import BreakerState
from app.core.errors import EngineError
from app.core.events import BreakerStateChanged
from app.risk.breakers import ConsecutiveLossBreaker, DailyLossBreaker, DrawdownBreaker
from app.risk.context import OrderIntent
from app.risk.kill_switch import KILL_SWITCH, KillSwitch
from app.risk.limits import RiskLimits

STRATEGY_PREFIX = "strategy:"
_NEVER = 1 << 62


class BreakerBoard:
    """The breakers of one account and the rules for which orders each state lets through.

    ACTIVE lets everything through; REDUCING (daily loss, strategy pause) only orders that reduce
    a position without flipping it; HALTED (drawdown, kill switch) nothing, except reducing orders
    marked as kill-switch flattening.
    """

    def __init__(self, limits: RiskLimits, now_ms: Callable[[], int] | None = None) -> None:
        """Create every breaker ACTIVE.

        Args:
            limits: validated risk limits.
            now_ms: clock for :meth:`states` and :meth:`advance` without a timestamp; without
                it they use the latest timestamp seen.
        """
        self._limits = limits
        self._now_ms = now_ms
        self.kill = KillSwitch()
        self.daily = DailyLossBreaker(limits.daily_loss_pct)
        self.drawdown = DrawdownBreaker(limits.max_drawdown_pct)
        self.strategies: dict[str, ConsecutiveLossBreaker] = {}
        self._pending: list[BreakerStateChanged] = []
        self._deadline = _NEVER
        self._last_ts = 0

    def configure(self, limits: RiskLimits) -> None:
        """Apply edited limits; states, streaks and running pauses are kept."""
        self._limits = limits
        self.daily.configure(limits.daily_loss_pct)
        self.drawdown.configure(limits.max_drawdown_pct)
        for breaker in self.strategies.values():
            breaker.configure(limits.consecutive_losses, limits.cooldown_minutes)

    def observe(self, timestamp: int) -> None:
        """Note the time of a check; time-based transitions due by then are queued."""
        if timestamp > self._last_ts:
            self._last_ts = timestamp
        if timestamp >= self._deadline:
            self._pending += self._advance(timestamp)

    def block(self, intent: OrderIntent, reducing: bool, flatten: bool) -> tuple[str, str] | None:
        """Which breaker refuses ``intent`` and why, or ``None`` when none does.

        Args:
            intent: the order intent.
            reducing: it shrinks its symbol's position without flipping it.
            flatten: the caller marks it as kill-switch flattening.

        Returns:
            ``(breaker name, reason)`` or ``None``.
        """
        if flatten:
            if reducing:
                return None
            return (
                KILL_SWITCH,
                f"flattening order for {intent.symbol} does not reduce a position; refused",
            )
        if self.kill.engaged:
            return (
                KILL_SWITCH,
                f"{self.kill.cell.reason}; every order is refused until a person resets it",
            )
        drawdown = self.drawdown.cell
        if drawdown.state is BreakerState.HALTED:
            return (drawdown.name, drawdown.reason)
        if reducing:
            return None
        daily = self.daily.cell
        if daily.state is not BreakerState.ACTIVE:
            return (daily.name, f"{daily.reason}; only orders that reduce a position pass")
        if intent.strategy_id is not None:
            breaker = self.strategies.get(intent.strategy_id)
            if breaker is not None and breaker.cell.state is not BreakerState.ACTIVE:
                cell = breaker.cell
                return (cell.name, f"{cell.reason}; only orders that reduce a position pass")
        return None

    def record_trade_closed(
        self, strategy_id: str, pnl: Decimal, timestamp: int
    ) -> list[BreakerStateChanged]:
        """Feed a closed trade to the strategy's breaker; returns every pending transition."""
        events = self.take_pending(timestamp)
        breaker = self.strategies.get(strategy_id)
        if breaker is None:
            breaker = ConsecutiveLossBreaker(
                strategy_id, self._limits.consecutive_losses, self._limits.cooldown_minutes
            )
            self.strategies[strategy_id] = breaker
        events += breaker.record(pnl, timestamp)
        self._refresh_deadline()
        return events

    def update_equity(self, equity: Decimal, timestamp: int) -> list[BreakerStateChanged]:
        """Feed the equity to the daily-loss and drawdown breakers; returns every transition."""
        events = self.take_pending(timestamp)
        events += self.daily.update(equity, timestamp)
        events += self.drawdown.update(equity, timestamp)
        self._refresh_deadline()
        return events

    def engage_kill_switch(self, reason: str, timestamp: int) -> list[BreakerStateChanged]:
        """Engage the kill switch; returns every pending transition."""
        return self.take_pending(timestamp) + self.kill.engage(reason, timestamp)

    def reset(self, name: str, timestamp: int) -> list[BreakerStateChanged]:
        """A person resets the breaker called ``name`` to ACTIVE.

        Args:
            name: ``"kill_switch"``, ``"drawdown"``, ``"daily_loss"`` or ``"strategy:<id>"``.
            timestamp: ms UTC.

        Returns:
            Every pending transition plus the reset's own.

        Raises:
            EngineError: no breaker has that name.
        """
        events = self.take_pending(timestamp)
        strategy = self.strategies.get(name.removeprefix(STRATEGY_PREFIX))
        if name == KILL_SWITCH:
            events += self.kill.reset(timestamp)
        elif name == self.drawdown.cell.name:
            events += self.drawdown.reset(timestamp)
        elif name == self.daily.cell.name:
            events += self.daily.reset(timestamp)
        elif name.startswith(STRATEGY_PREFIX) and strategy is not None:
            events += strategy.reset(timestamp)
        else:
            known = ", ".join(self.states())
            raise EngineError(f"unknown breaker {name!r}; known breakers: {known}")
        self._refresh_deadline()
        return events

    def states(self) -> dict[str, BreakerState]:
        """Breaker name -> state (time-based transitions applied up to the clock, if any)."""
        if self._now_ms is not None:
            self.observe(self._now_ms())
        states = {
            KILL_SWITCH: self.kill.cell.state,
            self.drawdown.cell.name: self.drawdown.cell.state,
            self.daily.cell.name: self.daily.cell.state,
        }
        for breaker in self.strategies.values():
            states[breaker.cell.name] = breaker.cell.state
        return states

    def advance(self, timestamp: int | None = None) -> list[BreakerStateChanged]:
        """Apply time-based transitions due by ``timestamp``; returns every pending transition.

        Args:
            timestamp: ms UTC; defaults to the clock, else the latest timestamp seen.
        """
        if timestamp is None:
            timestamp = self._now_ms() if self._now_ms is not None else self._last_ts
        return self.take_pending(timestamp)

    def take_pending(self, timestamp: int) -> list[BreakerStateChanged]:
        """Transitions queued so far plus those due at ``timestamp``, in time order; clears them."""
        if timestamp > self._last_ts:
            self._last_ts = timestamp
        events = self._pending + self._advance(timestamp)
        self._pending = []
        events.sort(key=_event_time)
        return events

    def _advance(self, timestamp: int) -> list[BreakerStateChanged]:
        events = self.daily.advance(timestamp)
        for breaker in self.strategies.values():
            events += breaker.advance(timestamp)
        self._refresh_deadline()
        return events

    def _refresh_deadline(self) -> None:
        deadline = _NEVER
        daily = self.daily.deadline()
        if daily is not None:
            deadline = daily
        for breaker in self.strategies.values():
            until = breaker.deadline()
            if until is not None and until < deadline:
                deadline = until
        self._deadline = deadline


def _event_time(event: BreakerStateChanged) -> int:
    return event.timestamp
