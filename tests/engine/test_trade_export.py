"""Trade export: fills and round trips as CSV with exact Decimals and both time formats."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.enums import Side
from app.core.errors import StorageError
from app.core.models import Fill
from app.engine.portfolio import Portfolio
from app.engine.trade_export import (
    FILL_COLUMNS,
    iso_utc,
    round_trips,
    write_fills_csv,
    write_round_trips_csv,
)

D = Decimal
T0 = 1_704_067_200_000  # 2024-01-01T00:00:00Z


def fill(
    n: int, side: Side, amount: str, price: str, fee: str = "0", currency: str = "USDT"
) -> Fill:
    return Fill(
        trade_id=f"t{n}",
        client_order_id=f"cb-{n}",
        symbol="BTC/USDT",
        side=side,
        price=D(price),
        amount=D(amount),
        fee=D(fee),
        fee_currency=currency,
        timestamp=T0 + n * 1000 + 7,
        exchange_order_id=f"{100 + n}",
    )


def test_iso_utc_keeps_milliseconds() -> None:
    assert iso_utc(T0 + 1_234) == "2024-01-01T00:00:01.234Z"


def test_fills_csv_has_exact_decimals_and_both_timestamps(tmp_path: Path) -> None:
    target = tmp_path / "fills.csv"
    fills = [fill(1, Side.BUY, "0.10", "30000.10", "0.0030001"), fill(2, Side.SELL, "0.1", "31000")]
    assert write_fills_csv(fills, target) == 2
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == FILL_COLUMNS
    assert rows[0]["timestamp_ms"] == str(T0 + 1007)
    assert rows[0]["time_utc"] == "2024-01-01T00:00:01.007Z"
    assert rows[0]["amount"] == "0.10"
    assert rows[0]["price"] == "30000.10"
    assert rows[0]["notional"] == "3000.0100"
    assert rows[0]["fee"] == "0.0030001"
    assert rows[1]["side"] == "sell"
    assert rows[1]["exchange_order_id"] == "102"


def test_round_trip_long_with_scale_in_and_partial_exits() -> None:
    fills = [
        fill(1, Side.BUY, "1", "100", "0.1"),
        fill(2, Side.BUY, "1", "110", "0.11"),
        fill(3, Side.SELL, "0.5", "120", "0.06"),
        fill(4, Side.SELL, "1.5", "130", "0.195"),
    ]
    (trip,) = round_trips(fills)
    assert trip.direction is Side.BUY
    assert trip.quantity == D(2)
    assert trip.average_entry == D(105)
    assert trip.average_exit == D("127.5")
    assert trip.gross_pnl == D(45)
    assert trip.fees == D("0.465")
    assert trip.net_pnl == D("44.535")
    assert (trip.opened_at, trip.closed_at) == (fills[0].timestamp, fills[3].timestamp)


def test_a_fill_through_zero_closes_one_trip_and_opens_a_short() -> None:
    fills = [
        fill(1, Side.BUY, "1", "100", "0.2"),
        fill(2, Side.SELL, "3", "90", "0.3"),  # closes 1 long, opens 2 short
        fill(3, Side.BUY, "2", "80", "0"),
    ]
    long, short = round_trips(fills)
    assert long.gross_pnl == D(-10)
    assert long.fees == D("0.3")  # 0.2 entry + a third of the 0.3 fee
    assert short.direction is Side.SELL
    assert short.quantity == D(2)
    assert short.gross_pnl == D(20)
    assert short.fees == D("0.2")


def test_open_positions_are_not_round_trips_and_base_fees_are_valued() -> None:
    fills = [
        fill(1, Side.BUY, "1", "100", "0.001", currency="BTC"),
        fill(2, Side.SELL, "1", "100"),
        fill(3, Side.BUY, "1", "100"),
    ]
    (trip,) = round_trips(fills)
    assert trip.fees == D("0.1")
    buffer = io.StringIO()
    assert write_round_trips_csv(fills, buffer) == 1
    (row,) = csv.DictReader(io.StringIO(buffer.getvalue()))
    assert row["direction"] == "long"
    assert D(row["net_pnl"]) == D("-0.1")
    assert row["closed_utc"] == "2024-01-01T00:00:02.007Z"


def test_unwritable_target_names_the_file(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "fills.csv"
    with pytest.raises(StorageError, match=r"fills\.csv"):
        write_fills_csv([fill(1, Side.BUY, "1", "1")], target)


@st.composite
def flat_ending_fills(draw: st.DrawFn) -> list[Fill]:
    """A random sequence of fills in one symbol that ends flat (fees left out)."""
    steps = draw(st.lists(st.integers(-50, 50).filter(bool), min_size=1, max_size=25))
    fills: list[Fill] = []
    position = 0
    for n, step in enumerate([*steps, 0]):
        quantity = -position if n == len(steps) else step
        if quantity == 0:
            continue
        price = draw(st.integers(1, 100_000))
        side = Side.BUY if quantity > 0 else Side.SELL
        fills.append(
            Fill(
                f"t{n}",
                f"cb-{n}",
                "BTC/USDT",
                side,
                D(price) / 100,
                D(abs(quantity)) / 1000,
                D(0),
                "USDT",
                T0 + n,
            )
        )
        position += quantity
    return fills


@given(flat_ending_fills())
@settings(max_examples=150, deadline=None)
def test_round_trip_pnl_adds_up_to_the_portfolio_realised_pnl(fills: list[Fill]) -> None:
    portfolio = Portfolio("USDT")
    portfolio.replay(fills)
    realised = portfolio.position("BTC/USDT").realised_pnl
    total = sum((trip.gross_pnl for trip in round_trips(fills)), D(0))
    assert abs(total - realised) <= D("1e-12") * (1 + abs(realised))
