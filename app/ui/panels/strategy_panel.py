"""Strategy panel: pick a built-in or user strategy, edit its parameters, start and stop it."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import StrategyError
from app.core.events import StrategyStateChanged
from app.engine.specs import StrategySpec, StrategyStatus
from app.strategies.base import BaseStrategy
from app.strategies.registry import StrategyRegistry
from app.ui.bridge import EngineBridge, when_done
from app.ui.facade_port import FacadePort
from app.ui.models.trading import StrategiesModel
from app.ui.panels.parameter_form import ParameterForm
from app.ui.panels.sizing_form import SizingForm
from app.ui.panels.table_view import RecordTableView

logger = logging.getLogger(__name__)

DEFAULT_TIMEFRAMES = ("1m", "5m", "15m", "1h", "4h", "1d")
REFRESH_MS = 1000


class StrategyPanel(QWidget):
    """Configure and run strategies; lists each instance with its status and P&L.

    Args:
        facade: the engine facade.
        bridge: the event bridge (strategy state changes refresh the list at once).
        registry: built-in and user strategies.
        symbols: symbols offered (the markets the engine knows are added when it starts).
        timeframes: timeframes offered.
        parent: owning widget.
    """

    started = Signal(str)  # strategy id, once the engine accepted it

    def __init__(
        self,
        facade: FacadePort,
        bridge: EngineBridge,
        registry: StrategyRegistry,
        symbols: Sequence[str] = (),
        timeframes: Sequence[str] = DEFAULT_TIMEFRAMES,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._facade = facade
        self._registry = registry
        self.strategy_box = QComboBox(self)
        for name in registry.names():
            strategy = registry.get(name)
            suffix = "" if registry.is_builtin(name) else "  (user)"
            self.strategy_box.addItem(f"{strategy.title}{suffix}", name)
        self.description = QLabel(self)
        self.description.setWordWrap(True)
        self.description.setObjectName("muted")
        self.symbol_box = QComboBox(self)
        self.symbol_box.setEditable(True)
        self.symbol_box.addItems(list(symbols))
        self.timeframe_box = QComboBox(self)
        self.timeframe_box.addItems(list(timeframes))
        self.timeframe_box.setCurrentText("1h")
        self.parameters = ParameterForm(self)
        self.sizing = SizingForm(self)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("error")
        self.error_label.setWordWrap(True)
        self.start_button = QPushButton("Start strategy", self)
        self.start_button.setObjectName("primary")
        self.start_button.setToolTip("Run this strategy on the engine (the engine must be started)")
        self.start_button.clicked.connect(self.on_start_clicked)

        setup = QGroupBox("New strategy", self)
        form = QFormLayout()
        form.addRow("Strategy", self.strategy_box)
        form.addRow(self.description)
        form.addRow("Symbol", self.symbol_box)
        form.addRow("Timeframe", self.timeframe_box)
        setup_layout = QVBoxLayout(setup)
        setup_layout.addLayout(form)
        setup_layout.addWidget(self.parameters)
        setup_layout.addWidget(self.sizing)
        setup_layout.addWidget(self.error_label)
        setup_layout.addWidget(self.start_button)

        self.model = StrategiesModel(self)
        self.view = RecordTableView(self.model, "strategies", self)
        self.stop_button = QPushButton("Stop selected", self)
        self.stop_button.clicked.connect(self.on_stop_clicked)
        self.view.bar.insertWidget(1, self.stop_button)
        running = QGroupBox("Strategies", self)
        running_layout = QVBoxLayout(running)
        running_layout.setContentsMargins(2, 2, 2, 2)
        running_layout.addWidget(self.view)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(setup)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(running)
        self.splitter.addWidget(scroll)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([200, 600])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.splitter)

        self.strategy_box.currentIndexChanged.connect(self._on_strategy_chosen)
        self.parameters.changed.connect(self.validate)
        self.sizing.changed.connect(self.validate)
        self.symbol_box.currentTextChanged.connect(lambda _text: self.validate())
        bridge.strategy_state.connect(self.on_strategy_state)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self._on_strategy_chosen()
        self.last_error = ""

    # ------------------------------------------------------------------ form
    def strategy_class(self) -> type[BaseStrategy] | None:
        """The selected strategy class (None when the registry is empty)."""
        name = self.strategy_box.currentData()
        return None if name is None else self._registry.get(str(name))

    def select_strategy(self, name: str) -> None:
        """Select the strategy registered as ``name``."""
        index = self.strategy_box.findData(name)
        if index < 0:
            raise StrategyError(f"strategy {name!r} is not installed")
        self.strategy_box.setCurrentIndex(index)

    def _on_strategy_chosen(self) -> None:
        strategy = self.strategy_class()
        if strategy is None:
            self.description.setText("No strategies are installed.")
            self.parameters.set_parameters(())
        else:
            self.description.setText(strategy.description)
            self.parameters.set_parameters(strategy.get_parameters())
        self.validate()

    def spec(self) -> StrategySpec | None:
        """The strategy instance the form describes, or None when it is invalid."""
        return self._spec_and_problem()[0]

    def validate(self) -> str:
        """Check the form; shows and returns the first problem ('' when it can start)."""
        problem = self._spec_and_problem()[1]
        self.error_label.setText(problem)
        self.error_label.setVisible(bool(problem))
        self.start_button.setEnabled(not problem)
        return problem

    def _spec_and_problem(self) -> tuple[StrategySpec | None, str]:
        strategy = self.strategy_class()
        if strategy is None:
            return None, "Install a strategy first (put a .py file in the strategies folder)."
        symbol = self.symbol_box.currentText().strip().upper()
        if "/" not in symbol:
            return None, f"Symbol: enter a pair like BTC/USDT, got {symbol!r}"
        try:
            params = strategy.validate_params(self.parameters.values())
        except StrategyError as exc:
            return None, str(exc)
        problem = self.sizing.problem()
        if problem:
            return None, problem
        spec = StrategySpec(
            strategy.strategy_name(),
            symbol,
            self.timeframe_box.currentText(),
            params,
            self.sizing.spec(),
        )
        return spec, ""

    # ------------------------------------------------------------------ commands
    def on_start_clicked(self) -> None:
        """Start the configured strategy on the engine."""
        spec = self.spec()
        if spec is None:
            self.validate()
            return
        self.start_button.setEnabled(False)
        logger.info("starting strategy %s on %s %s", spec.strategy, spec.symbol, spec.timeframe)
        when_done(self._facade.start_strategy(spec), self._started, self._failed, self)

    def _started(self, strategy_id: object) -> None:
        self.last_error = ""
        self.start_button.setEnabled(True)
        self.error_label.setVisible(False)
        logger.info("strategy %s started", strategy_id)
        self.refresh()
        self.started.emit(str(strategy_id))

    def _failed(self, error: BaseException) -> None:
        self.last_error = f"Could not start the strategy: {error}"
        self.error_label.setText(self.last_error)
        self.error_label.setVisible(True)
        self.start_button.setEnabled(True)
        logger.warning("%s", self.last_error)

    def on_stop_clicked(self) -> None:
        """Stop the selected running strategies."""
        for strategy_id in self.view.selected_keys():
            status = self.model.get(strategy_id)
            if status is not None and status.status != "stopped":
                when_done(
                    self._facade.stop_strategy(str(strategy_id)),
                    lambda _result: self.refresh(),
                    self._failed,
                    self,
                )

    # ------------------------------------------------------------------ status
    def set_symbols(self, symbols: Sequence[str]) -> None:
        """Offer ``symbols`` (keeps the typed symbol when it is among them)."""
        current = self.symbol_box.currentText()
        self.symbol_box.clear()
        self.symbol_box.addItems(list(symbols))
        if current:
            self.symbol_box.setCurrentText(current)

    def on_strategy_state(self, _event: StrategyStateChanged) -> None:
        """A strategy started, stopped, paused or failed: refresh the list now."""
        self.refresh()

    def refresh(self) -> None:
        """Reload the strategy list and figures from the facade."""
        statuses: list[StrategyStatus] = self._facade.strategies()
        known = {status.strategy_id for status in statuses}
        gone = [key for key in (s.strategy_id for s in self.model.records()) if key not in known]
        self.model.remove(gone)
        self.model.upsert(statuses)
