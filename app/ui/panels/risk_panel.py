"""Risk panel: editable limits, live gauges, breaker states, the kill switch and resets."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.core.enums import BreakerState
from app.core.errors import ConfigError
from app.core.events import BreakerStateChanged, EquityUpdated
from app.risk.limits import RiskLimits
from app.ui.bridge import EngineBridge, when_done
from app.ui.facade_port import FacadePort
from app.ui.messages import show_message
from app.ui.models.columns import Column
from app.ui.models.record_model import RecordTableModel
from app.ui.panels.risk_limits_form import RiskLimitsForm
from app.ui.panels.table_view import RecordTableView

logger = logging.getLogger(__name__)

KILL_SWITCH = "kill_switch"
REFRESH_MS = 1000
_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class BreakerRow:
    """One circuit breaker as the panel shows it."""

    name: str
    state: BreakerState
    reason: str = ""


BREAKER_COLUMNS: tuple[Column[BreakerRow], ...] = (
    Column("Breaker", lambda row: row.name),
    Column("State", lambda row: row.state.value, lambda value: str(value).upper()),
    Column("Last change", lambda row: row.reason),
)


def gauge_fraction(value: Decimal, limit: Decimal) -> Decimal:
    """``value / limit`` clamped to [0, 1] (0 when there is no limit)."""
    if limit <= 0 or value <= 0:
        return Decimal(0)
    return min(Decimal(1), value / limit)


class Gauge(QWidget):
    """A labelled bar: value vs limit, amber from 70 % of the limit, red at the limit."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(title, self)
        self.value_label = QLabel("–", self)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.value_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.bar)
        self.level = "normal"

    def set_value(self, value: Decimal, limit: Decimal, unit: str = "%") -> None:
        """Show ``value`` against ``limit`` (both in ``unit``)."""
        fraction = gauge_fraction(value, limit)
        self.bar.setValue(int(fraction * 1000))
        level = "danger" if fraction >= 1 else "warning" if fraction >= Decimal("0.7") else ""
        self.level = level or "normal"
        self.bar.setProperty("level", level)
        self.bar.style().unpolish(self.bar)
        self.bar.style().polish(self.bar)
        shown = value.quantize(Decimal("0.01")) if value > 0 else Decimal("0.00")
        self.value_label.setText(f"{shown}{unit} of {limit.normalize():f}{unit}")


