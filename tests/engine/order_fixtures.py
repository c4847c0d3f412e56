"""Fixtures of the order-path tests: a migrated SQLite file, ccxt on the emulator, the path.

Test modules import the fixtures they use from here (with the emulator's)::

    from tests.engine.order_fixtures import database, order_path, ...  # noqa: F401
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.events import Event
from app.engine.bus import EventBus
from app.engine.exchange_breaker import ExchangeCircuitBreaker
from app.engine.order_path import OrderPath, build_order_path
from app.engine.portfolio import Portfolio
from app.exchange.ccxt_adapter import CcxtExchange
from app.exchange.retry import RetryPolicy
from app.observability.metrics import MetricsRegistry
from app.storage.database import Database
from tests.emulator import fixtures as emulator_fixtures
from tests.emulator.emulator import ExchangeEmulator

exchange_emulator = emulator_fixtures.exchange_emulator
exchange_emulator_factory = emulator_fixtures.exchange_emulator_factory

VENUE = "binance:test"
SYMBOL = "BTC/USDT"
REQUEST_TIMEOUT_MS = 600


async def no_sleep(_seconds: float) -> None:
    """Retry back-off that only yields to the loop (keeps the tests fast)."""
    await asyncio.sleep(0)


def make_database(path: Path) -> Database:
    """A migrated SQLite database in ``path``."""
    database = Database(f"sqlite:///{path}")
    database.migrate()
    return database


def make_exchange(emulator: ExchangeEmulator, **kwargs: Any) -> CcxtExchange:
    """CcxtExchange against the emulator with quick timeouts and no back-off waits."""
    kwargs.setdefault("retry_policy", RetryPolicy(attempts=3, max_retry_after=300.0))
    kwargs.setdefault("sleep", no_sleep)
    kwargs.setdefault("lookup_delay", 0.0)
    kwargs.setdefault("use_websocket", False)
    config = emulator.ccxt_config(timeout=REQUEST_TIMEOUT_MS)
    return CcxtExchange("binance", config, **kwargs)


class EventLog:
    """Collects every event published on a bus."""

    def __init__(self, bus: EventBus) -> None:
        self.events: list[Event] = []
        bus.subscribe(Event, self.events.append)

    def of(self, kind: type[Event]) -> list[Any]:
        """Events of one type, oldest first."""
        return [event for event in self.events if isinstance(event, kind)]


@pytest.fixture()
def database(tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLite file in the test's folder."""
    db = make_database(tmp_path / "cryptobot.db")
    yield db
    db.dispose()


@pytest.fixture()
def emulator(exchange_emulator: ExchangeEmulator) -> ExchangeEmulator:
    """The emulator with BTC/USDT pinned at 30000."""
    exchange_emulator.set_price(SYMBOL, "30000")
    return exchange_emulator


PathFactory = Callable[..., OrderPath]


@pytest.fixture()
async def make_path(emulator: ExchangeEmulator, database: Database) -> AsyncIterator[PathFactory]:
    """Build order paths (fresh exchange client, bus, portfolio) over the test database."""
    made: list[OrderPath] = []

    def make(**kwargs: Any) -> OrderPath:
        exchange = make_exchange(emulator, **kwargs.pop("exchange_kwargs", {}))
        metrics = MetricsRegistry()
        bus = EventBus()
        breaker = kwargs.pop("breaker", None) or ExchangeCircuitBreaker(
            "binance", bus.publish, metrics=metrics
        )
        path = build_order_path(
            exchange,
            kwargs.pop("database", database),
            VENUE,
            bus=bus,
            portfolio=Portfolio("USDT"),
            symbols=(SYMBOL,),
            metrics=metrics,
            breaker=breaker,
            **kwargs,
        )
        made.append(path)
        return path

    yield make
    for path in made:
        path.close()
        await path.tracker.exchange.close()


@pytest.fixture()
async def path(make_path: PathFactory) -> OrderPath:
    """An order path that has loaded the store and reconciled once."""
    order_path = make_path()
    await order_path.start()
    return order_path
