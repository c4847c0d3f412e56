"""Position sizing editor: a sizer kind and its fields, as exact decimal text."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QWidget

from app.core.errors import ConfigError
from app.engine.sizing_spec import sizer_from_spec

#: kind -> (label, fields as (name, label, default text)).
SIZING_FORMS: dict[str, tuple[str, tuple[tuple[str, str, str], ...]]] = {
    "percent_of_equity": ("Percent of equity", (("pct", "Equity %", "10"),)),
    "fixed_quote": ("Fixed quote amount", (("amount", "Amount (quote)", "100"),)),
    "fixed_quantity": ("Fixed quantity", (("qty", "Quantity (base)", "0.01"),)),
    "volatility": (
        "Volatility (ATR risk)",
        (("risk_pct", "Risk per trade %", "1"), ("atr_multiple", "ATR multiple", "2")),
    ),
    "kelly": (
        "Fractional Kelly",
        (
            ("fraction", "Kelly fraction", "0.5"),
            ("cap_pct", "Cap % of equity", "25"),
            ("base_pct", "Until enough trades, %", "1"),
        ),
    ),
}


class SizingForm(QWidget):
    """Choose how each trade is sized; :meth:`spec` gives the facade's ``sizing`` mapping."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind_box = QComboBox(self)
        for kind, (label, _fields) in SIZING_FORMS.items():
            self.kind_box.addItem(label, kind)
        self.kind_box.setToolTip("How the size of each order is worked out")
        self._layout = QFormLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addRow("Sizing", self.kind_box)
        self.fields: dict[str, QLineEdit] = {}
        self.kind_box.currentIndexChanged.connect(self._rebuild)
        self._rebuild()

    @property
    def kind(self) -> str:
        """The selected sizer kind (e.g. ``"fixed_quote"``)."""
        return str(self.kind_box.currentData())

    def set_kind(self, kind: str) -> None:
        """Select ``kind`` (its fields reset to their defaults)."""
        index = self.kind_box.findData(kind)
        if index >= 0:
            self.kind_box.setCurrentIndex(index)

    def _rebuild(self) -> None:
        while self._layout.rowCount() > 1:
            self._layout.removeRow(1)
        self.fields = {}
        for name, label, default in SIZING_FORMS[self.kind][1]:
            edit = QLineEdit(default, self)
            edit.setObjectName(f"sizing_{name}")
            edit.textChanged.connect(lambda _text: self.changed.emit())
            self.fields[name] = edit
            self._layout.addRow(label, edit)
        self.changed.emit()

    def spec(self) -> dict[str, Any]:
        """The sizing mapping (numbers as exact text)."""
        values = {name: edit.text().strip() for name, edit in self.fields.items()}
        return {"kind": self.kind, **values}

    def problem(self) -> str:
        """What is wrong with the entered sizing ('' when it is valid)."""
        try:
            sizer_from_spec(self.spec())
        except ConfigError as exc:
            return str(exc)
        return ""
