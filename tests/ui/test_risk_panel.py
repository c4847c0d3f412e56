"""Risk panel: limits, gauges, breakers, kill switch (confirmed) and reset on a real engine."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from app.core.enums import BreakerState, OrderStatus, OrderType, Side
from app.core.errors import RiskRejected
from app.core.events import EquityUpdated, TickerUpdated
from app.core.models import Order
from app.engine.facade import EngineFacade
from app.ui.bridge import EngineBridge
from app.ui.panels.risk_panel import KILL_SWITCH, RiskPanel
from tests.ui.shell_support import offline_engine, wait_result


@pytest.fixture()
def engine() -> Iterator[EngineFacade]:
    facade, _paths, _settings = offline_engine(speed=3600.0)
    wait_result(facade.start())
    yield facade
    facade.shutdown()


@pytest.fixture()
def bridge(engine: EngineFacade) -> EngineBridge:
    return EngineBridge(engine.events, interval_ms=20)


@pytest.fixture()
def panel(qtbot: QtBot, engine: EngineFacade, bridge: EngineBridge) -> RiskPanel:
    widget = RiskPanel(engine, bridge)
    bridge.setParent(widget)
    qtbot.addWidget(widget)
    bridge.start()
    return widget


def _state(panel: RiskPanel, name: str) -> BreakerState | None:
    row = panel.breakers_model.get(name)
    return None if row is None else row.state


def test_kill_switch_needs_confirmation_cancels_orders_and_resets(
    qtbot: QtBot, panel: RiskPanel, engine: EngineFacade, bridge: EngineBridge
) -> None:
    tickers: list[TickerUpdated] = []
    bridge.tickers.connect(tickers.extend)
    qtbot.waitUntil(lambda: bool(tickers), timeout=5000)
    price = (tickers[-1].last * Decimal("0.97")).quantize(Decimal("0.01"))
    order = wait_result(
        engine.place_order("BTC/USDT", Side.BUY, OrderType.LIMIT, Decimal("0.001"), price)
    )
    assert isinstance(order, Order)
    assert _state(panel, KILL_SWITCH) is BreakerState.ACTIVE

    panel.kill_button.click()
    box = panel.confirm_box
    assert box is not None and box.isVisible()
    box.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.wait(100)
    assert engine.breaker_states()[KILL_SWITCH] is BreakerState.ACTIVE  # cancelled: nothing

    panel.kill_button.click()
    box = panel.confirm_box
    assert box is not None
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: _state(panel, KILL_SWITCH) is BreakerState.HALTED, timeout=5000)
    assert "ENGAGED" in panel.kill_state.text()
    statuses = {o.client_order_id: o.status for o in engine.orders()}
    assert statuses[order.client_order_id] is OrderStatus.CANCELED
    with pytest.raises(RiskRejected):
        wait_result(engine.place_order("BTC/USDT", Side.BUY, OrderType.MARKET, Decimal("0.001")))

    assert not panel.reset_kill_button.isHidden()
    panel.reset_kill_button.click()
    box = panel.confirm_box
    assert box is not None and "allowed again" in box.text()
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: _state(panel, KILL_SWITCH) is BreakerState.ACTIVE, timeout=5000)
    assert panel.reset_kill_button.isHidden()
    assert "ready" in panel.kill_state.text()


def test_breakers_are_reset_from_the_table(
    qtbot: QtBot, panel: RiskPanel, engine: EngineFacade
) -> None:
    panel.engage("test")
    qtbot.waitUntil(lambda: _state(panel, KILL_SWITCH) is BreakerState.HALTED, timeout=5000)
    view = panel.breakers_view
    row = next(
        r for r in range(view.proxy.rowCount()) if view.proxy.index(r, 0).data() == KILL_SWITCH
    )
    view.table.selectionModel().select(
        view.proxy.index(row, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    panel.reset_button.click()
    qtbot.waitUntil(lambda: _state(panel, KILL_SWITCH) is BreakerState.ACTIVE, timeout=5000)
    assert engine.breaker_states()[KILL_SWITCH] is BreakerState.ACTIVE


def test_limits_are_validated_by_name_and_applied(
    qtbot: QtBot, panel: RiskPanel, engine: EngineFacade
) -> None:
    daily = panel.limits_form.editors["daily_loss_pct"]
    assert isinstance(daily, QLineEdit)
    assert daily.text() == "3"
    daily.setText("250")
    panel.apply_button.click()
    assert "risk.daily_loss_pct: must be between 0 and 100, got 250" in panel.limits_error.text()
    assert engine.risk_limits().daily_loss_pct == Decimal(3)

    daily.setText("2.5")
    notional = panel.limits_form.editors["max_order_notional"]
    assert isinstance(notional, QLineEdit)
    notional.setText("750.25")
    panel.apply_button.click()
    qtbot.waitUntil(lambda: engine.risk_limits().daily_loss_pct == Decimal("2.5"), timeout=5000)
    assert engine.risk_limits().max_order_notional == Decimal("750.25")
    assert panel.limits_error.isHidden()


def test_gauges_turn_amber_then_red_as_losses_near_the_limits(panel: RiskPanel) -> None:
    def equity(daily_pnl: str, drawdown: str) -> EquityUpdated:
        pnl = Decimal(daily_pnl)
        return EquityUpdated(
            timestamp=1, equity=Decimal(10000) + pnl, realised_pnl=pnl,
            unrealised_pnl=Decimal(0), daily_pnl=pnl, drawdown_pct=Decimal(drawdown),
        )  # fmt: skip

    panel.on_equity(equity("-150", "3"))  # 1.5 % of 3 %, 3 % of 15 %
    assert panel.daily_gauge.level == "normal"
    assert panel.daily_gauge.value_label.text() == "1.50% of 3%"
    assert panel.daily_gauge.bar.value() == 500
    panel.on_equity(equity("-240", "12"))  # 2.4 % of 3 % -> 80 %
    assert panel.daily_gauge.level == "warning"
    assert panel.drawdown_gauge.level == "warning"
    panel.on_equity(equity("-400", "16"))
    assert panel.daily_gauge.level == "danger"
    assert panel.drawdown_gauge.level == "danger"
    assert panel.daily_gauge.bar.value() == 1000
    panel.on_equity(equity("120", "0"))  # a gain uses none of the loss limit
    assert panel.daily_gauge.bar.value() == 0
