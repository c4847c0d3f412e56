"""Fixtures of the exchange tests: a settable price source and a BTC/USDT market."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

import pytest

from app.core.models import Candle, Market

BTC_USDT = Market(
    symbol="BTC/USDT",
    base="BTC",
    quote="USDT",
    tick_size=Decimal("0.01"),
    step_size=Decimal("0.00001"),
    min_notional=Decimal(5),
    min_amount=Decimal("0.00001"),
    maker_fee=Decimal("0.001"),
    taker_fee=Decimal("0.001"),
)


class ManualClock:
    """A clock the test moves by hand."""

    def __init__(self, start_ms: int = 1_700_000_000_000) -> None:
        self.ms = start_ms

    def now_ms(self) -> int:
        return self.ms


class SettablePrices:
    """Market-data source whose last price the test sets (stands in for live prices)."""

    exchange_id = "prices"

    def __init__(self, markets: Sequence[Market], prices: Mapping[str, Decimal]) -> None:
        self.markets = {m.symbol: m for m in markets}
        self.prices = dict(prices)
        self.closed = False

    async def load_markets(self, reload: bool = False) -> Mapping[str, Market]:
        return self.markets

    async def fetch_ohlcv(
        self, symbol: str, timeframe: str, since: int | None = None, limit: int | None = None
    ) -> Sequence[Candle]:
        return []

    async def fetch_ticker(self, symbol: str) -> Decimal:
        return self.prices[symbol]

    async def watch_ticker(self, symbol: str) -> Decimal:
        return self.prices[symbol]

    async def close(self) -> None:
        self.closed = True


@pytest.fixture()
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture()
def prices() -> SettablePrices:
    return SettablePrices([BTC_USDT], {"BTC/USDT": Decimal(30000)})
