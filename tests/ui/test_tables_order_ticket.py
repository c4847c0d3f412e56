"""Manual orders from the ticket go through the engine's risk checks into the orders table."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from pytestqt.qtbot import QtBot

from app.core.enums import OrderStatus, OrderType, Side
from app.core.events import TickerUpdated
from app.engine.facade import EngineFacade
from app.ui.bridge import EngineBridge
from app.ui.panels.trading_tables import TradingTablesPanel
from tests.ui.shell_support import offline_engine, wait_result


@pytest.fixture()
def engine() -> Iterator[EngineFacade]:
    facade, _paths, _settings = offline_engine(speed=3600.0)
    wait_result(facade.start())
    yield facade
    facade.shutdown()


def test_ticket_validates_places_and_reports_risk_refusals(
    qtbot: QtBot, engine: EngineFacade
) -> None:
    bridge = EngineBridge(engine.events, interval_ms=20)
    panel = TradingTablesPanel(engine, bridge, symbols=["BTC/USDT"])
    bridge.setParent(panel)
    qtbot.addWidget(panel)
    tickers: list[TickerUpdated] = []
    bridge.tickers.connect(tickers.extend)
    bridge.start()
    qtbot.waitUntil(lambda: bool(tickers), timeout=5000)
    ticket = panel.ticket

    ticket.amount_edit.setText("abc")
    ticket.place_button.click()
    assert "Amount: 'abc' is not a number" in ticket.result_label.text()
    assert engine.orders() == []

    ticket.type_box.setCurrentIndex(ticket.type_box.findData(OrderType.LIMIT))
    ticket.side_box.setCurrentIndex(ticket.side_box.findData(Side.BUY))
    price = (tickers[-1].last * Decimal("0.98")).quantize(Decimal("0.01"))
    ticket.amount_edit.setText("0.002")
    ticket.price_edit.setText(str(price))
    with qtbot.waitSignal(ticket.placed, timeout=5000) as placed:
        ticket.place_button.click()
    order = placed.args[0]
    assert (order.side, order.type, order.amount, order.price) == (
        Side.BUY, OrderType.LIMIT, Decimal("0.002"), price,
    )  # fmt: skip
    qtbot.waitUntil(
        lambda: (
            (found := panel.orders_model.get(order.client_order_id)) is not None
            and found.status is OrderStatus.OPEN
        ),
        timeout=5000,
    )
    assert "open" in ticket.result_label.text()

    far = (tickers[-1].last * Decimal("0.5")).quantize(Decimal("0.01"))
    ticket.price_edit.setText(str(far))  # 50 % away: outside the 5 % price band
    ticket.place_button.click()
    qtbot.waitUntil(lambda: "not placed" in ticket.result_label.text(), timeout=5000)
    assert "price_band_pct" in ticket.result_label.text()
    assert ticket.place_button.isEnabled()
    assert len(engine.orders()) == 1

    ticket.type_box.setCurrentIndex(ticket.type_box.findData(OrderType.MARKET))
    assert not ticket.price_edit.isEnabled()
    ticket.amount_edit.setText("5")  # ~95,000 USDT: above max_order_notional (1000)
    with qtbot.waitSignal(ticket.placed, timeout=5000) as resized:
        ticket.place_button.click()
    assert resized.args[0].amount < Decimal("0.06")
    assert f"amount reduced from 5 to {resized.args[0].amount}" in ticket.result_label.text()
