"""Searchable list of ccxt exchanges: recommended first, sandbox support shown."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QLabel, QLineEdit, QListView, QVBoxLayout, QWidget

from app.ui.wizard.catalog import ExchangeInfo, exchange_catalog

ID_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2


def _label(info: ExchangeInfo) -> str:
    tags = []
    if info.recommended:
        tags.append("recommended")
    if info.has_sandbox:
        tags.append("sandbox")
    if info.needs_passphrase:
        tags.append("passphrase")
    suffix = f"   ({', '.join(tags)})" if tags else ""
    return f"{info.name}{suffix}"


class ExchangePicker(QWidget):
    """A search box over the list of exchanges.

    Signals:
        exchange_changed(str): the ccxt id of the newly selected exchange.
    """

    exchange_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit()
        self.search.setObjectName("exchangeSearch")
        self.search.setPlaceholderText("Search exchanges (name or id)")
        self.search.setClearButtonEnabled(True)
        self.source = QStandardItemModel(self)
        for info in exchange_catalog():
            item = QStandardItem(_label(info))
            item.setEditable(False)
            item.setData(info.id, ID_ROLE)
            item.setData(f"{info.id} {info.name}", SEARCH_ROLE)
            item.setToolTip(
                f"ccxt id: {info.id}; testnet: {'yes' if info.has_sandbox else 'no'}; "
                f"passphrase: {'required' if info.needs_passphrase else 'not needed'}"
            )
            self.source.appendRow(item)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.source)
        self.proxy.setFilterRole(SEARCH_ROLE)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.view = QListView()
        self.view.setObjectName("exchangeList")
        self.view.setModel(self.proxy)
        self.view.setUniformItemSizes(True)
        self.hint = QLabel("Recommended exchanges are listed first. 'sandbox' = has a testnet.")
        self.hint.setObjectName("muted")
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.hint)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)

    def selected_id(self) -> str | None:
        """The ccxt id of the selected exchange, or None."""
        index = self.view.currentIndex()
        if not index.isValid() or not self.view.selectionModel().isSelected(index):
            return None
        return str(index.data(ID_ROLE))

    def select(self, exchange_id: str) -> bool:
        """Select ``exchange_id`` (the search is cleared first); False when it is not listed."""
        self.search.clear()
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(ID_ROLE) == exchange_id:
                self.view.setCurrentIndex(index)
                self.view.scrollTo(index)
                return True
        return False

    def visible_ids(self) -> list[str]:
        """Ids currently shown (after the search filter), in display order."""
        return [str(self.proxy.index(row, 0).data(ID_ROLE)) for row in range(self.proxy.rowCount())]

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.exchange_changed.emit(str(current.data(ID_ROLE)))
