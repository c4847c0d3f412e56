"""Balance prediction: snapshot + recorded fills; fills read during the balance call resolved."""

from __future__ import annotations

from decimal import Decimal

from app.core.enums import Side
from app.core.models import Balance, Fill
from app.engine.reconciliation_balances import (
    BalanceDifference,
    compare_balances,
    expected_balances,
    explain_balances,
)

D = Decimal
START = {"USDT": Balance("USDT", D(1000)), "BTC": Balance("BTC", D("0.5"), D("0.1"))}


def fill(n: int, side: Side, ts: int, fee: str = "0.3", currency: str = "USDT") -> Fill:
    return Fill(f"t{n}", f"cb-{n}", "BTC/USDT", side, D(30000), D("0.01"), D(fee), currency, ts)


def test_buys_and_sells_move_base_quote_and_fees() -> None:
    totals = expected_balances(
        START, [fill(1, Side.BUY, 1), fill(2, Side.SELL, 2, "0.0001", "BTC")]
    )
    assert totals == {"USDT": D(1000) - D("0.3"), "BTC": D("0.6") - D("0.0001")}


def test_differences_are_listed_with_their_share() -> None:
    actual = {"USDT": Balance("USDT", D(999)), "ETH": Balance("ETH", D(1))}
    differences = compare_balances({"USDT": D(1000), "BTC": D(0)}, actual)
    assert differences == [
        BalanceDifference("ETH", D(0), D(1)),
        BalanceDifference("USDT", D(1000), D(999)),
    ]
    assert differences[1].relative == D("0.001")


def test_a_fill_made_while_the_balance_was_read_is_resolved_either_way() -> None:
    fills = [fill(1, Side.BUY, 100), fill(2, Side.BUY, 5_000)]
    without_second = {
        currency: Balance(currency, total)
        for currency, total in expected_balances(START, fills[:1]).items()
    }
    differences, covered = explain_balances(START, fills, without_second, 4_000, 6_000)
    assert differences == []
    assert covered == 3_999  # the second fill belongs to the next comparison
    with_both = {
        currency: Balance(currency, total)
        for currency, total in expected_balances(START, fills).items()
    }
    differences, covered = explain_balances(START, fills, with_both, 4_000, 6_000)
    assert differences == []
    assert covered == 5_000


def test_an_unexplained_change_remains_a_difference() -> None:
    actual = {"USDT": Balance("USDT", D(900)), "BTC": Balance("BTC", D("0.6"))}
    differences, covered = explain_balances(START, [], actual, 10, 20)
    assert differences == [BalanceDifference("USDT", D(1000), D(900))]
    assert covered == 9
