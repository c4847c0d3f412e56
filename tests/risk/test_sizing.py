"""Position sizers: hand-computed Decimal sizes, quantisation and exchange minimums."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.errors import ConfigError
from app.risk.limits import RiskLimits
from app.risk.sizing import (
    FixedQuantity,
    FixedQuote,
    FractionalKelly,
    PercentOfEquity,
    Sizer,
    SizingContext,
    VolatilitySizer,
    kelly_fraction,
)
from tests.risk.helpers import BTC, D


def sctx(
    equity: str = "10000",
    price: str = "20000",
    atr: str | None = None,
    returns: list[str] | None = None,
    market: object = BTC,
) -> SizingContext:
    return SizingContext(
        equity=D(equity),
        price=D(price),
        market=market,  # type: ignore[arg-type]
        atr=None if atr is None else D(atr),
        trade_returns=tuple(D(r) for r in returns or ()),
    )


def test_fixed_quantity_rounds_down_to_the_step() -> None:
    result = FixedQuantity(D("0.0125")).size(sctx())
    assert result == D("0.012")
    assert str(result) == "0.012"


def test_fixed_quantity_below_the_step_is_zero_with_a_reason() -> None:
    sized = FixedQuantity(D("0.0004")).size_with_reason(sctx())
    assert sized.amount == 0
    assert "step size 0.001" in sized.reason


def test_fixed_quantity_is_capped_at_the_market_maximum() -> None:
    market = replace(BTC, max_amount=D("0.05"))
    assert FixedQuantity(D(1)).size(sctx(market=market)) == D("0.05")


def test_fixed_quote_divides_by_price() -> None:
    assert FixedQuote(D(100)).size(sctx()) == D("0.005")


def test_fixed_quote_below_min_notional_is_zero() -> None:
    market = replace(BTC, step_size=D("0.0001"), min_amount=D(0))
    sized = FixedQuote(D("9.99")).size_with_reason(sctx(market=market))
    # 9.99 / 20000 = 0.0004995 -> 0.0004 BTC = 8 USDT < 10 USDT minimum notional
    assert sized.amount == 0
    assert "minimum notional 10" in sized.reason


def test_below_min_amount_is_zero() -> None:
    market = replace(BTC, min_amount=D("0.01"), min_notional=D(0))
    sized = FixedQuantity(D("0.009")).size_with_reason(sctx(market=market))
    assert sized.amount == 0
    assert "minimum amount 0.01" in sized.reason


def test_percent_of_equity() -> None:
    # 10 % of 10,000 = 1,000 USDT at 20,000 = 0.05 BTC
    assert PercentOfEquity(D(10)).size(sctx()) == D("0.05")


def test_percent_of_equity_with_odd_price_rounds_down() -> None:
    # 1,000 / 30,000 = 0.0333... -> 0.033
    assert PercentOfEquity(D(10)).size(sctx(price="30000")) == D("0.033")


def test_zero_price_gives_zero_with_reason() -> None:
    sized = PercentOfEquity(D(10)).size_with_reason(sctx(price="0"))
    assert sized.amount == 0
    assert "price" in sized.reason


@pytest.mark.parametrize(
    "build",
    [
        lambda: FixedQuantity(D(0)),
        lambda: FixedQuote(D(-1)),
        lambda: PercentOfEquity(D(0)),
        lambda: PercentOfEquity(D(101)),
        lambda: FractionalKelly(fraction=D("1.5")),
        lambda: FractionalKelly(min_trades=0),
        lambda: VolatilitySizer(D(1), D(0)),
    ],
)
def test_invalid_parameters_are_refused(build: object) -> None:
    with pytest.raises(ConfigError, match="sizing\\."):
        build()  # type: ignore[operator]


def test_kelly_fraction_formula() -> None:
    # W = 0.6, R = 0.02 / 0.01 = 2 -> 0.6 - 0.4 / 2 = 0.4
    returns = [D("0.02")] * 12 + [D("-0.01")] * 8
    assert kelly_fraction(returns) == D("0.4")


def test_kelly_fraction_ignores_break_even_trades() -> None:
    # W = 1/2, R = 2 -> 0.5 - 0.5 / 2 = 0.25
    assert kelly_fraction([D("0.02"), D(0), D("-0.01")]) == D("0.25")


def test_kelly_fraction_edge_cases() -> None:
    assert kelly_fraction([]) is None
    assert kelly_fraction([D(0), D(0)]) is None
    assert kelly_fraction([D("0.01")]) == 1
    assert kelly_fraction([D("-0.01")]) < 0


def test_fractional_kelly_sizes_from_history() -> None:
    returns = ["0.02"] * 12 + ["-0.01"] * 8
    # half Kelly of 0.4 = 20 % of 10,000 = 2,000 USDT at 20,000 = 0.1 BTC
    assert FractionalKelly().size(sctx(returns=returns)) == D("0.1")


def test_fractional_kelly_is_capped() -> None:
    returns = ["0.02"] * 12 + ["-0.01"] * 8
    # 20 % capped to 10 % -> 1,000 USDT -> 0.05 BTC
    assert FractionalKelly(cap_pct=D(10)).size(sctx(returns=returns)) == D("0.05")
    # no losses: Kelly 1 -> half = 50 % -> capped at 25 % -> 0.125 BTC
    assert FractionalKelly().size(sctx(returns=["0.01"] * 20)) == D("0.125")


def test_fractional_kelly_uses_base_until_the_sample_exists() -> None:
    returns = ["0.02"] * 11 + ["-0.01"] * 8  # 19 trades < 20
    # default base: 1 % of 10,000 = 100 USDT -> 0.005 BTC
    assert FractionalKelly().size(sctx(returns=returns)) == D("0.005")
    base = FixedQuantity(D("0.002"))
    assert FractionalKelly(base=base).size(sctx(returns=returns)) == D("0.002")


def test_fractional_kelly_without_edge_does_not_trade() -> None:
    returns = ["0.01"] * 10 + ["-0.02"] * 10  # W 0.5, R 0.5 -> Kelly -0.5
    sized = FractionalKelly().size_with_reason(sctx(returns=returns))
    assert sized.amount == 0
    assert "no edge" in sized.reason


def test_volatility_sizer_risks_the_given_share() -> None:
    # 1 % of 10,000 = 100 USDT risked; stop 2 x 500 = 1,000 USDT away -> 0.1 BTC
    assert VolatilitySizer(D(1), D(2)).size(sctx(atr="500")) == D("0.1")
    # 0.5 % -> 50 / (3 x 700) = 0.0238... -> 0.023
    assert VolatilitySizer(D("0.5"), D(3)).size(sctx(atr="700")) == D("0.023")


def test_volatility_sizer_needs_atr() -> None:
    sized = VolatilitySizer().size_with_reason(sctx(atr=None))
    assert sized.amount == 0
    assert "ATR" in sized.reason
    assert VolatilitySizer().size(sctx(atr="0")) == 0


def test_every_sizer_satisfies_the_protocol() -> None:
    sizers = [
        FixedQuantity(D(1)),
        FixedQuote(D(1)),
        PercentOfEquity(D(1)),
        FractionalKelly(),
        VolatilitySizer(),
    ]
    assert all(isinstance(s, Sizer) for s in sizers)


decimals = st.decimals(min_value="0.01", max_value="1000000", places=2, allow_nan=False)


@given(
    equity=decimals,
    price=decimals,
    pct=st.decimals(min_value="0.01", max_value="100", places=2),
    atr=decimals,
)
def test_sizes_are_always_tradeable_or_zero(
    equity: Decimal, price: Decimal, pct: Decimal, atr: Decimal
) -> None:
    ctx = SizingContext(equity=equity, price=price, market=BTC, atr=atr)
    for sizer in (PercentOfEquity(pct), VolatilitySizer(pct, D(2)), FixedQuote(equity)):
        amount = sizer.size(ctx)
        if amount == 0:
            continue
        assert amount % BTC.step_size == 0
        assert amount >= BTC.min_amount
        assert amount * price >= BTC.min_notional


def test_describe_names_each_sizer_for_reports() -> None:
    assert FixedQuantity(D("0.1")).describe() == "fixed 0.1"
    assert FixedQuote(D(50)).describe() == "50 quote per trade"
    assert PercentOfEquity(D(5)).describe() == "5 % of equity"
    assert FractionalKelly().describe() == "0.5 Kelly (cap 25 %, 20 trades)"
    assert VolatilitySizer(D(1), D(2)).describe() == "risk 1 % at 2 x ATR"


def test_volatility_sizer_from_limits_uses_risk_per_trade() -> None:
    sizer = VolatilitySizer.from_limits(RiskLimits(risk_per_trade_pct=D("0.5")), D(3))
    assert (sizer.risk_pct, sizer.atr_multiple) == (D("0.5"), D(3))
    # 0.5 % of 10,000 = 50 USDT over 3 x 250 = 750 -> 0.0666 -> 0.066
    assert sizer.size(sctx(atr="250")) == D("0.066")
