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
from app.core.events import BreakerStateChanged, RiskDecision
from app.core.money import ZERO
from app.risk.board import BreakerBoard
from app.risk.context import OrderIntent, RiskContext, RiskResult, is_reducing
from app.risk.limits import RiskLimits
from app.risk.rule_base import APPROVED, PreTradeRule, RuleState
from app.risk.rules import MarketPrecision, MinNotional, default_rules
from app.risk.stops import StopLevels, StopOverrides, resolve_stop_levels

__all__ = ["OrderIntent", "RiskContext", "RiskManager", "RiskResult"]

VERDICT_RULE = "risk_manager"
"""``rule`` of the final-verdict decision that closes every check."""


class RiskManager:
    """The risk gate of one account: breakers, pre-trade rules, kill switch and stop defaults.

    Not thread-safe: the engine calls it from its own thread (the UI goes through the facade).
    """

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
        self._state = RuleState(self._limits)
        self._rules: tuple[PreTradeRule, ...] = default_rules() if rules is None else tuple(rules)
        self._flatten_rules: tuple[PreTradeRule, ...] = (MarketPrecision(), MinNotional())
        self._board = BreakerBoard(self._limits, now_ms)

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
        self._board.configure(limits)

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
        self._board.observe(intent.timestamp)
        reducing = is_reducing(intent.side, intent.amount, ctx.positions.get(intent.symbol, ZERO))
        blocked = self._board.block(intent, reducing, flatten)
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
        self._board.observe(intent.timestamp)
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
        return self._board.record_trade_closed(strategy_id, pnl, timestamp)

    def update_equity(self, equity: Decimal, timestamp: int) -> list[BreakerStateChanged]:
        """Feed the account equity (realised + unrealised) to the daily-loss and drawdown breakers.

        Call it at every bar close (backtest) or equity update (live).

        Args:
            equity: equity in quote currency.
            timestamp: ms UTC of the figure.

        Returns:
            Every breaker transition since the last report (cooldowns, day re-arm, trips).
        """
        return self._board.update_equity(equity, timestamp)

    def advance(self, timestamp: int | None = None) -> list[BreakerStateChanged]:
        """Apply time-based transitions (cooldown ends, new UTC day) up to ``timestamp``.

        Args:
            timestamp: ms UTC; defaults to the clock given at construction, else the latest
                timestamp seen.

        Returns:
            Every breaker transition since the last report.
        """
        return self._board.advance(timestamp)

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
        return self._board.engage_kill_switch(reason, timestamp)

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
        return self._board.reset(breaker, timestamp)

    def states(self) -> dict[str, BreakerState]:
        """Breaker name -> state, including ``"strategy:<id>"`` for every strategy seen."""
        return self._board.states()

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