class RiskPanel(QWidget):
    """Limits, gauges, breakers and the kill switch.

    Args:
        facade: the engine facade.
        bridge: the event bridge (equity and breaker events).
        parent: owning widget.
    """

    def __init__(self, facade: FacadePort, bridge: EngineBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self._facade = facade
        self._reasons: dict[str, str] = {}
        self.kill_button = QPushButton("KILL SWITCH", self)
        self.kill_button.setObjectName("killSwitch")
        self.kill_button.setMinimumHeight(38)
        self.kill_button.setToolTip(
            "Cancel every open order and refuse new orders until you reset it"
        )
        self.kill_button.clicked.connect(self.on_kill_clicked)
        self.kill_state = QLabel(self)
        self.kill_state.setWordWrap(True)
        self.reset_kill_button = QPushButton("Reset kill switch…", self)
        self.reset_kill_button.setToolTip("Allow new orders again (asks first)")
        self.reset_kill_button.clicked.connect(self.on_reset_kill_clicked)
        self.reset_kill_button.hide()
        self.confirm_box: QMessageBox | None = None

        self.daily_gauge = Gauge("Daily loss", self)
        self.drawdown_gauge = Gauge("Drawdown", self)
        self.exposure_gauge = Gauge("Exposure", self)
        gauges = QGroupBox("Live", self)
        gauges_layout = QVBoxLayout(gauges)
        for gauge in (self.daily_gauge, self.drawdown_gauge, self.exposure_gauge):
            gauges_layout.addWidget(gauge)

        self.breakers_model: RecordTableModel[BreakerRow] = RecordTableModel(
            BREAKER_COLUMNS, lambda row: row.name, self
        )
        self.breakers_view = RecordTableView(self.breakers_model, "breakers", self)
        self.breakers_view.export_button.hide()
        self.reset_button = QPushButton("Reset selected", self)
        self.reset_button.setToolTip("Reset the selected breakers (a person decides to resume)")
        self.reset_button.clicked.connect(self.on_reset_clicked)
        self.breakers_view.bar.insertWidget(1, self.reset_button)
        self.breakers_view.table.setMinimumHeight(120)

        self.limits_form = RiskLimitsForm(self)
        self.apply_button = QPushButton("Apply limits", self)
        self.apply_button.setObjectName("primary")
        self.apply_button.clicked.connect(self.on_apply_clicked)
        self.revert_button = QPushButton("Revert", self)
        self.revert_button.clicked.connect(self.load_limits)
        self.limits_error = QLabel(self)
        self.limits_error.setObjectName("error")
        self.limits_error.setWordWrap(True)
        self.limits_error.hide()
        limits_box = QGroupBox("Limits", self)
        limits_layout = QVBoxLayout(limits_box)
        limits_layout.addWidget(self.limits_form)
        limits_layout.addWidget(self.limits_error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.apply_button)
        limits_layout.addLayout(buttons)

        content = QWidget(self)
        grid = QGridLayout(content)
        grid.setContentsMargins(4, 4, 4, 4)
        grid.addWidget(self.kill_button, 0, 0)
        state_row = QHBoxLayout()
        state_row.addWidget(self.kill_state, 1)
        state_row.addWidget(self.reset_kill_button)
        grid.addLayout(state_row, 1, 0)
        grid.addWidget(gauges, 2, 0)
        grid.addWidget(self.breakers_view, 3, 0)
        grid.addWidget(limits_box, 4, 0)
        grid.setRowStretch(5, 1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

        bridge.equity.connect(self.on_equity)
        bridge.breaker.connect(self.on_breaker)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh_breakers)
        self._timer.start()
        self.last_error = ""
        self._limits = facade.risk_limits()
        self.load_limits()
        self.refresh_breakers()

    # ------------------------------------------------------------------ limits
    def load_limits(self) -> None:
        """Show the limits in force."""
        self._limits = self._facade.risk_limits()
        self.limits_form.set_limits(self._limits)
        self.limits_error.hide()

    def on_apply_clicked(self) -> None:
        """Validate the edited limits and send them to the engine."""
        try:
            limits = self.limits_form.limits()
        except ConfigError as exc:
            self._show_limits_error(str(exc))
            return
        self.limits_error.hide()
        when_done(
            self._facade.update_risk_limits(limits),
            lambda _result: self._applied(limits),
            lambda error: self._show_limits_error(f"The engine refused the limits: {error}"),
            self,
        )

    def _applied(self, limits: RiskLimits) -> None:
        self._limits = limits
        logger.info("risk limits updated")

    def _show_limits_error(self, message: str) -> None:
        self.last_error = message
        self.limits_error.setText(message.replace("; ", "\n"))
        self.limits_error.show()

    # ------------------------------------------------------------------ gauges
    def on_equity(self, event: EquityUpdated) -> None:
        """Update the gauges from the latest equity figures."""
        start_equity = event.equity - event.daily_pnl
        daily_loss = Decimal(0)
        if event.daily_pnl < 0 and start_equity > 0:
            daily_loss = -event.daily_pnl / start_equity * _HUNDRED
        self.daily_gauge.set_value(daily_loss, self._limits.daily_loss_pct)
        self.drawdown_gauge.set_value(event.drawdown_pct, self._limits.max_drawdown_pct)
        exposure = Decimal(0)
        if event.equity > 0:
            exposure = self._facade.pnl().exposure / event.equity * _HUNDRED
        self.exposure_gauge.set_value(exposure, self._limits.max_total_exposure_pct)

    # ------------------------------------------------------------------ breakers
    def on_breaker(self, event: BreakerStateChanged) -> None:
        """A breaker changed: remember why and refresh."""
        self._reasons[event.breaker] = event.reason
        self.refresh_breakers()

    def refresh_breakers(self) -> None:
        """Reload breaker states from the facade."""
        states = self._facade.breaker_states()
        reasons = self._reasons
        rows = [BreakerRow(name, state, reasons.get(name, "")) for name, state in states.items()]
        self.breakers_model.remove(
            [row.name for row in self.breakers_model.records() if row.name not in states]
        )
        self.breakers_model.upsert(rows)
        engaged = states.get(KILL_SWITCH) is BreakerState.HALTED
        self.kill_state.setText(
            "Kill switch ENGAGED: new orders are refused until you reset it."
            if engaged
            else "Kill switch ready."
        )
        self.reset_kill_button.setVisible(engaged)
        self.kill_state.setObjectName("error" if engaged else "muted")
        self.kill_state.style().unpolish(self.kill_state)
        self.kill_state.style().polish(self.kill_state)

    def on_reset_clicked(self) -> None:
        """Reset the selected breakers."""
        for name in self.breakers_view.selected_keys():
            self.reset(str(name))

    def reset(self, name: str) -> None:
        """Ask the engine to reset breaker ``name``."""
        logger.info("reset requested for breaker %s", name)
        when_done(
            self._facade.reset_breaker(name),
            lambda _result: self.refresh_breakers(),
            lambda error: self._failed(f"Could not reset {name}: {error}"),
            self,
        )

    # ------------------------------------------------------------------ kill switch
    def on_kill_clicked(self) -> None:
        """Ask for confirmation, then engage the kill switch."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Engage the kill switch?",
            "This cancels every open order and refuses all new orders until you reset it."
            + (
                " Open positions will also be closed at market."
                if self._limits.close_positions_on_kill
                else " Open positions are kept."
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.button(QMessageBox.StandardButton.Yes).setText("Engage kill switch")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.accepted.connect(lambda: self.engage("kill switch pressed in the risk panel"))
        self.confirm_box = box
        box.open()

    def on_reset_kill_clicked(self) -> None:
        """Ask, then reset the kill switch (new orders are allowed again)."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Reset the kill switch?",
            "New orders, from strategies and by hand, will be allowed again. Strategies that "
            "are still running resume trading at their next signal.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.button(QMessageBox.StandardButton.Yes).setText("Reset and allow orders")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.accepted.connect(lambda: self.reset(KILL_SWITCH))
        self.confirm_box = box
        box.open()

    def engage(self, reason: str) -> None:
        """Engage the kill switch now (no confirmation)."""
        logger.warning("kill switch engaged: %s", reason)
        when_done(
            self._facade.engage_kill_switch(reason),
            lambda _result: self.refresh_breakers(),
            lambda error: self._failed(f"The kill switch failed: {error}"),
            self,
        )

    def _failed(self, message: str) -> None:
        self.last_error = message
        logger.error("%s", message)
        show_message(self, "Risk", message)
