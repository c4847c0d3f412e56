"""Portfolio accounting: hand-computed Decimal expectations for every position transition."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.core.enums import Side
from app.core.models import Fill
from app.engine.portfolio import Portfolio

D = Decimal


def fill(side: Side, amount: str, price: str, fee: str = "0", fee_ccy: str = "USDT") -> Fill:
    return Fill(
        trade_id=f"t-{side}-{amount}-{price}",
        client_order_id="cb-x",
        symbol="BTC/USDT",
        side=side,
        price=D(price),
        amount=D(amount),
        fee=D(fee),
        fee_currency=fee_ccy,
        timestamp=0,
    )


def test_buys_average_the_entry_and_pay_fees_in_quote() -> None:
    book = Portfolio("USDT", cash=D("10000"))
    book.apply_fill(fill(Side.BUY, "0.1", "30000", fee="3"))
    position = book.apply_fill(fill(Side.BUY, "0.3", "34000", fee="10.2"))
    assert position.quantity == D("0.4")
    # (0.1 * 30000 + 0.3 * 34000) / 0.4 = 13200 / 0.4 = 33000
    assert position.average_entry == D("33000")
    assert book.cash == D("10000") - D("3000") - D("3") - D("10200") - D("10.2")
    assert book.fees_paid == D("13.2")


def test_partial_sell_realises_at_average_entry() -> None:
    book = Portfolio("USDT", cash=D("10000"))
    book.apply_fill(fill(Side.BUY, "0.4", "33000"))
    position = book.apply_fill(fill(Side.SELL, "0.1", "35000", fee="3.5"))
    assert position.quantity == D("0.3")
    assert position.average_entry == D("33000")
    assert position.realised_pnl == D("200")  # (35000 - 33000) * 0.1
    snap = book.snapshot({"BTC/USDT": D("36000")})
    assert snap.unrealised_pnl == D("900")  # (36000 - 33000) * 0.3
    # cash = 10000 - 13200 + 3500 - 3.5 ; equity = cash + 0.3 * 36000
    assert snap.cash == D("296.5")
    assert snap.equity == D("296.5") + D("10800")


def test_selling_through_zero_opens_a_short_at_the_fill_price() -> None:
    book = Portfolio("USDT", cash=D("0"))
    book.apply_fill(fill(Side.BUY, "1", "100"))
    position = book.apply_fill(fill(Side.SELL, "3", "110"))
    assert position.quantity == D("-2")
    assert position.average_entry == D("110")
    assert position.realised_pnl == D("10")
    covered = book.apply_fill(fill(Side.BUY, "2", "100"))
    assert covered.is_flat
    assert covered.realised_pnl == D("30")  # 10 + (110 - 100) * 2
    assert book.cash == D("30")  # -100 + 330 - 200


def test_fee_in_base_currency_reduces_quantity_received() -> None:
    book = Portfolio("USDT", cash=D("1000"))
    position = book.apply_fill(fill(Side.BUY, "1", "100", fee="0.001", fee_ccy="BTC"))
    assert position.quantity == D("0.999")
    assert book.cash == D("900")
    assert book.fees_paid == D("0.100")


def test_fee_in_a_third_coin_books_the_trade_and_sums_the_fee_apart() -> None:
    # Binance with "pay fees with BNB": the account receives the whole amount and pays the
    # whole notional; the fee comes out of its BNB.
    book = Portfolio("USDT", cash=D("1000"))
    position = book.apply_fill(fill(Side.BUY, "1", "100", fee="0.0002", fee_ccy="BNB"))
    assert position.quantity == D("1")
    assert book.cash == D("900")
    sold = book.apply_fill(fill(Side.SELL, "1", "110", fee="0.0003", fee_ccy="BNB"))
    assert sold.is_flat and sold.realised_pnl == D("10")
    assert book.cash == D("1010")
    assert book.fees_paid == D("0")
    assert book.fees_in_other_coins == {"BNB": D("0.0005")}
    restored = Portfolio("USDT", cash=D("1000"))
    restored.replay(
        [
            fill(Side.BUY, "1", "100", fee="0.0002", fee_ccy="BNB"),
            fill(Side.SELL, "1", "110", fee="0.0003", fee_ccy="BNB"),
        ]
    )
    assert restored.cash == book.cash and restored.fees_in_other_coins == book.fees_in_other_coins


prices = st.decimals(min_value="0.01", max_value="100000", places=2)
amounts = st.decimals(min_value="0.001", max_value="10", places=3)


@given(st.lists(st.tuples(st.sampled_from([Side.BUY, Side.SELL]), amounts, prices), max_size=30))
def test_equity_equals_initial_cash_plus_total_pnl(
    trades: list[tuple[Side, Decimal, Decimal]],
) -> None:
    """Conservation: equity = initial cash + realised + unrealised - fees, at any mark.

    Averaging entries divides, so Decimal's 28 significant digits round far below a cent; the
    identity must hold to 1e-12 quote units.
    """
    book = Portfolio("USDT", cash=D("50000"))
    for n, (side, amount, price) in enumerate(trades):
        fee = (amount * price * D("0.001")).quantize(D("0.00000001"))
        book.apply_fill(
            Fill(f"t{n}", "c", "BTC/USDT", side, price, amount, fee, "USDT", timestamp=n)
        )
    mark = D("12345.67")
    snap = book.snapshot({"BTC/USDT": mark})
    expected = D("50000") + snap.realised_pnl + snap.unrealised_pnl - snap.fees_paid
    assert abs(snap.equity - expected) < D("1e-12")
