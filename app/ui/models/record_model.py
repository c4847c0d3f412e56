"""A table model of keyed records with in-place updates (changed cells only) and CSV export."""

from __future__ import annotations

import csv
from collections.abc import Callable, Hashable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from app.ui.models.columns import KEY_ROLE, SORT_ROLE, Column

R = TypeVar("R")
AnyIndex = QModelIndex | QPersistentModelIndex

_NUMERIC_ALIGN = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_TEXT_ALIGN = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


class RecordTableModel(QAbstractTableModel, Generic[R]):
    """Rows of frozen records, one per key, with columns declared as data.

    ``upsert`` replaces records in place and emits ``dataChanged`` only for the cells whose raw
    value changed; new keys are appended in one insert. Sorting and filtering belong to a
    :class:`~PySide6.QtCore.QSortFilterProxyModel` (sort on :data:`SORT_ROLE`).

    Args:
        columns: the columns, in display order.
        key: function giving a record's unique key.
        parent: owning object.
    """

    def __init__(
        self,
        columns: Sequence[Column[R]],
        key: Callable[[R], Hashable],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.columns: tuple[Column[R], ...] = tuple(columns)
        self._key = key
        self._records: list[R] = []
        self._rows: dict[Hashable, int] = {}
        self._tones: dict[str, QBrush] = {}

    # ------------------------------------------------------------------ Qt overrides
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        """Number of records (0 under a valid parent: this is a flat table)."""
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        """Number of declared columns."""
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Display text, raw sort value, key, alignment, tone colour or tooltip of a cell."""
        if not index.isValid():
            return None
        record = self._records[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.display(record)
        if role == SORT_ROLE:
            return column.sort_value(record)
        if role == KEY_ROLE:
            return self._key(record)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _NUMERIC_ALIGN if column.numeric else _TEXT_ALIGN
        if role == Qt.ItemDataRole.ForegroundRole and column.tone is not None:
            return self._tones.get(column.tone(column.value(record)))
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip:
            return column.tooltip
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles (horizontal) and nothing vertical."""
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _NUMERIC_ALIGN if self.columns[section].numeric else _TEXT_ALIGN
        if role == Qt.ItemDataRole.ToolTipRole and self.columns[section].tooltip:
            return self.columns[section].tooltip
        return None

    # ------------------------------------------------------------------ records
    def set_tone_colours(self, profit: str, loss: str) -> None:
        """Colours of gains and losses in P&L columns (follow the theme)."""
        self._tones = {"profit": QBrush(QColor(profit)), "loss": QBrush(QColor(loss))}
        if self._records:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._records) - 1, len(self.columns) - 1)
            )

    def records(self) -> list[R]:
        """A copy of every record in model order."""
        return list(self._records)

    def record(self, row: int) -> R:
        """The record in source ``row``."""
        return self._records[row]

    def row_of(self, key: Hashable) -> int | None:
        """Source row of ``key``, or None."""
        return self._rows.get(key)

    def get(self, key: Hashable) -> R | None:
        """The record with ``key``, or None."""
        row = self._rows.get(key)
        return None if row is None else self._records[row]

    def set_records(self, records: Iterable[R]) -> None:
        """Replace every record (model reset); later duplicates of a key win."""
        unique: dict[Hashable, R] = {}
        for record in records:
            unique[self._key(record)] = record
        self.beginResetModel()
        self._records = list(unique.values())
        self._rows = {key: row for row, key in enumerate(unique)}
        self.endResetModel()

    def upsert(self, records: Iterable[R]) -> int:
        """Update known records in place and append new ones.

        Returns:
            The number of cells that changed or rows that were added.
        """
        appended: dict[Hashable, R] = {}
        changes = 0
        for record in records:
            key = self._key(record)
            row = self._rows.get(key)
            if row is None:
                appended[key] = record
                continue
            changes += self._replace(row, record)
        if appended:
            first = len(self._records)
            self.beginInsertRows(QModelIndex(), first, first + len(appended) - 1)
            for offset, (key, record) in enumerate(appended.items()):
                self._rows[key] = first + offset
                self._records.append(record)
            self.endInsertRows()
            changes += len(appended)
        return changes

    def remove(self, keys: Iterable[Hashable]) -> None:
        """Remove the records with these keys (unknown keys are ignored)."""
        rows = sorted({row for key in keys if (row := self._rows.get(key)) is not None})
        for row in reversed(rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._records[row]
            self.endRemoveRows()
        if rows:
            self._rows = {self._key(record): row for row, record in enumerate(self._records)}

    def _replace(self, row: int, record: R) -> int:
        old = self._records[row]
        if old == record:
            return 0
        self._records[row] = record
        changed = [
            number
            for number, column in enumerate(self.columns)
            if column.value(old) != column.value(record)
        ]
        for number in changed:
            cell = self.index(row, number)
            self.dataChanged.emit(cell, cell)
        return len(changed)

    # ------------------------------------------------------------------ export
    def write_csv(self, path: Path, rows: Iterable[int] | None = None) -> int:
        """Write the given source rows (all when None) to ``path`` as CSV.

        Decimals are written exactly (``str``), other values as displayed.

        Returns:
            The number of data rows written.

        Raises:
            OSError: the file cannot be written.
        """
        chosen = range(len(self._records)) if rows is None else rows
        count = 0
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([column.title for column in self.columns])
            for row in chosen:
                record = self._records[row]
                writer.writerow([_csv_cell(column, record) for column in self.columns])
                count += 1
        return count


def _csv_cell(column: Column[Any], record: Any) -> str:
    raw = column.value(record)
    if isinstance(raw, Decimal):
        return str(raw)
    return column.display(record)


def source_rows(model: QAbstractItemModel) -> list[int]:
    """Source rows in the order ``model`` (a proxy, or the source itself) shows them."""
    rows: list[int] = []
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        if isinstance(model, QSortFilterProxyModel):
            index = model.mapToSource(index)
        rows.append(index.row())
    return rows
