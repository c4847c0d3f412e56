"""Orders, positions, fills and balances tables against a real offline engine."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot

from app.core.enums import OrderStatus, OrderType, Side
from app.core.events import TickerUpdated
from app.core.models import Order
from app.engine.facade import EngineFacade
from app.ui.bridge import EngineBridge
from app.ui.models.columns import SORT_ROLE
from app.ui.models.trading import FILL_COLUMNS, OrdersModel
from app.ui.panels.trading_tables import TradingTablesPanel
from tests.ui.shell_support import SMA_SPEC, offline_engine, wait_result


@pytest.fixture()
def running_engine() -> Iterator[EngineFacade]:
    facade, _paths, _settings = offline_engine()
    wait_result(facade.start())
    yield facade
    facade.shutdown()


@pytest.fixture()
def panel(qtbot: QtBot, running_engine: EngineFacade) -> TradingTablesPanel:
    bridge = EngineBridge(running_engine.events, interval_ms=20)
    widget = TradingTablesPanel(running_engine, bridge)
    bridge.setParent(widget)
    qtbot.addWidget(widget)
    widget.refresh()
    bridge.start()
    return widget


def _column(title: str) -> int:
    return [column.title for column in FILL_COLUMNS].index(title)


def test_strategy_orders_and_fills_appear_and_match_the_engine(
    qtbot: QtBot, panel: TradingTablesPanel, running_engine: EngineFacade
) -> None:
    wait_result(running_engine.start_strategy(SMA_SPEC))
    qtbot.waitUntil(lambda: panel.fills_model.rowCount() >= 4, timeout=15000)
    wait_result(running_engine.stop_strategy(running_engine.strategies()[0].strategy_id))
    qtbot.waitUntil(
        lambda: len(running_engine.fills()) == panel.fills_model.rowCount(), timeout=5000
    )
    engine_orders = {order.client_order_id: order for order in running_engine.orders()}
    qtbot.waitUntil(
        lambda: {o.client_order_id: o for o in panel.orders_model.records()} == engine_orders,
        timeout=5000,
    )
    assert {fill.trade_id for fill in panel.fills_model.records()} == {
        fill.trade_id for fill in running_engine.fills()
    }
    qtbot.waitUntil(lambda: panel.positions_model.rowCount() == 1, timeout=5000)
    position = panel.positions_model.record(0)
    assert position.quantity == running_engine.positions()[0].quantity
    assert panel.balances_model.get("USDT") is not None


def test_numeric_sort_filter_and_exact_csv_export(
    qtbot: QtBot, panel: TradingTablesPanel, running_engine: EngineFacade, tmp_path: Path
) -> None:
    wait_result(running_engine.start_strategy(SMA_SPEC))
    qtbot.waitUntil(lambda: panel.fills_model.rowCount() >= 6, timeout=15000)
    view = panel.fills_view
    price = _column("Price")
    view.sort_by(price, Qt.SortOrder.AscendingOrder)
    shown = [view.proxy.index(row, price).data(SORT_ROLE) for row in range(view.proxy.rowCount())]
    assert shown == sorted(shown)
    texts = [view.proxy.index(row, price).data() for row in range(view.proxy.rowCount())]
    assert all("," in text for text in texts)  # "19,126.94": text order != numeric order

    view.filter_edit.setText("sell")
    assert 0 < view.proxy.rowCount() < panel.fills_model.rowCount()
    side = _column("Side")
    assert {view.proxy.index(row, side).data() for row in range(view.proxy.rowCount())} == {"SELL"}

    target = tmp_path / "fills.csv"
    count = view.export_csv(target)
    with target.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert count == len(rows) == view.proxy.rowCount()
    by_trade = {fill.trade_id: fill for fill in panel.fills_model.records()}
    for row in rows:
        fill = by_trade[row["Trade id"]]
        assert Decimal(row["Price"]) == fill.price
        assert Decimal(row["Amount"]) == fill.amount
        assert row["Side"] == "SELL"


def test_cancel_selected_open_order_from_the_table(qtbot: QtBot) -> None:
    facade, _paths, _settings = offline_engine(speed=3600.0)  # one bar a second: order rests
    try:
        wait_result(facade.start())
        bridge = EngineBridge(facade.events, interval_ms=20)
        panel = TradingTablesPanel(facade, bridge)
        bridge.setParent(panel)
        qtbot.addWidget(panel)
        tickers: list[TickerUpdated] = []
        bridge.tickers.connect(tickers.extend)
        bridge.start()
        qtbot.waitUntil(lambda: bool(tickers), timeout=5000)
        last = tickers[-1].last
        price = (last * Decimal("0.97")).quantize(Decimal("0.01"))
        order = wait_result(facade.place_order("BTC/USDT", Side.BUY, OrderType.LIMIT,
                                               Decimal("0.001"), price))  # fmt: skip
        assert isinstance(order, Order)
        qtbot.waitUntil(
            lambda: _status(panel.orders_model, order) is OrderStatus.OPEN, timeout=5000
        )

        panel.open_only.setChecked(True)
        proxy = panel.orders_view.proxy
        assert proxy.rowCount() == 1
        panel.orders_view.table.selectionModel().select(
            proxy.index(0, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        panel.cancel_button.click()
        qtbot.waitUntil(
            lambda: _status(panel.orders_model, order) is OrderStatus.CANCELED, timeout=5000
        )
        assert proxy.rowCount() == 0  # "open only" hides it now
        assert panel.last_error == ""
    finally:
        facade.shutdown()


def test_update_changes_only_the_cells_that_changed(qtbot: QtBot) -> None:
    model = OrdersModel()
    order = Order("c1", "BTC/USDT", Side.BUY, OrderType.LIMIT, Decimal("1"), Decimal("100"),
                  status=OrderStatus.OPEN)  # fmt: skip
    model.upsert([order])
    changed: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda top, bottom: changed.append((top.row(), top.column())))
    model.upsert([order.with_changes(filled=Decimal("0.4"),
                                     status=OrderStatus.PARTIALLY_FILLED)])  # fmt: skip
    titles = [model.columns[column].title for _row, column in changed]
    assert sorted(titles) == ["Filled", "Status"]
    assert model.rowCount() == 1
    assert model.upsert([model.record(0)]) == 0


def _status(model: OrdersModel, order: Order) -> OrderStatus | None:
    found = model.get(order.client_order_id)
    return None if found is None else found.status
