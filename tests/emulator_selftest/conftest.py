"""Fixtures of the emulator self-tests: the emulator plus real ccxt clients connected to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import ccxt.async_support as ccxt_async
import ccxt.pro as ccxt_pro
import pytest

from tests.emulator import fixtures as emulator_fixtures
from tests.emulator.emulator import ExchangeEmulator

exchange_emulator_factory = emulator_fixtures.exchange_emulator_factory
exchange_emulator = emulator_fixtures.exchange_emulator


@pytest.fixture()
async def client(exchange_emulator: ExchangeEmulator) -> AsyncIterator[Any]:
    """ccxt.async_support.binance connected to the emulator, markets loaded."""
    exchange = ccxt_async.binance(exchange_emulator.ccxt_config())
    await exchange.load_markets()
    exchange_emulator.reset_counters()
    try:
        yield exchange
    finally:
        await exchange.close()


@pytest.fixture()
async def pro_client(exchange_emulator: ExchangeEmulator) -> AsyncIterator[Any]:
    """ccxt.pro.binance connected to the emulator (REST and websocket), markets loaded."""
    exchange = ccxt_pro.binance(exchange_emulator.ccxt_config())
    await exchange.load_markets()
    exchange_emulator.reset_counters()
    try:
        yield exchange
    finally:
        await exchange.close()
