"""Orders, positions, fills and balances: live tables with filter, sort, cancel and CSV export."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtWidgets import QCheckBox, QMessageBox, QPushButton, QTabWidget, QVBoxLayout, QWidget

from app.core.models import Balance, Fill, Order, Position
from app.ui.bridge import EngineBridge, when_done
from app.ui.facade_port import FacadePort
from app.ui.messages import show_message
from app.ui.models.trading import BalancesModel, FillsModel, OrdersModel, PositionsModel
from app.ui.panels.order_ticket import OrderTicket
from app.ui.panels.table_view import RecordTableView

logger = logging.getLogger(__name__)

_ORDER_TIME_COLUMN = 0
_FILL_TIME_COLUMN = 0


class TradingTablesPanel(QWidget):
    """Tabs of orders, positions, fills and balances, updated in place from engine events.

    Args:
        facade: the engine facade (snapshots and cancel commands).
        bridge: the event bridge the tables follow.
        parent: owning widget.
        symbols: symbols offered by the order ticket.
    """

    def __init__(
        self,
        facade: FacadePort,
        bridge: EngineBridge,
        parent: QWidget | None = None,
        symbols: Sequence[str] = (),
    ) -> None:
        super().__init__(parent)
        self._facade = facade
        self.orders_model = OrdersModel(self)
        self.positions_model = PositionsModel(self)
        self.fills_model = FillsModel(self)
        self.balances_model = BalancesModel(self)

        self.orders_view = RecordTableView(self.orders_model, "orders", self)
        self.positions_view = RecordTableView(self.positions_model, "positions", self)
        self.fills_view = RecordTableView(self.fills_model, "fills", self)
        self.balances_view = RecordTableView(self.balances_model, "balances", self)

        self.open_only = QCheckBox("Open only", self)
        self.open_only.setToolTip("Show only orders that may still fill")
        self.open_only.toggled.connect(self._apply_open_filter)
        self.cancel_button = QPushButton("Cancel selected", self)
        self.cancel_button.setToolTip("Cancel the selected open orders on the exchange")
        self.cancel_button.clicked.connect(self.on_cancel_clicked)
        self.orders_view.bar.insertWidget(1, self.open_only)
        self.orders_view.bar.insertWidget(2, self.cancel_button)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.orders_view, "Orders")
        self.tabs.addTab(self.positions_view, "Positions")
        self.tabs.addTab(self.fills_view, "Fills")
        self.tabs.addTab(self.balances_view, "Balances")
        self.ticket = OrderTicket(facade, symbols, self)
        self.ticket.placed.connect(lambda order: self.on_orders([order]))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.ticket)
        layout.addWidget(self.tabs)

        self.orders_view.sort_by(_ORDER_TIME_COLUMN)
        self.fills_view.sort_by(_FILL_TIME_COLUMN)
        bridge.orders.connect(self.on_orders)
        bridge.fills.connect(self.on_fills)
        bridge.positions.connect(self.on_positions)
        bridge.balances.connect(self.on_balances)
        self.last_error = ""

    # ------------------------------------------------------------------ data
    def refresh(self) -> None:
        """Reload every table from the facade's snapshots."""
        self.orders_model.set_records(self._facade.orders())
        self.fills_model.set_records(self._facade.fills())
        self.positions_model.set_records(self._facade.positions())
        self.balances_model.set_records(self._facade.balances().values())
        self._apply_open_filter()

    def on_orders(self, orders: Sequence[Order]) -> None:
        """Order snapshots arrived: update rows in place."""
        self.orders_model.upsert(orders)

    def on_fills(self, fills: Sequence[Fill]) -> None:
        """Fills arrived."""
        self.fills_model.upsert(fills)

    def on_positions(self, positions: Sequence[Position]) -> None:
        """Positions changed."""
        self.positions_model.upsert(positions)

    def on_balances(self, balances: Sequence[Balance]) -> None:
        """Balances changed."""
        self.balances_model.upsert(balances)

    def _apply_open_filter(self) -> None:
        self.orders_view.proxy.set_predicate(_is_active if self.open_only.isChecked() else None)

    # ------------------------------------------------------------------ cancel
    def on_cancel_clicked(self) -> None:
        """Cancel the selected orders that are still open."""
        keys = self.orders_view.selected_keys()
        orders = [order for key in keys if (order := self.orders_model.get(key)) is not None]
        active = [order for order in orders if order.status.is_active]
        if not active:
            show_message(
                self,
                "Cancel orders",
                "Select one or more open orders in the Orders table first.",
                QMessageBox.Icon.Information,
            )
            return
        for order in active:
            self.cancel(order.client_order_id)

    def cancel(self, client_order_id: str) -> None:
        """Ask the engine to cancel one order; failures are shown in the panel."""
        logger.info("cancel requested for order %s", client_order_id)
        when_done(
            self._facade.cancel_order(client_order_id),
            lambda order: self.on_orders([order]),
            lambda error: self._cancel_failed(client_order_id, error),
            self,
        )

    def _cancel_failed(self, client_order_id: str, error: BaseException) -> None:
        self.last_error = f"Could not cancel order {client_order_id}: {error}"
        logger.warning("%s", self.last_error)
        show_message(self, "Cancel failed", self.last_error)


def _is_active(order: Order) -> bool:
    return order.status.is_active
