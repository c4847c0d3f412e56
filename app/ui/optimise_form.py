"""The settings side of the Optimise panel: strategy, data, money, sizing, risk, search, ranges.

Two scrolling columns: what to trade (strategy, data, money, sizing, risk) and how to search
(method, objective, workers, the ranges table).

Strategy, data and the money fields are the backtest form's own widgets (composed, with its
parameter editors and stake field hidden): the ranges table replaces the parameters and the
sizing group offers all three research sizings.
"""

from __future__ import annotations

import logging
import os

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import BacktestError, ConfigError, StrategyError
from app.research.objectives import OBJECTIVES
from app.research.optimize import METHODS
from app.research.settings import ResearchSettings
from app.strategies.registry import StrategyRegistry
from app.ui.backtest_form import BacktestForm
from app.ui.optimise_count import Count, count_combinations
from app.ui.optimise_job import OptimiseJob
from app.ui.optimise_ranges import RangesTable
from app.ui.optimise_sizing import SizingRiskGroup

logger = logging.getLogger(__name__)

#: Grid searches larger than this are refused (random or TPE sample them instead).
MAX_GRID = 20_000
#: Milliseconds of quiet after an edit before the valid combinations are counted again.
COUNT_DELAY_MS = 150
METHOD_LABELS: dict[str, str] = {
    "grid": "Grid (every combination)",
    "random": "Random",
    "tpe": "TPE (Optuna)",
}


