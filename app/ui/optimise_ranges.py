"""The ranges table of the Optimise panel: one row per strategy parameter, from its schema.

Numbers get LOW / HIGH / STEP spin boxes set to a sensible range around the default (inside
the declared bounds); bools and choices get a comma-separated list of values. A row whose
"Search" box is unticked is held fixed at its value. Each row turns into one spec of
:func:`app.research.space.parse_spec`, which the worker process uses unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDoubleSpinBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTableWidget,
    QWidget,
)

from app.core.errors import StrategyError
from app.research.space import STOP_PARAMETERS, parse_spec
from app.strategies.parameters import Parameter, ParamValue
from app.ui.panels.parameter_form import Editor, editor_value, make_editor, set_editor_value

COLUMNS: tuple[str, ...] = ("Search", "Parameter", "Value", "Low", "High", "Step", "Count")
SEARCH, NAME, VALUE, LOW, HIGH, STEP, COUNT = range(len(COLUMNS))
#: Fixed pixel widths of the columns (the parameter name takes the rest).
COLUMN_WIDTHS: dict[int, int] = {SEARCH: 58, VALUE: 78, LOW: 72, HIGH: 72, STEP: 64, COUNT: 48}
#: Values a default range aims for.
DEFAULT_VALUES = 10
#: Parameters searched when a strategy is chosen (the first ones, so a heatmap shows).
DEFAULT_SEARCHED = 2
_INT_LIMIT = 2_000_000_000
_FLOAT_LIMIT = 1e12

NumberBox = QSpinBox | QDoubleSpinBox


def decimals(step: float) -> int:
    """Decimal places that show ``step`` exactly (at least 2)."""
    text = f"{step:.8f}".rstrip("0")
    return max(2, len(text.split(".")[1]))


def default_range(parameter: Parameter) -> tuple[float, float, float]:
    """LOW, HIGH and STEP of a sensible search around a number parameter's default.

    The range spans half the default (at least five declared steps) either side, clipped to
    the declared bounds, with a step that gives about :data:`DEFAULT_VALUES` values.
    """
    unit = parameter.step or (1.0 if parameter.type == "int" else 0.1)
    default = float(parameter.default)
    span = max(abs(default) / 2, 5 * unit)
    low = default - span if parameter.min is None else max(parameter.min, default - span)
    high = default + span if parameter.max is None else min(parameter.max, default + span)
    stride = unit * max(1, round((high - low) / (DEFAULT_VALUES * unit)))
    if parameter.type == "int":
        return float(math.ceil(low)), float(math.floor(high)), float(max(1, round(stride)))
    places = decimals(unit)
    return round(low, places), round(high, places), round(stride, places)


def spec_text(value: ParamValue) -> str:
    """A value as spec text (``"10"``, ``"0.5"``, ``"true"``, ``"ema"``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(slots=True)
class RangeRow:
    """The widgets of one parameter's row (numbers: ``low``/``high``/``step``; else ``values``)."""

    parameter: Parameter
    search: QCheckBox
    value: Editor
    count: QLabel
    low: NumberBox | None = None
    high: NumberBox | None = None
    step: NumberBox | None = None
    values: QLineEdit | None = None

    @property
    def numeric(self) -> bool:
        """True for int/float parameters."""
        return self.low is not None

    def spec(self) -> str:
        """This row as a spec: the range or list when searched, else the fixed value."""
        if not self.search.isChecked():
            return spec_text(editor_value(self.value))
        if self.low is not None and self.high is not None and self.step is not None:
            return ":".join(spec_text(box.value()) for box in (self.low, self.high, self.step))
        assert self.values is not None
        return self.values.text()

    def check(self) -> tuple[int, str]:
        """(number of values, '') or (0, what is wrong and the fix)."""
        name = self.parameter.name
        if self.search.isChecked() and self.low is not None and self.high is not None:
            low, high = self.low.value(), self.high.value()
            if low > high:
                return 0, (
                    f"{name}: Low ({spec_text(low)}) is above High ({spec_text(high)}); "
                    "lower Low or raise High"
                )
        try:
            return len(parse_spec(self.parameter, self.spec())), ""
        except StrategyError as exc:
            if self.values is not None:
                return 0, f"{name} values: {exc}; list allowed values separated by commas"
            return 0, f"{name}: {exc}"


class RangesTable(QTableWidget):
    """Editable search ranges of a strategy's parameters; ``changed`` fires on every edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(28)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.horizontalHeader()
        header.setMinimumSectionSize(40)
        for column, width in COLUMN_WIDTHS.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, width)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        self.rows: dict[str, RangeRow] = {}

    def set_parameters(self, parameters: Sequence[Parameter]) -> None:
        """One row per parameter, at its default range; the first searchable ones ticked."""
        self.setRowCount(0)
        self.rows = {}
        searched = 0
        for parameter in parameters:
            row = self._add_row(parameter)
            wanted = parameter.name not in STOP_PARAMETERS and searched < DEFAULT_SEARCHED
            row.search.setChecked(wanted)
            searched += wanted
            self._update_row(row)
        self.changed.emit()

    # ------------------------------------------------------------------ reading
    def specs(self) -> tuple[dict[str, str], list[str]]:
        """Every parameter's spec by name, and the problems in words (empty when valid)."""
        problems = [
            problem for row in self.rows.values() for problem in [row.check()[1]] if problem
        ]
        return {name: row.spec() for name, row in self.rows.items()}, problems

    def searched(self) -> list[str]:
        """Names of the parameters with more than one value to search."""
        return [
            name for name, row in self.rows.items() if row.search.isChecked() and row.check()[0] > 1
        ]

    def combinations(self) -> int:
        """Grid combinations of the current ranges (0 while a range is invalid)."""
        return math.prod(row.check()[0] for row in self.rows.values())

    # ------------------------------------------------------------------ writing
    def set_search(self, name: str, searched: bool) -> None:
        """Tick or untick the "Search" box of parameter ``name``."""
        self.rows[name].search.setChecked(searched)

    def set_range(self, name: str, low: float, high: float, step: float) -> None:
        """Search number parameter ``name`` from ``low`` to ``high`` by ``step``."""
        row = self.rows[name]
        if row.low is None or row.high is None or row.step is None:
            raise ValueError(f"{name} is not a number parameter")
        for box, number in ((row.low, low), (row.high, high), (row.step, step)):
            if isinstance(box, QSpinBox):
                box.setValue(round(number))
            else:
                box.setValue(float(number))
        row.search.setChecked(True)

    def set_values(self, name: str, text: str) -> None:
        """Search bool/choice parameter ``name`` over the comma-separated ``text``."""
        row = self.rows[name]
        if row.values is None:
            raise ValueError(f"{name} is not a bool or choice parameter")
        row.values.setText(text)
        row.search.setChecked(True)

    def set_fixed(self, name: str, value: ParamValue) -> None:
        """Hold parameter ``name`` at ``value`` (its "Search" box unticked)."""
        row = self.rows[name]
        set_editor_value(row.value, value)
        row.search.setChecked(False)

    # ------------------------------------------------------------------ building
    def _add_row(self, parameter: Parameter) -> RangeRow:
        index = self.rowCount()
        self.insertRow(index)
        search = QCheckBox(self)
        search.setToolTip("Search this parameter; unticked, it stays at Value")
        search.setObjectName(f"search_{parameter.name}")
        label = QLabel(parameter.name, self)
        label.setToolTip(f"{parameter.description} Allowed: {parameter.allowed}.".strip())
        value = make_editor(parameter, self)
        count = QLabel(self)
        count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row = RangeRow(parameter, search, value, count)
        for column, widget in ((SEARCH, search), (NAME, label), (VALUE, value), (COUNT, count)):
            self.setCellWidget(index, column, widget)
        if parameter.type in ("int", "float"):
            low, high, step = default_range(parameter)
            row.low = self._number_box(parameter, low, "Low")
            row.high = self._number_box(parameter, high, "High")
            row.step = self._number_box(parameter, step, "Step", step=True)
            for column, box in ((LOW, row.low), (HIGH, row.high), (STEP, row.step)):
                self.setCellWidget(index, column, box)
                box.valueChanged.connect(lambda *_args, r=row: self._update_row(r))
        else:
            row.values = QLineEdit(", ".join(spec_text(item) for item in parameter.grid()), self)
            row.values.setObjectName(f"values_{parameter.name}")
            row.values.setToolTip(f"Values to try, separated by commas ({parameter.allowed})")
            self.setSpan(index, LOW, 1, 3)
            self.setCellWidget(index, LOW, row.values)
            row.values.textChanged.connect(lambda *_args, r=row: self._update_row(r))
        search.toggled.connect(lambda *_args, r=row: self._update_row(r))
        _connect_editor(value, lambda *_args, r=row: self._update_row(r))
        self.rows[parameter.name] = row
        return row

    def _number_box(
        self, parameter: Parameter, value: float, what: str, *, step: bool = False
    ) -> NumberBox:
        box: NumberBox
        if parameter.type == "int":
            box = QSpinBox(self)
            low = 1 if step else int(parameter.min) if parameter.min is not None else -_INT_LIMIT
            high = int(parameter.max) if parameter.max is not None else _INT_LIMIT
            box.setRange(low, max(low, high))
            box.setValue(int(value))
        else:
            box = QDoubleSpinBox(self)
            places = decimals(parameter.step or 0.1)
            box.setDecimals(places)
            smallest = 10.0**-places
            low_f = (
                smallest if step else parameter.min if parameter.min is not None else -_FLOAT_LIMIT
            )
            high_f = parameter.max if parameter.max is not None else _FLOAT_LIMIT
            if step and parameter.min is not None and parameter.max is not None:
                high_f = max(smallest, parameter.max - parameter.min)
            box.setRange(low_f, high_f)
            box.setSingleStep(parameter.step or 0.1)
            box.setValue(value)
        box.setObjectName(f"{what.lower()}_{parameter.name}")
        box.setToolTip(f"{what} of the search over {parameter.name}")
        return box

    def _update_row(self, row: RangeRow) -> None:
        searched = row.search.isChecked()
        row.value.setEnabled(not searched)
        for widget in (row.low, row.high, row.step, row.values):
            if widget is not None:
                widget.setEnabled(searched)
        count, problem = row.check()
        row.count.setText("!" if problem else f"{count:,}" if searched else "fixed")
        row.count.setToolTip(problem)
        self.changed.emit()


def _connect_editor(editor: Editor, slot: object) -> None:
    if isinstance(editor, QSpinBox | QDoubleSpinBox):
        editor.valueChanged.connect(slot)
    elif isinstance(editor, QCheckBox):
        editor.toggled.connect(slot)
    else:
        editor.currentTextChanged.connect(slot)
