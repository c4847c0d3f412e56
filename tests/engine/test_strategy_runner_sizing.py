"""Sizing mappings of strategy specs become the risk package's sizers, with clear refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.core.errors import ConfigError
from app.core.models import Market
from app.engine.sizing_spec import sizer_from_spec
from app.risk.sizing import (
    FixedQuantity,
    FixedQuote,
    FractionalKelly,
    PercentOfEquity,
    SizingContext,
    VolatilitySizer,
)

MARKET = Market("BTC/USDT", "BTC", "USDT", Decimal("0.01"), Decimal("0.001"), Decimal(5))


def test_every_kind_builds_its_sizer_with_exact_decimals() -> None:
    assert sizer_from_spec({"kind": "fixed_quantity", "qty": "0.1"}) == FixedQuantity(
        Decimal("0.1")
    )
    assert sizer_from_spec({"kind": "fixed_quote", "amount": 250}) == FixedQuote(Decimal(250))
    assert sizer_from_spec({"kind": "percent_of_equity", "pct": 0.5}) == PercentOfEquity(
        Decimal("0.5")
    )
    assert sizer_from_spec({"kind": "volatility"}) == VolatilitySizer(Decimal(1), Decimal(2))
    kelly = sizer_from_spec({"kind": "kelly", "fraction": "0.25", "min_trades": 5})
    assert isinstance(kelly, FractionalKelly)
    assert (kelly.fraction, kelly.min_trades) == (Decimal("0.25"), 5)


def test_percent_of_equity_sizes_from_equity_and_price() -> None:
    sizer = sizer_from_spec({"kind": "percent_of_equity", "pct": "10"})
    ctx = SizingContext(equity=Decimal(10_000), price=Decimal(20_000), market=MARKET)
    assert sizer.size(ctx) == Decimal("0.05")


@pytest.mark.parametrize(
    ("sizing", "message"),
    [
        ({}, "sizing.kind: must be one of"),
        ({"kind": "fixed_quantity", "qty": "-1"}, "sizing.qty: must be greater than 0"),
        ({"kind": "fixed_quote", "qty": "1"}, "qty not known for kind 'fixed_quote'"),
        ({"kind": "percent_of_equity", "pct": "abc"}, "sizing.pct: 'abc' is not a number"),
        ({"kind": "kelly", "min_trades": "x"}, "sizing.min_trades: must be a whole number"),
    ],
)
def test_bad_sizing_names_the_field(sizing: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        sizer_from_spec(sizing)
    assert message in str(raised.value)
