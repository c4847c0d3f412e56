"""Manual order ticket: symbol, side, type, amount and price; the engine applies the same risk
checks as for strategies. Real-money modes ask for confirmation before sending.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from app.core.enums import OrderType, Side
from app.core.models import Order
from app.core.money import to_decimal
from app.ui.bridge import when_done
from app.ui.facade_port import FacadePort

logger = logging.getLogger(__name__)


class OrderTicket(QWidget):
    """One row of fields and a Place button.

    Signals:
        placed(object): the :class:`~app.core.models.Order` the engine accepted.

    Args:
        facade: the engine facade.
        symbols: symbols offered (the field is editable).
        parent: owning widget.
    """

    placed = Signal(object)

    def __init__(
        self, facade: FacadePort, symbols: Sequence[str] = (), parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._facade = facade
        self.symbol_box = QComboBox(self)
        self.symbol_box.setEditable(True)
        self.symbol_box.addItems(list(symbols))
        self.side_box = QComboBox(self)
        self.side_box.addItem("Buy", Side.BUY)
        self.side_box.addItem("Sell", Side.SELL)
        self.type_box = QComboBox(self)
        self.type_box.addItem("Market", OrderType.MARKET)
        self.type_box.addItem("Limit", OrderType.LIMIT)
        self.amount_edit = QLineEdit(self)
        self.amount_edit.setPlaceholderText("Amount (base)")
        self.price_edit = QLineEdit(self)
        self.price_edit.setPlaceholderText("Limit price")
        self.place_button = QPushButton("Place order", self)
        self.place_button.setObjectName("primary")
        self.place_button.clicked.connect(self.on_place_clicked)
        self.result_label = QLabel(self)
        self.result_label.setWordWrap(True)
        self.type_box.currentIndexChanged.connect(self._on_type)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 0)
        for widget in (
            QLabel("New order", self),
            self.symbol_box,
            self.side_box,
            self.type_box,
            self.amount_edit,
            self.price_edit,
            self.place_button,
        ):
            layout.addWidget(widget)
        layout.addWidget(self.result_label, 1)
        self._on_type()

    def _on_type(self) -> None:
        self.price_edit.setEnabled(self.order_type is OrderType.LIMIT)

    @property
    def order_type(self) -> OrderType:
        """The selected order type."""
        return OrderType(str(self.type_box.currentData()))

    @property
    def side(self) -> Side:
        """The selected side."""
        return Side(str(self.side_box.currentData()))

    def set_symbols(self, symbols: Sequence[str]) -> None:
        """Offer ``symbols`` (keeps the typed one)."""
        current = self.symbol_box.currentText()
        self.symbol_box.clear()
        self.symbol_box.addItems(list(symbols))
        if current:
            self.symbol_box.setCurrentText(current)

    def _show(self, text: str, error: bool) -> None:
        self.result_label.setText(text)
        self.result_label.setObjectName("error" if error else "muted")
        self.result_label.style().unpolish(self.result_label)
        self.result_label.style().polish(self.result_label)

    def request(self) -> tuple[str, Side, OrderType, Decimal, Decimal | None] | str:
        """The order the fields describe, or the first problem as text."""
        symbol = self.symbol_box.currentText().strip().upper()
        if "/" not in symbol:
            return f"Symbol: enter a pair like BTC/USDT, got {symbol!r}"
        order_type = self.order_type
        try:
            amount = to_decimal(self.amount_edit.text(), field="Amount")
        except ValueError as exc:
            return str(exc)
        if amount <= 0:
            return f"Amount: must be greater than 0, got {amount}"
        price: Decimal | None = None
        if order_type is OrderType.LIMIT:
            try:
                price = to_decimal(self.price_edit.text(), field="Limit price")
            except ValueError as exc:
                return str(exc)
            if price <= 0:
                return f"Limit price: must be greater than 0, got {price}"
        return symbol, self.side, order_type, amount, price

    def on_place_clicked(self) -> None:
        """Validate, confirm in real-money modes, and send the order to the engine."""
        request = self.request()
        if isinstance(request, str):
            self._show(request, error=True)
            return
        symbol, side, order_type, amount, price = request
        described = f"{side.value.upper()} {amount} {symbol} " + (
            f"at {price}" if price is not None else "at market"
        )
        if self._facade.mode.uses_real_orders and not self._confirmed(described):
            return
        self.place_button.setEnabled(False)
        self._show(f"Sending {described}…", error=False)
        logger.info("manual order requested: %s", described)
        when_done(
            self._facade.place_order(symbol, side, order_type, amount, price),
            lambda order: self._placed(order, amount),
            lambda error: self._refused(described, error),
            self,
        )

    def _confirmed(self, described: str) -> bool:
        answer = QMessageBox.question(
            self,
            "Send a real order?",
            f"{described} goes to the exchange ({self._facade.mode.value.upper()}). Send it?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _placed(self, order: Order, requested: Decimal) -> None:
        self.place_button.setEnabled(True)
        text = f"Order {order.client_order_id}: {order.status.value.replace('_', ' ')}"
        if order.amount != requested:
            text += f" (amount reduced from {requested} to {order.amount} by the risk limits)"
        self._show(text, error=False)
        self.placed.emit(order)

    def _refused(self, described: str, error: BaseException) -> None:
        self.place_button.setEnabled(True)
        self._show(f"{described} not placed: {error}", error=True)
        logger.warning("manual order %s not placed: %s", described, error)
