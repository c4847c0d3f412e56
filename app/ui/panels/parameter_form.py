"""Editors generated from a strategy's parameter schema (ranges, steps, choices)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QSpinBox,
    QWidget,
)

from app.strategies.parameters import Parameter

_INT_LIMIT = 2_000_000_000
_FLOAT_LIMIT = 1e12

Editor = QSpinBox | QDoubleSpinBox | QCheckBox | QComboBox


def _decimals(step: float | None) -> int:
    if step is None or step <= 0:
        return 4
    places = len(f"{step:.8f}".rstrip("0").split(".")[1])
    return max(2, places)


def make_editor(parameter: Parameter, parent: QWidget | None = None) -> Editor:
    """A widget editing ``parameter`` within its declared bounds, set to its default."""
    tip = f"{parameter.description} Allowed: {parameter.allowed}.".strip()
    editor: Editor
    if parameter.type == "int":
        spin = QSpinBox(parent)
        spin.setRange(
            int(parameter.min) if parameter.min is not None else -_INT_LIMIT,
            int(parameter.max) if parameter.max is not None else _INT_LIMIT,
        )
        spin.setSingleStep(max(1, int(parameter.step or 1)))
        spin.setValue(int(parameter.default))
        editor = spin
    elif parameter.type == "float":
        double = QDoubleSpinBox(parent)
        double.setDecimals(_decimals(parameter.step))
        double.setRange(
            parameter.min if parameter.min is not None else -_FLOAT_LIMIT,
            parameter.max if parameter.max is not None else _FLOAT_LIMIT,
        )
        double.setSingleStep(parameter.step or 0.1)
        double.setValue(float(parameter.default))
        editor = double
    elif parameter.type == "bool":
        check = QCheckBox(parent)
        check.setChecked(bool(parameter.default))
        editor = check
    else:
        combo = QComboBox(parent)
        combo.addItems(list(parameter.choices or ()))
        combo.setCurrentText(str(parameter.default))
        editor = combo
    editor.setToolTip(tip)
    editor.setObjectName(f"param_{parameter.name}")
    return editor


def editor_value(editor: Editor) -> Any:
    """The value an editor holds, in the parameter's Python type."""
    if isinstance(editor, QSpinBox):
        return editor.value()
    if isinstance(editor, QDoubleSpinBox):
        return editor.value()
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    return editor.currentText()


def set_editor_value(editor: Editor, value: Any) -> None:
    """Show ``value`` in ``editor``."""
    if isinstance(editor, QSpinBox):
        editor.setValue(int(value))
    elif isinstance(editor, QDoubleSpinBox):
        editor.setValue(float(value))
    elif isinstance(editor, QCheckBox):
        editor.setChecked(bool(value))
    else:
        editor.setCurrentText(str(value))


class ParameterForm(QWidget):
    """A form of one editor per declared parameter; ``changed`` fires on every edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QFormLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.editors: dict[str, Editor] = {}

    def set_parameters(self, parameters: Sequence[Parameter]) -> None:
        """Replace the editors with ones for ``parameters`` (at their defaults)."""
        while self._layout.rowCount():
            self._layout.removeRow(0)
        self.editors = {}
        for parameter in parameters:
            editor = make_editor(parameter, self)
            self.editors[parameter.name] = editor
            label = parameter.name.replace("_", " ").capitalize()
            self._layout.addRow(label, editor)
            _connect(editor, lambda *_args: self.changed.emit())

    def values(self) -> dict[str, Any]:
        """Every parameter's current value by name."""
        return {name: editor_value(editor) for name, editor in self.editors.items()}

    def set_values(self, values: dict[str, Any]) -> None:
        """Show these values (unknown names are ignored)."""
        for name, value in values.items():
            editor = self.editors.get(name)
            if editor is not None:
                set_editor_value(editor, value)


def _connect(editor: Editor, slot: Any) -> None:
    if isinstance(editor, QSpinBox | QDoubleSpinBox):
        editor.valueChanged.connect(slot)
    elif isinstance(editor, QCheckBox):
        editor.toggled.connect(slot)
    else:
        editor.currentTextChanged.connect(slot)
