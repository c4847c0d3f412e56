"""Balance comparison of reconciliation: what the store predicts versus what the venue holds.

The prediction is the last reconciled snapshot plus every fill recorded since: a buy adds the
base amount and pays price x amount in the quote, a sell the reverse, and each fee is paid in
its own currency.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.core.models import Balance, Fill
from app.core.money import ZERO


@dataclass(frozen=True, slots=True)
class BalanceDifference:
    """One currency whose exchange total differs from what the store predicts."""

    currency: str
    expected: Decimal
    actual: Decimal

    @property
    def difference(self) -> Decimal:
        """actual - expected."""
        return self.actual - self.expected

    @property
    def relative(self) -> Decimal:
        """|difference| as a share of the larger of the two totals."""
        base = max(abs(self.expected), abs(self.actual))
        return abs(self.difference) / base if base else ZERO


def expected_balances(start: Mapping[str, Balance], fills: Iterable[Fill]) -> dict[str, Decimal]:
    """Totals by currency after booking ``fills`` on top of the ``start`` balances.

    A buy adds the base amount and pays price x amount in the quote; a sell the reverse; the
    fee is paid in its own currency.
    """
    totals = {currency: balance.total for currency, balance in start.items()}
    for fill in fills:
        base, _, quote = fill.symbol.partition("/")
        sign = Decimal(fill.side.sign)
        totals[base] = totals.get(base, ZERO) + sign * fill.amount
        totals[quote] = totals.get(quote, ZERO) - sign * fill.amount * fill.price
        if fill.fee and fill.fee_currency:
            totals[fill.fee_currency] = totals.get(fill.fee_currency, ZERO) - fill.fee
    return totals


def explain_balances(
    start: Mapping[str, Balance],
    fills: Sequence[Fill],
    actual: Mapping[str, Balance],
    window_start: int,
    window_end: int,
) -> tuple[list[BalanceDifference], int]:
    """Differences between ``actual`` and ``start`` plus the fills the balance reflects.

    Fills before ``window_start`` are in the balance and fills after ``window_end`` are not;
    for those inside the window (the balance was read meanwhile, clocks differ) every
    chronological prefix is tried and the one that explains the balance best is kept.

    Returns:
        The remaining differences and the time up to which fills are accounted for (fills
        after it belong to the next comparison).
    """
    ordered = sorted(fills, key=lambda fill: (fill.timestamp, fill.trade_id))
    certain = [fill for fill in ordered if fill.timestamp < window_start]
    unsure = [fill for fill in ordered if window_start <= fill.timestamp <= window_end]
    best_score: Decimal | None = None
    best: tuple[list[BalanceDifference], int] = ([], window_start - 1)
    for taken in range(len(unsure) + 1):
        differences = compare_balances(expected_balances(start, certain + unsure[:taken]), actual)
        score = sum((difference.relative for difference in differences), ZERO)
        if best_score is None or score < best_score:
            covered = unsure[taken - 1].timestamp if taken else window_start - 1
            best_score, best = score, (differences, covered)
    return best


def compare_balances(
    expected: Mapping[str, Decimal], actual: Mapping[str, Balance]
) -> list[BalanceDifference]:
    """Currencies whose exchange total differs from the expected total, sorted by currency."""
    differences = []
    for currency in sorted(set(expected) | set(actual)):
        want = expected.get(currency, ZERO)
        have = actual[currency].total if currency in actual else ZERO
        if want != have:
            differences.append(BalanceDifference(currency, want, have))
    return differences
