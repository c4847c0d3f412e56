"""The kill switch closing positions on a venue that charges a buy's fee in the coin bought.

The whole engine in testnet mode (real ccxt against the emulator, a real SQLite file), driven
through :class:`~app.engine.facade.EngineFacade` as the UI drives it.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from decimal import Decimal

import pytest

from app.core.enums import OrderStatus, OrderType, Side
from tests.emulator.emulator import ExchangeEmulator
from tests.engine.engine_harness import PERMISSIVE_LIMITS
from tests.engine.order_fixtures import (
    SYMBOL,
    emulator,
    exchange_emulator,
    exchange_emulator_factory,
)
from tests.engine.test_partial_fills_cancel import running_engine, wait_for

__all__ = ["emulator", "exchange_emulator", "exchange_emulator_factory"]

D = Decimal
PLACE = "POST /api/v3/order"


def test_the_kill_switch_sells_what_the_account_received_and_leaves_the_dust(
    emulator: ExchangeEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.engine.exit_amount")
    emulator.set_fee_asset("received")
    facade = running_engine(emulator, replace(PERMISSIVE_LIMITS, close_positions_on_kill=True))
    try:
        bought = facade.place_order(SYMBOL, Side.BUY, OrderType.MARKET, D("0.0123")).result(30)
        assert bought.status is OrderStatus.FILLED
        wait_for(lambda: len(facade.fills()) == 1)
        (position,) = [p for p in facade.positions() if p.symbol == SYMBOL]
        assert position.quantity == D("0.0122877")

        facade.engage_kill_switch("test").result(30)
        wait_for(lambda: len(facade.fills()) == 2)
        (sell,) = [o for o in facade.orders() if o.side is Side.SELL]
        assert (sell.amount, sell.filled, sell.status) == (
            D("0.01228"),
            D("0.01228"),
            OrderStatus.FILLED,
        )
        (position,) = [p for p in facade.positions() if p.symbol == SYMBOL]
        assert position.quantity == D("0.0000077")
        assert sum(emulator.balance("BTC")) == D("0.5000077")

        facade.engage_kill_switch("pressed again").result(30)  # only dust left: no order
        assert emulator.calls(PLACE) == 2
        assert [o.status for o in emulator.snapshot().orders.values()] == ["FILLED"] * 2
        dust = [r.getMessage() for r in caplog.records if "left as dust" in r.getMessage()]
        assert dust == ["BTC/USDT: 0.00000770 BTC left as dust below the minimum order"] * 2
        assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    finally:
        facade.shutdown()
