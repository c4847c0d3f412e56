"""The emulator's matching and accounting, driven directly (no network): deterministic fills
and conservation of every asset."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.money import ZERO
from tests.emulator.errors import BinanceError
from tests.emulator.markets import DEFAULT_MARKETS
from tests.emulator.orders import NewOrder
from tests.emulator.venue import Venue

FEE = Decimal("0.001")
START = {"USDT": Decimal(100000), "BTC": Decimal(2)}


def _venue() -> Venue:
    venue = Venue(list(DEFAULT_MARKETS), dict(START), FEE, clock=lambda: 1_700_000_000_000)
    venue.set_price("BTCUSDT", Decimal(30000))
    return venue


def _limit(side: str, qty: str, price: str, client_id: str | None = None) -> NewOrder:
    return NewOrder(
        "BTCUSDT",
        side,
        "LIMIT",
        Decimal(qty),
        price=Decimal(price),
        time_in_force="GTC",
        client_order_id=client_id,
    )


def test_resting_orders_fill_oldest_first_at_their_limit_price() -> None:
    venue = _venue()
    first, _ = venue.place(_limit("BUY", "0.1", "29000"))
    second, _ = venue.place(_limit("BUY", "0.1", "29500"))
    trades = venue.set_price("BTCUSDT", Decimal(28000))
    assert [(t.order_id, t.price, t.is_maker) for t in trades] == [
        (first.order_id, Decimal(29000), True),
        (second.order_id, Decimal(29500), True),
    ]
    assert [t.commission for t in trades] == [Decimal("2.90000000"), Decimal("2.95000000")]
    assert venue.ledger.free("USDT") == Decimal(100000) - Decimal(5850) - Decimal("5.85")
    assert venue.ledger.free("BTC") == Decimal("2.2")


def test_marketable_limit_fills_at_the_current_price_as_taker() -> None:
    venue = _venue()
    order, trades = venue.place(_limit("SELL", "0.5", "29000"))
    assert order.status == "FILLED"
    assert [(t.price, t.is_maker) for t in trades] == [(Decimal(30000), False)]
    assert venue.ledger.free("USDT") == Decimal(100000) + Decimal(15000) - Decimal(15)


def test_ioc_that_does_not_cross_expires_and_releases_the_reservation() -> None:
    venue = _venue()
    request = NewOrder(
        "BTCUSDT", "BUY", "LIMIT", Decimal("0.1"), price=Decimal(29000), time_in_force="IOC"
    )
    order, trades = venue.place(request)
    assert (order.status, trades) == ("EXPIRED", [])
    assert venue.ledger.snapshot()["USDT"] == (Decimal(100000), ZERO)


def test_limit_maker_that_would_take_is_rejected() -> None:
    venue = _venue()
    with pytest.raises(BinanceError) as raised:
        venue.place(NewOrder("BTCUSDT", "BUY", "LIMIT_MAKER", Decimal("0.1"), price=Decimal(31000)))
    assert (raised.value.code, raised.value.msg) == (
        -2010,
        "Order would immediately match and take.",
    )


def test_market_buy_by_quote_amount_rounds_the_quantity_down() -> None:
    venue = _venue()
    request = NewOrder("BTCUSDT", "BUY", "MARKET", quote_order_qty=Decimal(100))
    order, trades = venue.place(request)
    assert order.executed_qty == Decimal("0.00333")
    assert trades[0].quote_qty == Decimal("99.90000")


def test_take_profit_sell_triggers_on_the_way_up() -> None:
    venue = _venue()
    request = NewOrder("BTCUSDT", "SELL", "TAKE_PROFIT", Decimal("0.1"), stop_price=Decimal(31000))
    order, _ = venue.place(request)
    assert venue.set_price("BTCUSDT", Decimal(30500)) == []
    [trade] = venue.set_price("BTCUSDT", Decimal(31200))
    assert (trade.order_id, trade.price) == (order.order_id, Decimal(31200))


def test_lookup_by_client_id_must_match_the_symbol() -> None:
    venue = _venue()
    venue.place(_limit("BUY", "0.1", "29000", client_id="cb-1"))
    assert venue.find("BTCUSDT", None, "cb-1").client_order_id == "cb-1"
    with pytest.raises(BinanceError, match="-2013"):
        venue.find("ETHUSDT", None, "cb-1")


action = st.one_of(
    st.tuples(
        st.just("order"),
        st.sampled_from(["BUY", "SELL"]),
        st.integers(min_value=1, max_value=50),  # quantity in 0.001 BTC
        st.integers(min_value=25000, max_value=35000),  # limit price
    ),
    st.tuples(st.just("price"), st.integers(min_value=25000, max_value=35000)),
    st.tuples(st.just("cancel"), st.integers(min_value=1, max_value=40)),
    st.tuples(st.just("cap"), st.integers(min_value=0, max_value=30)),  # 0: no cap
)


@settings(max_examples=80, deadline=None)
@given(st.lists(action, max_size=40))
def test_assets_are_conserved_through_any_sequence(actions: list[tuple[object, ...]]) -> None:
    venue = _venue()
    for step in actions:
        try:
            if step[0] == "order":
                _, side, qty, price = step
                venue.place(_limit(str(side), f"0.{int(str(qty)):03d}", str(price)))
            elif step[0] == "price":
                venue.set_price("BTCUSDT", Decimal(int(str(step[1]))))
            elif step[0] == "cap":
                cap = int(str(step[1]))
                venue.fill_limits.pop("BTCUSDT", None)
                if cap:
                    venue.fill_limits["BTCUSDT"] = Decimal(cap) / 1000
            else:
                venue.cancel("BTCUSDT", int(str(step[1])), None)
        except BinanceError as exc:
            assert exc.code in (-2010, -2011)
    bought = sum((t.qty for t in venue.trades if t.side == "BUY"), ZERO)
    sold = sum((t.qty for t in venue.trades if t.side == "SELL"), ZERO)
    spent = sum((t.quote_qty + t.commission for t in venue.trades if t.side == "BUY"), ZERO)
    earned = sum((t.quote_qty - t.commission for t in venue.trades if t.side == "SELL"), ZERO)
    balances = venue.ledger.snapshot()
    assert sum(balances["BTC"]) == START["BTC"] + bought - sold
    assert sum(balances["USDT"]) == START["USDT"] - spent + earned
    open_orders = venue.open_orders()
    assert balances["BTC"][1] == sum((o.locked for o in open_orders if o.side == "SELL"), ZERO)
    assert balances["USDT"][1] == sum((o.locked for o in open_orders if o.side == "BUY"), ZERO)
    assert all(value >= 0 for pair in balances.values() for value in pair)
    for order in venue.orders.values():
        fills = [t for t in venue.trades if t.order_id == order.order_id]
        assert order.executed_qty == sum((t.qty for t in fills), ZERO)
        assert (order.status == "FILLED") == (order.executed_qty == order.quantity)


def test_fill_limit_makes_partial_fills_and_keeps_the_order_resting() -> None:
    venue = _venue()
    venue.fill_limits["BTCUSDT"] = Decimal("0.04")
    order, _ = venue.place(_limit("BUY", "0.1", "29000"))
    first = venue.set_price("BTCUSDT", Decimal(28900))
    assert [t.qty for t in first] == [Decimal("0.04")]
    assert venue.orders[order.order_id].status == "PARTIALLY_FILLED"
    assert venue.ledger.locked("USDT") == Decimal("0.06") * Decimal(29000) * Decimal("1.001")
    venue.set_price("BTCUSDT", Decimal(28800))
    venue.set_price("BTCUSDT", Decimal(28700))
    filled = venue.orders[order.order_id]
    assert (filled.status, filled.executed_qty) == ("FILLED", Decimal("0.10"))
    assert venue.ledger.locked("USDT") == 0
    assert venue.ledger.free("BTC") == Decimal("2.10")


def test_market_remainder_beyond_the_fill_limit_expires() -> None:
    venue = _venue()
    venue.fill_limits["BTCUSDT"] = Decimal("0.3")
    order, trades = venue.place(NewOrder("BTCUSDT", "SELL", "MARKET", Decimal("0.5")))
    assert (order.status, order.executed_qty) == ("EXPIRED", Decimal("0.3"))
    assert [t.qty for t in trades] == [Decimal("0.3")]
    assert venue.ledger.snapshot()["BTC"] == (Decimal("1.7"), Decimal(0))


def test_fok_that_cannot_fill_completely_expires_untouched() -> None:
    venue = _venue()
    venue.fill_limits["BTCUSDT"] = Decimal("0.3")
    request = NewOrder(
        "BTCUSDT", "BUY", "LIMIT", Decimal("0.5"), price=Decimal(31000), time_in_force="FOK"
    )
    order, trades = venue.place(request)
    assert (order.status, trades) == ("EXPIRED", [])
    assert venue.ledger.snapshot()["USDT"] == (Decimal(100000), Decimal(0))
