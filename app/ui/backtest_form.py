"""The settings side of the backtest panel: strategy, parameters, data, range and money."""

from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QDateTime, QTimeZone, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.backtest.sources import CandleSource, CsvSource, StoredSeries, StoredSource
from app.core.errors import StrategyError
from app.core.money import to_decimal
from app.strategies.registry import StrategyRegistry
from app.ui.backtest_job import BacktestJob
from app.ui.panels.parameter_form import ParameterForm

logger = logging.getLogger(__name__)

_HUNDRED = Decimal(100)
_DATE_FORMAT = "yyyy-MM-dd HH:mm"

#: name -> (label, default text, tooltip) of the money fields.
MONEY_FIELDS: dict[str, tuple[str, str, str]] = {
    "cash": ("Capital (quote)", "10000", "Starting cash in the quote currency, e.g. USDT"),
    "fee_pct": ("Fee per fill %", "0.1", "Fee charged on every fill, percent of notional"),
    "slippage_bps": (
        "Slippage (bps)",
        "5",
        "Adverse price move on every fill, in basis points (1 bp = 0.01 %)",
    ),
    "stake_pct": ("Stake % of equity", "50", "Part of the equity put into each entry"),
}


class BacktestForm(QWidget):
    """Choose what to backtest; :meth:`job` builds the worker's job or lists the problems.

    ``changed`` fires on every edit so the panel can re-validate.
    """

    changed = Signal()

    def __init__(self, registry: StrategyRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.registry = registry
        self._series: list[StoredSeries] = []
        self._database_url = ""
        #: A stored series to select (with its range) once the series list holds it.
        self._wanted: tuple[StoredSource, int | None, int | None] | None = None

        self.strategy_box = QComboBox(self)
        for name in registry.names():
            self.strategy_box.addItem(registry.get(name).title, name)
        self.strategy_box.setToolTip("The strategy to test")
        self.description = QLabel(self)
        self.description.setWordWrap(True)
        self.description.setObjectName("mutedLabel")
        self.parameters = ParameterForm(self)

        strategy_group = QGroupBox("Strategy", self)
        strategy_layout = QFormLayout(strategy_group)
        strategy_layout.addRow("Strategy", self.strategy_box)
        strategy_layout.addRow(self.description)
        strategy_layout.addRow(self.parameters)

        self.source_box = QComboBox(self)
        self.source_box.setToolTip("A candle CSV file, or a series stored with `cryptobot data`")
        self.source_box.addItem("CSV file…", None)
        self.csv_edit = QLineEdit(self)
        self.csv_edit.setPlaceholderText("path/to/candles.csv")
        self.browse_button = QPushButton("Browse…", self)
        csv_row = QHBoxLayout()
        csv_row.addWidget(self.csv_edit, 1)
        csv_row.addWidget(self.browse_button)
        self.all_data = QCheckBox("All data", self)
        self.all_data.setChecked(True)
        self.start_edit = _date_edit(self)
        self.end_edit = _date_edit(self)
        data_group = QGroupBox("Data", self)
        data_layout = QFormLayout(data_group)
        data_layout.addRow("Source", self.source_box)
        data_layout.addRow("File", csv_row)
        data_layout.addRow("Range", self.all_data)
        data_layout.addRow("From (UTC)", self.start_edit)
        data_layout.addRow("To (UTC)", self.end_edit)

        money_group = QGroupBox("Money and execution", self)
        money_layout = QFormLayout(money_group)
        self.money: dict[str, QLineEdit] = {}
        for name, (label, default, tip) in MONEY_FIELDS.items():
            edit = QLineEdit(default, self)
            edit.setToolTip(tip)
            edit.setObjectName(f"money_{name}")
            self.money[name] = edit
            money_layout.addRow(label, edit)
            edit.textChanged.connect(self.changed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(strategy_group)
        layout.addWidget(data_group)
        layout.addWidget(money_group)
        layout.addStretch(1)

        self.strategy_box.currentIndexChanged.connect(self._on_strategy_changed)
        self.parameters.changed.connect(self.changed)
        self.source_box.currentIndexChanged.connect(self._on_source_changed)
        self.source_box.activated.connect(self._forget_wanted)
        self.csv_edit.textEdited.connect(self._forget_wanted)
        self.csv_edit.textChanged.connect(self.changed)
        self.browse_button.clicked.connect(self.on_browse_clicked)
        self.all_data.toggled.connect(self._on_range_toggled)
        self.start_edit.dateTimeChanged.connect(self.changed)
        self.end_edit.dateTimeChanged.connect(self.changed)
        now = QDateTime.currentDateTimeUtc()
        self.start_edit.setDateTime(now.addYears(-1))
        self.end_edit.setDateTime(now)
        self._on_strategy_changed()
        self._on_range_toggled(True)

    # ------------------------------------------------------------------ choices
    @property
    def strategy_name(self) -> str:
        """Registry name of the chosen strategy."""
        return str(self.strategy_box.currentData())

    def set_strategy(self, name: str) -> None:
        """Choose strategy ``name`` (its parameters reset to their defaults)."""
        index = self.strategy_box.findData(name)
        if index >= 0:
            self.strategy_box.setCurrentIndex(index)

    def set_csv_file(self, path: Path) -> None:
        """Use the candle CSV file at ``path``."""
        self._wanted = None
        self.source_box.setCurrentIndex(0)
        self.csv_edit.setText(str(path))

    def set_stored_series(self, database_url: str, series: list[StoredSeries]) -> None:
        """Offer the stored ``series`` (of the database at ``database_url``) as data sources."""
        current = self.source_box.currentIndex()
        self._database_url = database_url
        self._series = list(series)
        while self.source_box.count() > 1:
            self.source_box.removeItem(1)
        for index, item in enumerate(self._series):
            self.source_box.addItem(
                f"{item.exchange} {item.symbol} {item.timeframe} ({item.count:,} bars)", index
            )
        self.source_box.setCurrentIndex(min(current, self.source_box.count() - 1))
        self._select_wanted()

    def select_stored(
        self, source: StoredSource, start_ms: int | None = None, end_ms: int | None = None
    ) -> bool:
        """Use stored series ``source`` from ``start_ms`` to ``end_ms`` (None, None = all).

        Returns:
            True when selected; False when the series is not listed yet: it is selected as
            soon as :meth:`set_stored_series` lists it, and :meth:`job` waits for it.
        """
        self._wanted = (source, start_ms, end_ms)
        return self._select_wanted()

    def _forget_wanted(self) -> None:
        """The user chose a source: a stored series still awaited is not selected later."""
        if self._wanted is not None:
            self._wanted = None
            self.changed.emit()

    def _select_wanted(self) -> bool:
        if self._wanted is None:
            return False
        source, start_ms, end_ms = self._wanted
        wanted = (source.exchange, source.symbol, source.timeframe)
        for index, item in enumerate(self._series):
            if (item.exchange, item.symbol, item.timeframe) == wanted:
                self._wanted = None
                self.source_box.setCurrentIndex(self.source_box.findData(index))
                self.set_range(start_ms, end_ms)
                return True
        return False

    def set_range(self, start_ms: int | None, end_ms: int | None) -> None:
        """Limit the run to bars opened from ``start_ms`` to ``end_ms`` (None, None = all)."""
        self.all_data.setChecked(start_ms is None and end_ms is None)
        if start_ms is not None:
            self.start_edit.setDateTime(_utc(start_ms))
        if end_ms is not None:
            self.end_edit.setDateTime(_utc(end_ms))

    # ------------------------------------------------------------------ validation
    def job(self) -> tuple[BacktestJob | None, list[str]]:
        """The job for the current settings, or None and every problem in words.

        A user strategy's folder goes with the job so the worker process can load it too.
        """
        problems: list[str] = []
        params = self.parameters.values()
        try:
            params = self.registry.get(self.strategy_name).validate_params(params)
        except StrategyError as exc:
            problems.append(str(exc))
        source = self._source(problems)
        money = {name: self._decimal(name, problems) for name in MONEY_FIELDS}
        start, end = self._range(problems)
        if problems or source is None:
            return None, problems
        fee = money["fee_pct"] / _HUNDRED
        job = BacktestJob(
            strategy=self.strategy_name,
            params=params,
            source=source,
            cash=str(money["cash"]),
            fee=str(fee),
            slippage_bps=str(money["slippage_bps"]),
            stake_pct=str(money["stake_pct"]),
            start=start,
            end=end,
            strategies_dir=_user_folder(self.registry, self.strategy_name),
        )
        return job, []

    def _source(self, problems: list[str]) -> CandleSource | None:
        if self._wanted is not None:
            problems.append(
                f"Data: {self._wanted[0].describe()} is not among the stored series (yet); "
                "wait for the list to load, or choose another source"
            )
            return None
        index = self.source_box.currentData()
        if index is not None:
            item = self._series[int(index)]
            return StoredSource(self._database_url, item.exchange, item.symbol, item.timeframe)
        text = self.csv_edit.text().strip()
        if not text:
            problems.append("Data: choose a candle CSV file (Browse…) or a stored series")
            return None
        path = Path(text).expanduser()
        if not path.is_file():
            problems.append(f"Data: {path} is not a file; choose an existing candle CSV")
            return None
        return CsvSource(path)

    def _decimal(self, name: str, problems: list[str]) -> Decimal:
        label = MONEY_FIELDS[name][0]
        text = self.money[name].text().strip()
        try:
            value = to_decimal(text, field=label)
        except ValueError:
            problems.append(f"{label}: enter a number, got {text!r}")
            return Decimal(0)
        limits = {
            "cash": (Decimal(0), None),
            "fee_pct": (Decimal(0), Decimal(50)),
            "slippage_bps": (Decimal(0), Decimal(1000)),
            "stake_pct": (Decimal(0), _HUNDRED),
        }
        low, high = limits[name]
        if value < low or (name in ("cash", "stake_pct") and value == low):
            problems.append(f"{label}: must be greater than {low}, got {text}")
        elif high is not None and value > high:
            problems.append(f"{label}: must be at most {high}, got {text}")
        return value

    def _range(self, problems: list[str]) -> tuple[int | None, int | None]:
        if self.all_data.isChecked():
            return None, None
        start = self.start_edit.dateTime().toMSecsSinceEpoch()
        end = self.end_edit.dateTime().toMSecsSinceEpoch()
        if start >= end:
            problems.append("Range: 'From' must be before 'To'")
        return start, end

    # ------------------------------------------------------------------ slots
    def on_browse_clicked(self) -> None:
        """Ask for a candle CSV file."""
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Candle CSV file", self.csv_edit.text(), "CSV files (*.csv);;All files (*)"
        )
        if chosen:
            self.set_csv_file(Path(chosen))

    def _on_strategy_changed(self) -> None:
        strategy = self.registry.get(self.strategy_name)
        self.description.setText(strategy.description)
        self.parameters.set_parameters(strategy.get_parameters())
        self.changed.emit()

    def _on_source_changed(self) -> None:
        index = self.source_box.currentData()
        is_csv = index is None
        self.csv_edit.setEnabled(is_csv)
        self.browse_button.setEnabled(is_csv)
        if not is_csv:
            item = self._series[int(index)]
            self.start_edit.setDateTime(_utc(item.first_ts))
            self.end_edit.setDateTime(_utc(item.last_ts))
        self.changed.emit()

    def _on_range_toggled(self, checked: bool) -> None:
        self.start_edit.setEnabled(not checked)
        self.end_edit.setEnabled(not checked)
        self.changed.emit()


def _user_folder(registry: StrategyRegistry, name: str) -> Path | None:
    source = registry.source(name)
    return None if source is None else source.parent


def _date_edit(parent: QWidget) -> QDateTimeEdit:
    edit = QDateTimeEdit(parent)
    edit.setTimeZone(QTimeZone.utc())
    edit.setDisplayFormat(_DATE_FORMAT)
    edit.setCalendarPopup(True)
    return edit


def _utc(ms: int) -> QDateTime:
    return QDateTime.fromMSecsSinceEpoch(ms, QTimeZone.utc())
