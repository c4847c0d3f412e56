"""A filterable, sortable table (proxy on the model's sort role) with CSV export."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.ui.messages import show_message
from app.ui.models.columns import KEY_ROLE, SORT_ROLE
from app.ui.models.record_model import RecordTableModel, source_rows

logger = logging.getLogger(__name__)


class RecordFilterProxy(QSortFilterProxyModel):
    """Sort/filter proxy with an optional extra predicate on the source record."""

    def __init__(self, model: RecordTableModel[Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._records = model
        self._predicate: Callable[[Any], bool] | None = None
        self.setSourceModel(model)

    def set_predicate(self, predicate: Callable[[Any], bool] | None) -> None:
        """Show only records for which ``predicate`` is true (None shows all)."""
        self.beginFilterChange()
        self._predicate = predicate
        self.endFilterChange()

    def filterAcceptsRow(  # noqa: N802
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        """The predicate and the text filter both accept the row."""
        if self._predicate is not None and not self._predicate(self._records.record(source_row)):
            return False
        return super().filterAcceptsRow(source_row, source_parent)


class RecordTableView(QWidget):
    """A record model shown through a sort/filter proxy, with a filter box and CSV export.

    Args:
        model: the source model.
        name: what the rows are ("orders"), used in the filter hint and export file name.
        parent: owning widget.
    """

    def __init__(self, model: RecordTableModel[Any], name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self.name = name
        self.proxy = RecordFilterProxy(model, self)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setDynamicSortFilter(True)

        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setDefaultSectionSize(110)
        for number, column in enumerate(model.columns):
            if column.width is not None:
                header.resizeSection(number, column.width)

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText(f"Filter {name}…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        self.export_button = QPushButton("Export CSV…", self)
        self.export_button.setToolTip(f"Save the {name} shown (filtered, sorted) as a CSV file")
        self.export_button.clicked.connect(self.on_export_clicked)

        self.bar = QHBoxLayout()
        self.bar.setContentsMargins(0, 0, 0, 0)
        self.bar.addWidget(self.filter_edit, 1)
        self.bar.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self.bar)
        layout.addWidget(self.table, 1)

    def sort_by(self, column: int, order: Qt.SortOrder = Qt.SortOrder.DescendingOrder) -> None:
        """Sort the view by ``column``."""
        self.table.sortByColumn(column, order)

    def selected_keys(self) -> list[Any]:
        """Keys of the selected rows, in view order."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        keys = []
        for row in rows:
            source = self.proxy.mapToSource(self.proxy.index(row, 0))
            keys.append(self.model.data(source, KEY_ROLE))
        return keys

    def export_csv(self, path: Path) -> int:
        """Write the rows shown (filter and sort applied) to ``path``; returns the row count.

        Raises:
            OSError: the file cannot be written.
        """
        count = self.model.write_csv(path, source_rows(self.proxy))
        logger.info("exported %d %s to %s", count, self.name, path)
        return count

    def on_export_clicked(self) -> None:
        """Ask for a file name and export."""
        chosen, _ = QFileDialog.getSaveFileName(
            self, f"Export {self.name}", f"{self.name}.csv", "CSV files (*.csv)"
        )
        if not chosen:
            return
        try:
            self.export_csv(Path(chosen))
        except OSError as exc:
            show_message(
                self,
                "Export failed",
                f"Could not write {chosen}: {exc.strerror or exc}. "
                "Choose another folder or free some disk space.",
            )
