"""ccxt market dicts -> Market with Decimal tick/step/min-notional."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.core.errors import BadExchangeReply
from app.exchange.markets import market_from_ccxt, markets_from_ccxt

BINANCE_BTC = {
    "symbol": "BTC/USDT",
    "base": "BTC",
    "quote": "USDT",
    "spot": True,
    "active": True,
    "precision": {"price": 0.01, "amount": 1e-05},
    "limits": {"amount": {"min": 1e-05, "max": 9000.0}, "cost": {"min": 5.0}},
    "maker": 0.001,
    "taker": 0.001,
}


def test_tick_size_mode_gives_exact_decimals() -> None:
    market = market_from_ccxt(BINANCE_BTC, precision_mode=4)
    assert market.tick_size == Decimal("0.01")
    assert market.step_size == Decimal("0.00001")
    assert market.min_notional == Decimal(5)
    assert market.min_amount == Decimal("0.00001")
    assert market.max_amount == Decimal(9000)
    assert market.round_amount(Decimal("0.123456789")) == Decimal("0.12345")


def test_decimal_places_mode_becomes_an_increment() -> None:
    raw = dict(BINANCE_BTC, precision={"price": 1, "amount": 8}, maker=None, taker=None)
    market = market_from_ccxt(raw, precision_mode=2)
    assert market.tick_size == Decimal("0.1")
    assert market.step_size == Decimal("1E-8")
    assert market.maker_fee == Decimal("0.001")


def test_non_spot_markets_are_skipped_and_garbage_is_reported() -> None:
    markets = markets_from_ccxt(
        {"BTC/USDT": BINANCE_BTC, "BTC/USDT:USDT": dict(BINANCE_BTC, spot=False)}, 4
    )
    assert list(markets) == ["BTC/USDT"]
    with pytest.raises(BadExchangeReply):
        market_from_ccxt(dict(BINANCE_BTC, limits={"cost": {"min": "lots"}}), 4)
