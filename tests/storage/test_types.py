"""DecimalText: every Decimal survives a database round trip digit for digit; floats are refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from app.core.errors import StorageError
from app.core.models import Balance
from app.storage.database import Database
from app.storage.repositories import BalanceRepository


@pytest.mark.parametrize(
    "raw",
    [
        "0.10",
        "0.1",
        "1E-8",
        "0.00000001",
        "-0",
        "123456789012345678901234567890.123456789012345",
        "1E+3",
        "42",
        "-7.250",
    ],
)
def test_decimals_round_trip_exactly(database: Database, raw: str) -> None:
    repo = BalanceRepository(database)
    repo.set("binance:paper", [Balance("USDT", free=Decimal(raw), used=Decimal(raw))], 1)
    stored = repo.get("binance:paper")["USDT"]
    assert stored.free.as_tuple() == Decimal(raw).as_tuple()  # same digits, sign and exponent
    assert stored.used.as_tuple() == Decimal(raw).as_tuple()
    with database.session(readonly=True) as session:
        column = session.execute(text("SELECT free FROM balances")).scalar()
    assert column == str(Decimal(raw))  # TEXT, not REAL


def test_any_finite_decimal_round_trips(database: Database) -> None:
    repo = BalanceRepository(database)

    @settings(max_examples=30, deadline=None)
    @given(value=st.decimals(allow_nan=False, allow_infinity=False))
    def round_trip(value: Decimal) -> None:
        repo.set("v", [Balance("BTC", free=value)], 1)
        back = repo.get("v")["BTC"].free
        assert back.as_tuple() == value.as_tuple()

    round_trip()


@pytest.mark.parametrize("bad", [0.1, True, "0.1"])
def test_non_decimals_are_refused(database: Database, bad: object) -> None:
    repo = BalanceRepository(database)
    with pytest.raises(StorageError, match="DecimalText columns take Decimal values"):
        repo.set("v", [Balance("BTC", free=bad)], 1)  # type: ignore[arg-type]
    assert repo.get("v") == {}


def test_non_finite_decimals_are_refused(database: Database) -> None:
    with pytest.raises(StorageError, match="finite"):
        BalanceRepository(database).set("v", [Balance("BTC", free=Decimal("NaN"))], 1)