class OptimiseForm(QWidget):
    """Choose what to optimise; :meth:`job` builds the worker's job or lists the problems.

    ``changed`` fires on every edit so the panel can re-validate; the combination count
    follows :data:`COUNT_DELAY_MS` after the last edit.
    """

    changed = Signal()

    def __init__(self, registry: StrategyRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.registry = registry
        self.base = BacktestForm(registry, self)
        _hide_row(self.base.parameters)
        _hide_row(self.base.money["stake_pct"])

        self.sizing = SizingRiskGroup(self)

        self.method_box = QComboBox(self)
        for method in METHODS:
            self.method_box.addItem(METHOD_LABELS[method], method)
        self.objective_box = QComboBox(self)
        for objective in OBJECTIVES:
            self.objective_box.addItem(objective.replace("_", " "), objective)
        self.trials_spin = _spin(self, 1, 100_000, 200, "Runs of a random or TPE search")
        self.seed_spin = _spin(self, 0, 2_147_483_647, 0, "Same seed, same random/TPE runs")
        self.min_trades_spin = _spin(
            self, 0, 100_000, 10, "Runs with fewer closed trades are not ranked"
        )
        cores = os.cpu_count() or 1
        self.workers_spin = _spin(self, 1, max(64, cores), cores, "Scoring processes (cores)")
        self.save_check = QCheckBox("Save the run in the database", self)
        self.save_check.setChecked(True)
        search_group = QGroupBox("Search", self)
        search_layout = QFormLayout(search_group)
        search_layout.addRow("Method", self.method_box)
        search_layout.addRow("Objective", self.objective_box)
        trials_row = QHBoxLayout()
        trials_row.addWidget(self.trials_spin, 1)
        trials_row.addWidget(QLabel("seed", self))
        trials_row.addWidget(self.seed_spin, 1)
        search_layout.addRow("Trials", trials_row)
        search_layout.addRow("Min trades", self.min_trades_spin)
        search_layout.addRow("Workers", self.workers_spin)
        search_layout.addRow(self.save_check)

        self.ranges = RangesTable(self)
        self.combinations_label = QLabel(self)
        self.combinations_label.setObjectName("combinationsLabel")
        self.combinations_label.setWordWrap(True)
        self.count: Count | None = None
        self._count_timer = QTimer(self)
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(COUNT_DELAY_MS)
        self._count_timer.timeout.connect(self.refresh_count)
        ranges_group = QGroupBox("Parameter ranges", self)
        ranges_layout = QVBoxLayout(ranges_group)
        ranges_layout.addWidget(self.ranges)
        ranges_layout.addWidget(self.combinations_label)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_scrolled(self, self.base, self.sizing), 3)
        layout.addWidget(_scrolled(self, ranges_group, search_group), 5)

        self.base.strategy_box.currentIndexChanged.connect(self._on_strategy_changed)
        self.base.changed.connect(self.changed)
        self.ranges.changed.connect(self._on_ranges_changed)
        self.sizing.changed.connect(self.changed)
        self.method_box.currentIndexChanged.connect(self._on_method_changed)
        for spin in (self.trials_spin, self.min_trades_spin):
            spin.valueChanged.connect(self._on_ranges_changed)
        self._on_strategy_changed()
        self._on_method_changed()
        self.refresh_count()

    # ------------------------------------------------------------------ choices
    @property
    def strategy_name(self) -> str:
        """Registry name of the chosen strategy."""
        return self.base.strategy_name

    @property
    def method(self) -> str:
        """``grid``, ``random`` or ``tpe``."""
        return str(self.method_box.currentData())

    def set_strategy(self, name: str) -> None:
        """Choose strategy ``name`` (its ranges reset to their defaults)."""
        self.base.set_strategy(name)

    def set_choice(self, box: QComboBox, value: str) -> None:
        """Select the item of ``box`` whose data is ``value``."""
        index = box.findData(value)
        if index >= 0:
            box.setCurrentIndex(index)

    # ------------------------------------------------------------------ validation
    def job(self) -> tuple[OptimiseJob | None, list[str]]:
        """The job for the current settings, or None and every problem in words."""
        base_job, problems = self.base.job()
        specs, range_problems = self.ranges.specs()
        problems.extend(range_problems)
        if not range_problems:
            problems.extend(self._search_problems())
        sizing = self.sizing.sizing(problems)
        risk = self.sizing.risk_limits(problems)
        if problems or base_job is None or sizing is None:
            return None, problems
        try:
            settings = ResearchSettings.create(
                self.strategy_name,
                cash=base_job.cash,
                fee=base_job.fee,
                slippage_bps=base_job.slippage_bps,
                strategies_dir=base_job.strategies_dir,
                risk_limits=risk,
                **sizing,
            )
        except (BacktestError, ConfigError, StrategyError) as exc:
            return None, [f"Settings: {exc}"]
        job = OptimiseJob(
            strategy=self.strategy_name,
            specs=specs,
            source=base_job.source,
            settings=settings,
            method=self.method,
            objective=str(self.objective_box.currentData()),
            min_trades=self.min_trades_spin.value(),
            trials=self.trials_spin.value(),
            seed=self.seed_spin.value(),
            workers=self.workers_spin.value(),
            save=self.save_check.isChecked(),
            start=base_job.start,
            end=base_job.end,
            strategies_dir=base_job.strategies_dir,
        )
        return job, []

    def _search_problems(self) -> list[str]:
        if not self.ranges.searched():
            return [
                "Parameter ranges: tick Search on at least one parameter and give it more than "
                "one value (Low below High)"
            ]
        count = self.ranges.combinations()
        if self.method == "grid" and count > MAX_GRID:
            return [
                f"Parameter ranges: the grid has {count:,} combinations (limit {MAX_GRID:,}); "
                "narrow the ranges, raise Step, or choose the Random or TPE method"
            ]
        return []

    # ------------------------------------------------------------------ slots
    def _on_strategy_changed(self) -> None:
        strategy = self.registry.get(self.strategy_name)
        self.ranges.set_parameters(strategy.get_parameters())
        rows = self.ranges.rowCount()
        header = self.ranges.horizontalHeader().sizeHint().height()
        self.ranges.setFixedHeight(
            header + rows * self.ranges.verticalHeader().defaultSectionSize() + 4
        )

    def _on_method_changed(self) -> None:
        sampled = self.method != "grid"
        self.trials_spin.setEnabled(sampled)
        self.seed_spin.setEnabled(sampled)
        self._on_ranges_changed()

    def _on_ranges_changed(self) -> None:
        self._count_timer.start()
        self.changed.emit()

    def refresh_count(self) -> None:
        """Count the combinations now and show them (an edit does it after a short pause)."""
        self._count_timer.stop()
        raw = self.ranges.combinations()
        if not raw:
            self.count = None
            self._show_count(
                "A range is invalid (marked ! under Count); fix it to count the combinations", True
            )
            return
        specs, _problems = self.ranges.specs()
        strategy = self.registry.get(self.strategy_name)
        self.count = count = count_combinations(strategy, specs, raw)
        if self.method == "grid":
            text, problem = count.text(), raw > MAX_GRID
            if problem:
                text += f": over the {MAX_GRID:,} grid limit, use Random or TPE"
        else:
            runs = min(count.runs, self.trials_spin.value())
            prefix = "at most " if count.valid is None else ""
            text = f"{count.text()}; {self.method} tries {prefix}{runs:,}"
            problem = False
        self._show_count(text, problem)

    def _show_count(self, text: str, problem: bool) -> None:
        self.combinations_label.setText(text)
        self.combinations_label.setStyleSheet("color: #ef5350;" if problem else "")


def _scrolled(parent: QWidget, *widgets: QWidget) -> QScrollArea:
    """A scrolling column of ``widgets``, top-aligned."""
    column = QWidget(parent)
    layout = QVBoxLayout(column)
    layout.setContentsMargins(0, 0, 4, 0)
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(1)
    scroll = QScrollArea(parent)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    scroll.setWidget(column)
    return scroll


def _hide_row(widget: QWidget) -> None:
    """Hide the form row holding ``widget`` (a backtest-form field this panel replaces)."""
    parent = widget.parentWidget()
    layout = None if parent is None else parent.layout()
    if isinstance(layout, QFormLayout):
        layout.setRowVisible(widget, False)


def _spin(parent: QWidget, low: int, high: int, value: int, tip: str) -> QSpinBox:
    spin = QSpinBox(parent)
    spin.setRange(low, high)
    spin.setValue(value)
    spin.setToolTip(tip)
    return spin
