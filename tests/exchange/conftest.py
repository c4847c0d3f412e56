"""Fixtures of the exchange tests: the emulator, a settable price source, one shared venue."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from app.core.models import Candle, Market
from app.core.ports import ExchangePort
from app.exchange.ccxt_adapter import CcxtExchange
from app.exchange.paper import PaperExchange
from app.exchange.paper_ledger import InMemoryLedger
from app.exchange.retry import RetryPolicy
from tests.emulator import fixtures as emulator_fixtures
from tests.emulator.emulator import DEFAULT_BALANCES, ExchangeEmulator

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


exchange_emulator_factory = emulator_fixtures.exchange_emulator_factory
exchange_emulator = emulator_fixtures.exchange_emulator

REQUEST_TIMEOUT_MS = 1200  # generous for a loaded CI machine, still well under SLOW faults


class RecordingSleep:
    """Awaitable sleep that records the delays and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture()
def fake_sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture()
async def make_ccxt(
    exchange_emulator: ExchangeEmulator, fake_sleep: RecordingSleep
) -> AsyncIterator[Callable[..., CcxtExchange]]:
    """Build CcxtExchange instances against the emulator (closed after the test)."""
    made: list[CcxtExchange] = []

    def make(**kwargs: Any) -> CcxtExchange:
        kwargs.setdefault("retry_policy", RetryPolicy(attempts=3, max_retry_after=300.0))
        kwargs.setdefault("sleep", fake_sleep)
        kwargs.setdefault("lookup_delay", 0.0)
        config = exchange_emulator.ccxt_config(timeout=REQUEST_TIMEOUT_MS)
        exchange = CcxtExchange("binance", config, **kwargs)
        made.append(exchange)
        return exchange

    yield make
    for exchange in made:
        await exchange.close()


@dataclass
class Venue:
    """One ExchangePort under test plus a way to move its market price."""

    name: str
    exchange: ExchangePort
    move: Callable[[str], None]
    order_posts: Callable[[], int] = field(default=lambda: 0)


@pytest.fixture(params=["ccxt", "paper"])
async def venue(
    request: pytest.FixtureRequest,
    exchange_emulator: ExchangeEmulator,
    fake_sleep: RecordingSleep,
    clock: ManualClock,
) -> AsyncIterator[Venue]:
    """The same account (10000 USDT, 0.5 BTC, 5 ETH; BTC/USDT at 30000) on both ports."""
    if request.param == "ccxt":
        exchange = CcxtExchange(
            "binance",
            exchange_emulator.ccxt_config(timeout=REQUEST_TIMEOUT_MS),
            sleep=fake_sleep,
            lookup_delay=0.0,
        )
        exchange_emulator.set_price("BTC/USDT", "30000")
        await exchange.load_markets()
        exchange_emulator.reset_counters()

        def move(price: str) -> None:
            exchange_emulator.set_price("BTC/USDT", price)

        yield Venue("ccxt", exchange, move, lambda: exchange_emulator.calls("POST /api/v3/order"))
        await exchange.close()
        return
    prices = SettablePrices([BTC_USDT], {"BTC/USDT": Decimal(30000)})
    paper = PaperExchange(prices, InMemoryLedger(), clock, initial_balances=dict(DEFAULT_BALANCES))
    await paper.load_markets()

    def move_paper(price: str) -> None:
        prices.prices["BTC/USDT"] = Decimal(price)
        clock.ms += 1000
        paper.on_price("BTC/USDT", Decimal(price))

    yield Venue("paper", paper, move_paper)
    await paper.close()
