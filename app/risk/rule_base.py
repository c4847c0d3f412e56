"""What every pre-trade rule shares: its outcome, the precomputed state and the protocol.

:class:`RuleState` holds the limits in the form the hot path wants (fractions, not percents)
plus the submission history the rate limit and the duplicate guard consult.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from app.core.enums import RiskVerdict, Side
from app.risk.context import OrderIntent, RiskContext
from app.risk.limits import RiskLimits

_HUNDRED = Decimal(100)
RATE_WINDOW_MS = 1000
"""Width of the order-rate window (ms)."""

DuplicateKey = tuple[str, Side, Decimal, Decimal | None]


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """What one rule decided: ``amount`` is the new quantity for a resize, else ``None``."""

    verdict: RiskVerdict
    reason: str = ""
    amount: Decimal | None = None


APPROVED = RuleOutcome(RiskVerdict.APPROVE)
"""The shared outcome of a rule that simply approves (compare with ``is``)."""


def reject(reason: str) -> RuleOutcome:
    """A rejecting outcome with ``reason``."""
    return RuleOutcome(RiskVerdict.REJECT, reason)


def resize(amount: Decimal, reason: str) -> RuleOutcome:
    """A resizing outcome to ``amount`` (rejects instead when nothing is left)."""
    if amount <= 0:
        return RuleOutcome(RiskVerdict.REJECT, reason)
    return RuleOutcome(RiskVerdict.RESIZE, reason, amount)


class RuleState:
    """Limits precomputed for the hot path plus the submission history the rules consult."""

    __slots__ = (
        "duplicate_window_ms",
        "limits",
        "max_exposure_fraction",
        "max_open_orders",
        "max_order_notional",
        "max_orders_per_second",
        "max_position_fraction",
        "price_band_fraction",
        "recent_orders",
        "submissions",
    )

    def __init__(self, limits: RiskLimits) -> None:
        """Prepare the state for ``limits`` with an empty submission history."""
        self.submissions: deque[int] = deque()
        self.recent_orders: dict[DuplicateKey, int] = {}
        self.apply(limits)

    def apply(self, limits: RiskLimits) -> None:
        """Switch to new limits, keeping the submission history.

        Args:
            limits: validated risk limits.
        """
        self.limits = limits
        self.max_order_notional = limits.max_order_notional
        self.max_position_fraction = limits.max_position_pct / _HUNDRED
        self.max_exposure_fraction = limits.max_total_exposure_pct / _HUNDRED
        self.max_open_orders = limits.max_open_orders
        self.price_band_fraction = limits.price_band_pct / _HUNDRED
        self.max_orders_per_second = limits.max_orders_per_second
        self.duplicate_window_ms = limits.duplicate_window_ms

    def record(self, intent: OrderIntent) -> None:
        """Remember a submitted order for the rate limit and the duplicate guard.

        Args:
            intent: the order as submitted (final amount).
        """
        now = intent.timestamp
        self.submissions.append(now)
        self._prune_submissions(now)
        recent = self.recent_orders
        cutoff = now - self.duplicate_window_ms
        if len(recent) > 64:
            for key in [k for k, ts in recent.items() if ts <= cutoff]:
                del recent[key]
        recent[duplicate_key(intent)] = now

    def _prune_submissions(self, now: int) -> None:
        submissions = self.submissions
        cutoff = now - RATE_WINDOW_MS
        while submissions and submissions[0] <= cutoff:
            submissions.popleft()


def duplicate_key(intent: OrderIntent) -> DuplicateKey:
    """The identity the duplicate guard compares: (symbol, side, amount, price)."""
    return (intent.symbol, intent.side, intent.amount, intent.price)


class PreTradeRule(Protocol):
    """One pre-trade check. ``name`` appears in every decision it produces."""

    name: str

    def evaluate(self, intent: OrderIntent, ctx: RiskContext, state: RuleState) -> RuleOutcome:
        """Approve, reject or resize ``intent`` against ``ctx`` and the precomputed ``state``."""
        ...
