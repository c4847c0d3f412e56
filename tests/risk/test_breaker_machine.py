"""Stateful property test: breaker states and check() verdicts always agree.

Random sequences of equity updates, closed trades, kill-switch presses, resets and time steps
drive a RiskManager. After every step an entry is approved exactly when every breaker that
concerns it is ACTIVE, an exit exactly when nothing is HALTED, and latched breakers (kill switch,
drawdown) only release through a reset.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from app.core.enums import BreakerState, Side
from app.risk.breakers import DAY_MS
from app.risk.limits import RiskLimits
from app.risk.manager import RiskManager
from tests.risk.helpers import D, make_ctx, make_intent

START = 19_676 * DAY_MS
HOUR = 3_600_000
LATCHED = ("kill_switch", "drawdown")


class BreakerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        limits = RiskLimits(
            daily_loss_pct=D(4),
            max_drawdown_pct=D(12),
            consecutive_losses=2,
            cooldown_minutes=90,
            max_order_notional=D(10**9),
            max_position_pct=D(100),
            duplicate_window_ms=0,
        )
        self.manager = RiskManager(limits)
        self.now = START
        self.latched = dict.fromkeys(LATCHED, False)
        self.manager.update_equity(D(10000), self.now)

    @rule(
        equity=st.decimals(min_value="7000", max_value="13000", places=0),
        hours=st.integers(0, 30),
    )
    def equity(self, equity: Decimal, hours: int) -> None:
        self.now += hours * HOUR
        for change in self.manager.update_equity(equity, self.now):
            self._note(change.breaker, change.new_state)

    @rule(strategy=st.sampled_from(["a", "b"]), pnl=st.integers(-10, 10), hours=st.integers(0, 3))
    def trade_closed(self, strategy: str, pnl: int, hours: int) -> None:
        self.now += hours * HOUR
        for change in self.manager.record_trade_closed(strategy, D(pnl), self.now):
            self._note(change.breaker, change.new_state)

    @rule()
    def kill(self) -> None:
        for change in self.manager.engage_kill_switch("test", self.now):
            self._note(change.breaker, change.new_state)
        self.latched["kill_switch"] = True

    @rule(name=st.sampled_from(["kill_switch", "drawdown", "daily_loss"]))
    def reset(self, name: str) -> None:
        for change in self.manager.reset(name, self.now):
            self._note(change.breaker, change.new_state, reset=name)
        if name in self.latched:
            self.latched[name] = False

    def _note(self, breaker: str, new_state: BreakerState, reset: str = "") -> None:
        if breaker in LATCHED and breaker != reset:
            # a latched breaker is only released by reset(), never by time or equity
            assert new_state is BreakerState.HALTED
            self.latched[breaker] = True

    @invariant()
    def latched_states_match(self) -> None:
        states = self.manager.states()
        for name in LATCHED:
            halted = states[name] is BreakerState.HALTED
            assert halted == self.latched[name]

    @invariant()
    def verdicts_agree_with_states(self) -> None:
        states = self.manager.states()
        halted = any(s is BreakerState.HALTED for s in states.values())
        event(" ".join(sorted(n for n, s in states.items() if s is not BreakerState.ACTIVE)))
        ctx = make_ctx(equity="100000", quote_free="100000", positions={"BTC/USDT": "1"})
        for strategy in ("a", "b"):
            entry = make_intent("0.01", strategy_id=strategy, timestamp=self.now)
            concerned = [
                states[name]
                for name in ("kill_switch", "drawdown", "daily_loss", f"strategy:{strategy}")
                if name in states
            ]
            expected = all(s is BreakerState.ACTIVE for s in concerned)
            assert self.manager.check(entry, ctx).approved == expected
            sell = make_intent("0.5", side=Side.SELL, strategy_id=strategy, timestamp=self.now)
            assert self.manager.check(sell, ctx).approved == (not halted)


BreakerMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=30, deadline=None)
TestBreakerMachine = BreakerMachine.TestCase
