"""RiskManager: the single entry point the backtest and the live engine call, unchanged.

``check`` consults the breakers first (kill switch, drawdown, daily loss, the strategy's own
loss streak), then the ten pre-trade rules in order. Breaker states:

- ACTIVE: orders go to the rules.
- REDUCING (daily loss, strategy pause): only orders that reduce a position without flipping it.
- HALTED (drawdown, kill switch): every order is refused, except reducing orders the caller
  marks ``flatten=True`` (kill-switch flattening), which only face the precision and minimum
  notional rules.

Time comes from the timestamps passed in. Cooldowns and the daily re-arm happen lazily at the
first call whose timestamp passes them; the resulting events are returned by the next
``update_equity`` / ``record_trade_closed`` / ``advance`` / ``reset`` call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from app.core.enums import BreakerState, RiskVerdict, Side
from app.core.errors import EngineError
from app.core.events import BreakerStateChanged, RiskDecision
from app.core.money import ZERO
from app.risk.breakers import ConsecutiveLossBreaker, DailyLossBreaker, DrawdownBreaker
from app.risk.context import OrderIntent, RiskContext, RiskResult, is_reducing
from app.risk.kill_switch import KILL_SWITCH, KillSwitch
from app.risk.limits import RiskLimits
from app.risk.rules import (
    APPROVED,
    MarketPrecision,
    MinNotional,
    PreTradeRule,
    RuleState,
    default_rules,
)
from app.risk.stops import StopLevels, StopOverrides, resolve_stop_levels

__all__ = ["OrderIntent", "RiskContext", "RiskManager", "RiskResult"]

VERDICT_RULE = "risk_manager"
"""``rule`` of the final-verdict decision that closes every check."""

_NEVER = 1 << 62
_STRATEGY_PREFIX = "strategy:"


class RiskManager:
    """Position-independent risk gate: breakers, pre-trade rules, kill switch and stop defaults."""

    def __init__(
        self,
        limits: RiskLimits,
        *,
        now_ms: Callable[[], int] | None = None,
        rules: Sequence[PreTradeRule] | None = None,
    ) -> None:
        """Create a manager with every breaker ACTIVE.

        Args:
            limits: the risk limits (validated here).
            now_ms: clock used by :meth:`states` and :meth:`advance` when no timestamp is given;
                without it they use the latest timestamp seen. Decisions never read it.
            rules: pre-trade rules in order (default: the ten of :func:`default_rules`).

        Raises:
            ConfigError: the limits are invalid.
        """
        self._limits = limits.validated()
        self._now_ms = now_ms
        self._state = RuleState(self._limits)
        self._rules: tuple[PreTradeRule, ...] = default_rules() if rules is None else tuple(rules)
        self._flatten_rules: tuple[PreTradeRule, ...] = (MarketPrecision(), MinNotional())
        self._kill = KillSwitch()
        self._daily = DailyLossBreaker(self._limits.daily_loss_pct)
        self._drawdown = DrawdownBreaker(self._limits.max_drawdown_pct)
        self._strategies: dict[str, ConsecutiveLossBreaker] = {}
        self._pending: list[BreakerStateChanged] = []
        self._deadline = _NEVER
        self._last_ts = 0

    # ------------------------------------------------------------------ limits
    @property
    def limits(self) -> RiskLimits:
        """The limits in force."""
        return self._limits

    def update_limits(self, limits: RiskLimits) -> None:
        """Apply edited limits at run time (histories, breaker states and streaks are kept).

        Args:
            limits: the new limits.

        Raises:
            ConfigError: the limits are invalid; the old ones stay in force.
        """
        limits = limits.validated()
        self._limits = limits
        self._state.apply(limits)
        self._daily.configure(limits.daily_loss_pct)
        self._drawdown.configure(limits.max_drawdown_pct)
        for breaker in self._strategies.values():
            breaker.configure(limits.consecutive_losses, limits.cooldown_minutes)

    # ------------------------------------------------------------------ the check
    def check(self, intent: OrderIntent, ctx: RiskContext, *, flatten: bool = False) -> RiskResult:
        """Run the breakers, then the pre-trade rules, on one order intent.

        Args:
            intent: the order to place.
            ctx: the account snapshot at ``intent.timestamp``.
            flatten: the order closes a position for the kill switch (passes HALTED states).

        Returns:
            The verdict, the amount to submit (possibly resized; zero when rejected) and one
            :class:`RiskDecision` per rule that did not simply approve, plus the final verdict.
        """
        timestamp = intent.timestamp
        if timestamp > self._last_ts:
            self._last_ts = timestamp
        if timestamp >= self._deadline:
            self._pending += self._advance(timestamp)
        reducing = is_reducing(intent.side, intent.amount, ctx.positions.get(intent.symbol, ZERO))
        blocked = self._breaker_block(intent, reducing, flatten)
        decisions: list[RiskDecision] = []
        if blocked is not None:
            breaker, reason = blocked
            decisions.append(self._decision(intent, breaker, RiskVerdict.REJECT, reason, ZERO))
            return self._finish(intent, decisions, ZERO, reason)
        state = self._state
        current = intent
        reasons: list[str] = []
        for rule in self._flatten_rules if flatten else self._rules:
            outcome = rule.evaluate(current, ctx, state)
            if outcome is APPROVED or outcome.verdict is RiskVerdict.APPROVE:
                continue
            if outcome.verdict is RiskVerdict.REJECT:
                decisions.append(
                    self._decision(intent, rule.name, RiskVerdict.REJECT, outcome.reason, ZERO)
                )
                return self._finish(intent, decisions, ZERO, outcome.reason)
            amount = outcome.amount if outcome.amount is not None else current.amount
            decisions.append(
                self._decision(intent, rule.name, RiskVerdict.RESIZE, outcome.reason, amount)
            )
            reasons.append(outcome.reason)
            current = _with_amount(current, amount)
        return self._finish(intent, decisions, current.amount, "; ".join(reasons))

    def _breaker_block(
        self, intent: OrderIntent, reducing: bool, flatten: bool
    ) -> tuple[str, str] | None:
        """(breaker, reason) when a breaker refuses the intent, else ``None``."""
        if flatten:
            if reducing:
                return None
            return (
                KILL_SWITCH,
                f"flattening order for {intent.symbol} does not reduce a position; refused",
            )
        if self._kill.engaged:
            return (
                KILL_SWITCH,
                f"{self._kill.cell.reason}; every order is refused until a person resets it",
            )
        drawdown = self._drawdown.cell
        if drawdown.state is BreakerState.HALTED:
            return (drawdown.name, drawdown.reason)
        if reducing:
            return None
        daily = self._daily.cell
        if daily.state is not BreakerState.ACTIVE:
            return (daily.name, f"{daily.reason}; only orders that reduce a position pass")
        if intent.strategy_id is not None:
            breaker = self._strategies.get(intent.strategy_id)
            if breaker is not None and breaker.cell.state is not BreakerState.ACTIVE:
                cell = breaker.cell
                return (cell.name, f"{cell.reason}; only orders that reduce a position pass")
        return None

    @staticmethod
    def _decision(
        intent: OrderIntent, rule: str, verdict: RiskVerdict, reason: str, amount: Decimal
    ) -> RiskDecision:
        return RiskDecision(
            timestamp=intent.timestamp,
            rule=rule,
            verdict=verdict,
            reason=reason,
            symbol=intent.symbol,
            strategy_id=intent.strategy_id,
            correlation_id=intent.client_order_id,
            original_amount=intent.amount,
            amount=amount,
        )

    def _finish(
        self, intent: OrderIntent, decisions: list[RiskDecision], amount: Decimal, reason: str
    ) -> RiskResult:
        approved = amount > 0
        if not approved:
            verdict = RiskVerdict.REJECT
        elif amount != intent.amount:
            verdict = RiskVerdict.RESIZE
        else:
            verdict = RiskVerdict.APPROVE
        decisions.append(self._decision(intent, VERDICT_RULE, verdict, reason, amount))
        return RiskResult(approved, amount, reason, tuple(decisions))

    # ------------------------------------------------------------------ feeding the state
    def record_submitted(self, intent: OrderIntent) -> None:
        """Remember a submitted order (final amount) for the rate limit and duplicate guard.

        Args:
            intent: the order as submitted.
        """
        if intent.timestamp > self._last_ts:
            self._last_ts = intent.timestamp
        self._state.record(intent)

    def record_trade_closed(
        self, strategy_id: str, pnl: Decimal, timestamp: int
    ) -> list[BreakerStateChanged]:
        """Feed a closed trade to the strategy's consecutive-loss breaker.

        Args:
            strategy_id: the strategy that traded.
            pnl: realised P&L of the round trip (fees included).
            timestamp: ms UTC when it closed.

        Returns:
            Every breaker transition since the last report.
        """
        events = self._take_pending(timestamp)
        breaker = self._strategy_breaker(strategy_id)
        events += breaker.record(pnl, timestamp)
        self._refresh_deadline()
        return events

    def update_equity(self, equity: Decimal, timestamp: int) -> list[BreakerStateChanged]:
        """Feed the account equity (realised + unrealised) to the daily-loss and drawdown breakers.

        Call it at every bar close (backtest) or equity update (live).

        Args:
            equity: equity in quote currency.
            timestamp: ms UTC of the figure.

        Returns:
            Every breaker transition since the last report (cooldowns, day re-arm, trips).
        """
        events = self._take_pending(timestamp)
        events += self._daily.update(equity, timestamp)
        events += self._drawdown.update(equity, timestamp)
        self._refresh_deadline()
        return events

    def advance(self, timestamp: int | None = None) -> list[BreakerStateChanged]:
        """Apply time-based transitions (cooldown ends, new UTC day) up to ``timestamp``.

        Args:
            timestamp: ms UTC; defaults to the clock given at construction, else the latest
                timestamp seen.

        Returns:
            Every breaker transition since the last report.
        """
        return self._take_pending(self._resolve_time(timestamp))

    def engage_kill_switch(self, reason: str, timestamp: int) -> list[BreakerStateChanged]:
        """Refuse every new order until :meth:`reset` ``("kill_switch")``.

        The caller then cancels every open order and, when ``limits.close_positions_on_kill``
        is set, submits :func:`app.risk.kill_switch.flatten_intents` with ``flatten=True``.

        Args:
            reason: why (shown to the user and audited).
            timestamp: ms UTC.

        Returns:
            Transition events (empty when it was already engaged).
        """
        return self._take_pending(timestamp) + self._kill.engage(reason, timestamp)

    def reset(self, breaker: str, timestamp: int) -> list[BreakerStateChanged]:
        """A person resets one breaker to ACTIVE.

        Args:
            breaker: ``"kill_switch"``, ``"drawdown"``, ``"daily_loss"`` or ``"strategy:<id>"``.
            timestamp: ms UTC.

        Returns:
            Transition events (empty when it was already ACTIVE).

        Raises:
            EngineError: no breaker has that name.
        """
        events = self._take_pending(timestamp)
        if breaker == KILL_SWITCH:
            events += self._kill.reset(timestamp)
        elif breaker == self._drawdown.cell.name:
            events += self._drawdown.reset(timestamp)
        elif breaker == self._daily.cell.name:
            events += self._daily.reset(timestamp)
        elif breaker.removeprefix(_STRATEGY_PREFIX) in self._strategies and breaker.startswith(
            _STRATEGY_PREFIX
        ):
            events += self._strategies[breaker.removeprefix(_STRATEGY_PREFIX)].reset(timestamp)
        else:
            known = ", ".join(self.states())
            raise EngineError(f"unknown breaker {breaker!r}; known breakers: {known}")
        self._refresh_deadline()
        return events

    def states(self) -> dict[str, BreakerState]:
        """Breaker name -> state, including ``"strategy:<id>"`` for every strategy seen."""
        if self._now_ms is not None:
            self._pending += self._advance(self._now_ms())
        states = {
            KILL_SWITCH: self._kill.cell.state,
            self._drawdown.cell.name: self._drawdown.cell.state,
            self._daily.cell.name: self._daily.cell.state,
        }
        for breaker in self._strategies.values():
            states[breaker.cell.name] = breaker.cell.state
        return states

    def stop_levels(
        self,
        side: Side,
        entry_price: Decimal,
        strategy_overrides: StopOverrides | None = None,
        *,
        tick_size: Decimal | None = None,
    ) -> StopLevels:
        """Stop-loss, take-profit and trailing distance for a new position.

        Args:
            side: entry side (BUY opens a long).
            entry_price: fill price.
            strategy_overrides: the strategy's values by field name; they win over the limits
                (``None`` switches that exit off).
            tick_size: round levels to this tick when given.

        Returns:
            The resolved levels.

        Raises:
            ConfigError: an override is unknown or out of range.
        """
        return resolve_stop_levels(
            self._limits, side, entry_price, strategy_overrides, tick_size=tick_size
        )

    # ------------------------------------------------------------------ time
    def _strategy_breaker(self, strategy_id: str) -> ConsecutiveLossBreaker:
        breaker = self._strategies.get(strategy_id)
        if breaker is None:
            breaker = ConsecutiveLossBreaker(
                strategy_id, self._limits.consecutive_losses, self._limits.cooldown_minutes
            )
            self._strategies[strategy_id] = breaker
        return breaker

    def _resolve_time(self, timestamp: int | None) -> int:
        if timestamp is not None:
            return timestamp
        if self._now_ms is not None:
            return self._now_ms()
        return self._last_ts

    def _take_pending(self, timestamp: int) -> list[BreakerStateChanged]:
        if timestamp > self._last_ts:
            self._last_ts = timestamp
        events = self._pending + self._advance(timestamp)
        self._pending = []
        return events

    def _advance(self, timestamp: int) -> list[BreakerStateChanged]:
        events = self._daily.advance(timestamp)
        for breaker in self._strategies.values():
            events += breaker.advance(timestamp)
        self._refresh_deadline()
        return events

    def _refresh_deadline(self) -> None:
        deadline = _NEVER
        daily = self._daily.deadline()
        if daily is not None:
            deadline = daily
        for breaker in self._strategies.values():
            until = breaker.deadline()
            if until is not None and until < deadline:
                deadline = until
        self._deadline = deadline


def _with_amount(intent: OrderIntent, amount: Decimal) -> OrderIntent:
    return OrderIntent(
        intent.symbol,
        intent.side,
        intent.order_type,
        amount,
        intent.price,
        intent.strategy_id,
        intent.timestamp,
        intent.client_order_id,
    )
