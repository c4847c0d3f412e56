"""The log viewer's filter row: level, component, text and correlation id, story and clear."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QPushButton, QWidget

from app.ui.log_reader import LEVELS, LogFilter

_LEVEL_CHOICES = (("All levels", 0), *((f"{name} and above", n) for name, n in LEVELS.items()))


class LogFilterBar(QWidget):
    """The fields that describe a :class:`~app.ui.log_reader.LogFilter`.

    Signals:
        edited(): a field changed (the viewer re-filters after a short pause).

    Args:
        parent: owning widget.
    """

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.level_box = QComboBox(self)
        for label, number in _LEVEL_CHOICES:
            self.level_box.addItem(label, number)
        self.component_edit = _filter_edit(self, "Component, e.g. app.exchange")
        self.text_edit = _filter_edit(self, "Text anywhere in the record")
        self.correlation_edit = _filter_edit(self, "Correlation id")
        self.story_button = QPushButton("Order's story", self)
        self.story_button.setToolTip(
            "Show every record with the selected record's correlation id (one order's story)"
        )
        self.clear_button = QPushButton("Clear filters", self)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.level_box)
        row.addWidget(self.component_edit, 1)
        row.addWidget(self.text_edit, 2)
        row.addWidget(self.correlation_edit, 1)
        row.addWidget(self.story_button)
        row.addWidget(self.clear_button)
        self.level_box.currentIndexChanged.connect(self.edited)
        for edit in (self.component_edit, self.text_edit, self.correlation_edit):
            edit.textChanged.connect(self.edited)

    def log_filter(self) -> LogFilter:
        """The filter the fields describe."""
        return LogFilter(
            min_level=int(self.level_box.currentData()),
            component=self.component_edit.text().strip(),
            text=self.text_edit.text().strip(),
            correlation_id=self.correlation_edit.text().strip(),
        )

    def set_filters(self, level: int, component: str, text: str, correlation_id: str) -> None:
        """Fill the fields (an unknown ``level`` shows all levels)."""
        self.level_box.setCurrentIndex(max(0, self.level_box.findData(level)))
        self.component_edit.setText(component)
        self.text_edit.setText(text)
        self.correlation_edit.setText(correlation_id)


def _filter_edit(parent: QWidget, placeholder: str) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(True)
    return edit
