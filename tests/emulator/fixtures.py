"""Pytest fixtures of the exchange emulator.

Use them from another test package's ``conftest.py``::

    from tests.emulator.fixtures import exchange_emulator, exchange_emulator_factory  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.conftest import shared_data_dir
from tests.emulator.emulator import ExchangeEmulator

EmulatorFactory = Callable[..., ExchangeEmulator]


@pytest.fixture()
def exchange_emulator_factory() -> Iterator[EmulatorFactory]:
    """Start emulators with custom settings; all are stopped after the test.

    The factory takes :class:`ExchangeEmulator`'s keyword arguments; ``data_dir`` defaults to
    the shared candle folder (pass ``data_dir=None`` for an emulator without candles).
    """
    started: list[ExchangeEmulator] = []

    def make(**kwargs: Any) -> ExchangeEmulator:
        kwargs.setdefault("data_dir", shared_data_dir())
        emulator = ExchangeEmulator(**kwargs).start()
        started.append(emulator)
        return emulator

    yield make
    for emulator in started:
        emulator.stop()


@pytest.fixture()
def exchange_emulator(exchange_emulator_factory: EmulatorFactory) -> ExchangeEmulator:
    """A running emulator with the default markets, balances and real candles."""
    return exchange_emulator_factory()
