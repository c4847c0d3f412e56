"""Cancelling a partially filled order: the filled part stays, the rest is cancelled once.

The whole engine in testnet mode (real ccxt against the emulator, a real SQLite file), driven
through :class:`~app.engine.facade.EngineFacade` as the UI drives it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from decimal import Decimal

import pytest

from app.config.paths import resolve_paths
from app.core.enums import OrderStatus, OrderType, Side, TradingMode
from app.core.models import Order
from app.engine.builder import build_engine
from app.engine.facade import EngineFacade
from app.risk.limits import RiskLimits
from tests.emulator.emulator import ExchangeEmulator
from tests.engine.engine_harness import PERMISSIVE_LIMITS, offline_settings
from tests.engine.order_fixtures import (
    SYMBOL,
    emulator,
    exchange_emulator,
    exchange_emulator_factory,
    make_exchange,
)

__all__ = ["emulator", "exchange_emulator", "exchange_emulator_factory"]

D = Decimal
CANCEL = "DELETE /api/v3/order"


def wait_for(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def running_engine(
    emulator: ExchangeEmulator, limits: RiskLimits = PERMISSIVE_LIMITS
) -> EngineFacade:
    """A running testnet engine on the emulator that polls orders every 50 ms."""
    base = offline_settings(limits=limits)
    settings = replace(
        base, general=replace(base.general, mode=TradingMode.TESTNET, symbols=(SYMBOL,))
    )
    engine = build_engine(settings, resolve_paths(), exchange=make_exchange(emulator))
    engine._engine.parts.poll_interval = 0.05
    engine.start().result(30)
    return engine


@pytest.fixture()
def facade(emulator: ExchangeEmulator) -> Iterator[EngineFacade]:
    """A running testnet engine with permissive limits."""
    engine = running_engine(emulator)
    yield engine
    engine.shutdown()


def ui_order(facade: EngineFacade, client_order_id: str) -> Order:
    (order,) = [o for o in facade.orders() if o.client_order_id == client_order_id]
    return order


def partially_filled(facade: EngineFacade, emulator: ExchangeEmulator) -> Order:
    """A limit buy of 0.01 at 29990.5 with 0.004 filled (two pieces) and seen by the engine."""
    emulator.set_fill_limit(SYMBOL, "0.002")
    placed = facade.place_order(SYMBOL, Side.BUY, OrderType.LIMIT, D("0.01"), D("29990.5"))
    order = placed.result(30)
    assert order.status is OrderStatus.OPEN
    emulator.set_price(SYMBOL, "29990")
    emulator.set_price(SYMBOL, "29985")
    wait_for(lambda: ui_order(facade, order.client_order_id).filled == D("0.004"))
    wait_for(lambda: len(facade.fills()) == 2)
    seen = ui_order(facade, order.client_order_id)
    assert seen.status is OrderStatus.PARTIALLY_FILLED
    return seen


def assert_cancelled_with_filled_part(
    facade: EngineFacade, emulator: ExchangeEmulator, order: Order
) -> None:
    coid = order.client_order_id
    wait_for(lambda: ui_order(facade, coid).status is OrderStatus.CANCELED)
    shown = ui_order(facade, coid)
    assert (shown.filled, shown.remaining) == (D("0.004"), D("0.006"))
    assert shown.average_price == D("29990.5")
    assert shown.fee == sum((t.commission for t in emulator.snapshot().trades), D(0))
    assert emulator.order(coid).status == "CANCELED"
    assert emulator.balance("USDT")[1] == 0  # the remainder's reservation is released
    assert [f.amount for f in facade.fills()] == [D("0.002"), D("0.002")]
    (position,) = [p for p in facade.positions() if p.symbol == SYMBOL]
    assert (position.quantity, position.average_entry) == (D("0.004"), D("29990.5"))
    assert emulator.calls(CANCEL) == 1
    context = facade._engine.account.risk_context(SYMBOL)
    assert context.open_orders == 0
    assert context.positions[SYMBOL] == D("0.004")
    emulator.set_price(SYMBOL, "29000")  # the cancelled rest can no longer fill
    time.sleep(0.2)
    assert [f.amount for f in facade.fills()] == [D("0.002"), D("0.002")]
    assert emulator.calls(CANCEL) == 1


def test_a_user_cancel_keeps_the_filled_part_and_sends_one_request(
    facade: EngineFacade, emulator: ExchangeEmulator
) -> None:
    order = partially_filled(facade, emulator)
    emulator.reset_counters()
    result = facade.cancel_order(order.client_order_id).result(30)
    assert (result.status, result.filled) == (OrderStatus.CANCELED, D("0.004"))
    again = facade.cancel_order(order.client_order_id).result(30)  # a second click
    assert again.status is OrderStatus.CANCELED
    assert_cancelled_with_filled_part(facade, emulator, order)


def test_the_kill_switch_cancels_the_rest_of_a_partially_filled_order_once(
    facade: EngineFacade, emulator: ExchangeEmulator
) -> None:
    order = partially_filled(facade, emulator)
    emulator.reset_counters()
    facade.engage_kill_switch("test").result(30)
    facade.engage_kill_switch("pressed again").result(30)
    assert_cancelled_with_filled_part(facade, emulator, order)
    assert facade.breaker_states()["kill_switch"].value == "halted"


def test_a_kill_switch_that_closes_positions_sells_only_the_filled_part(
    emulator: ExchangeEmulator,
) -> None:
    facade = running_engine(emulator, replace(PERMISSIVE_LIMITS, close_positions_on_kill=True))
    try:
        order = partially_filled(facade, emulator)
        emulator.set_fill_limit(SYMBOL, None)
        facade.engage_kill_switch("test").result(30)
        wait_for(lambda: len(facade.fills()) == 3)
        buy = ui_order(facade, order.client_order_id)
        assert (buy.status, buy.filled) == (OrderStatus.CANCELED, D("0.004"))
        (sell,) = [o for o in facade.orders() if o.side is Side.SELL]
        assert (sell.status, sell.amount, sell.filled) == (
            OrderStatus.FILLED,
            D("0.004"),
            D("0.004"),
        )
        assert sum(emulator.balance("BTC")) == D("0.5")
        (position,) = [p for p in facade.positions() if p.symbol == SYMBOL]
        assert position.is_flat
        assert position.realised_pnl == (D(29985) - D("29990.5")) * D("0.004")
    finally:
        facade.shutdown()
