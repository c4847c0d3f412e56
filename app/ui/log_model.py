"""A virtual table over a log file's line offsets; records are parsed when rows are painted.

The model holds only two int64 offsets per shown line; a record is read and parsed when its row
is painted (with a small cache).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QApplication

from app.ui.log_reader import (
    OffsetArray,
    OffsetBuffer,
    parse_line,
    read_span,
)
from app.ui.models.formatting import format_local_time
from app.ui.theme import ThemeColours, colours_for, current_theme

logger = logging.getLogger(__name__)

AnyIndex = QModelIndex | QPersistentModelIndex
_CACHE_SIZE = 4000
_BLOCK_BEFORE = 64
_BLOCK_AFTER = 192
_MAX_BLOCK_BYTES = 1024 * 1024
_UNREADABLE: dict[str, Any] = {"level": "?", "message": "(this line can no longer be read)"}

#: (title, record key) of the columns.
LOG_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Time", "ts_ms"),
    ("Level", "level"),
    ("Component", "component"),
    ("Message", "message"),
    ("Correlation id", "correlation_id"),
)


def level_colours(colours: ThemeColours) -> dict[str, tuple[str, str]]:
    """Level -> (foreground, background or "") of its rows in the theme's ``colours``."""
    return {
        "DEBUG": (colours.muted, ""),
        "INFO": ("", ""),
        "WARNING": (colours.warning, ""),
        "ERROR": (colours.loss, ""),
        "CRITICAL": ("#ffffff", "#b71c1c"),
        "?": ("#ab47bc", ""),
    }


class LogTableModel(QAbstractTableModel):
    """Rows are lines of one log file, parsed lazily; rows are only appended or reset."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path: Path | None = None
        self._lines = OffsetBuffer()
        self._cache: OrderedDict[int, dict[str, Any]] = OrderedDict()
        app = cast(QApplication, QApplication.instance())
        self._brushes = {
            level: (QBrush(QColor(fg)) if fg else None, QBrush(QColor(bg)) if bg else None)
            for level, (fg, bg) in level_colours(colours_for(current_theme(app))).items()
        }

    # ------------------------------------------------------------------ Qt overrides
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        """Number of lines shown."""
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        """Number of columns."""
        return 0 if parent.isValid() else len(LOG_COLUMNS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text, or the level's colours, or the full message as tooltip."""
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            key = LOG_COLUMNS[index.column()][1]
            value = self.record(index.row()).get(key)
            if key == "ts_ms":
                return format_local_time(value) if isinstance(value, int) else ""
            return "" if value is None else str(value).replace("\n", " ⏎ ")
        if role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole):
            level = str(self.record(index.row()).get("level", ""))
            foreground, background = self._brushes.get(level, (None, None))
            return foreground if role == Qt.ItemDataRole.ForegroundRole else background
        if role == Qt.ItemDataRole.ToolTipRole and LOG_COLUMNS[index.column()][1] == "message":
            return str(self.record(index.row()).get("message", ""))
        return None

    def headerData(  # noqa: N802
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        """Column titles."""
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return LOG_COLUMNS[section][0]
        return None

    # ------------------------------------------------------------------ content
    def open(self, path: Path | None) -> None:
        """Show no rows and read lines of ``path`` from now on (None: no file)."""
        self.beginResetModel()
        self.path = path
        self._lines = OffsetBuffer()
        self._cache.clear()
        self.endResetModel()

    def clear(self) -> None:
        """Remove every row."""
        self.open(self.path)

    def append_lines(self, starts: OffsetArray, ends: OffsetArray) -> None:
        """Add lines (byte offsets) at the end."""
        if len(starts) == 0:
            return
        first = len(self._lines)
        self.beginInsertRows(QModelIndex(), first, first + len(starts) - 1)
        self._lines.append(starts, ends)
        self.endInsertRows()

    def record(self, row: int) -> dict[str, Any]:
        """The parsed record of ``row`` (rows around it are read and cached in one go).

        The file is opened only while reading, so the logger can rotate it at any time (on
        Windows an open file cannot be renamed).
        """
        cached = self._cache.get(row)
        if cached is not None:
            self._cache.move_to_end(row)
            return cached
        self._load_rows(max(0, row - _BLOCK_BEFORE), min(len(self._lines), row + _BLOCK_AFTER))
        return self._cache.get(row, _UNREADABLE)

    def raw_line(self, row: int) -> bytes:
        """The bytes of ``row``'s line (no newline); empty when the file is gone."""
        if self.path is None:
            return b""
        start, end = self._lines.span(row)
        try:
            with self.path.open("rb") as handle:
                return read_span(handle, start, end)
        except OSError:
            return b""

    def offsets(self) -> tuple[OffsetArray, OffsetArray]:
        """Copies of the shown lines' start and end offsets (for export)."""
        return self._lines.arrays()

    def _load_rows(self, first: int, last: int) -> None:
        if self.path is None or first >= last:
            return
        low, _ = self._lines.span(first)
        _, high = self._lines.span(last - 1)
        try:
            with self.path.open("rb") as handle:
                if high - low <= _MAX_BLOCK_BYTES:
                    block = read_span(handle, low, high)
                    for row in range(first, last):
                        start, end = self._lines.span(row)
                        self._remember(row, parse_line(block[start - low : end - low]))
                else:  # sparse rows (a narrow filter over a big file): read them one by one
                    for row in range(first, last):
                        self._remember(row, parse_line(read_span(handle, *self._lines.span(row))))
        except OSError as exc:
            logger.debug("log file %s not readable: %s", self.path, exc)

    def _remember(self, row: int, record: dict[str, Any]) -> None:
        self._cache[row] = record
        self._cache.move_to_end(row)
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
