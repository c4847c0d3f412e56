"""Editable risk limits: one field per :class:`~app.risk.limits.RiskLimits` setting."""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal
from typing import Any

from PySide6.QtWidgets import QCheckBox, QFormLayout, QLineEdit, QSpinBox, QWidget

from app.risk.limits import RiskLimits

#: field -> (label, tooltip); order is the form's order.
LIMIT_LABELS: dict[str, tuple[str, str]] = {
    "daily_loss_pct": ("Daily loss limit %", "Loss since the day's start that halts trading"),
    "max_drawdown_pct": ("Max drawdown %", "Drawdown from the equity peak that halts trading"),
    "max_order_notional": ("Max order value", "Largest order value in the quote currency"),
    "max_position_pct": ("Max position %", "Largest position in one symbol, % of equity"),
    "max_total_exposure_pct": ("Max exposure %", "Sum of all positions, % of equity"),
    "max_open_orders": ("Max open orders", "Most orders resting on the book at once"),
    "risk_per_trade_pct": ("Risk per trade %", "Equity risked per trade by volatility sizing"),
    "price_band_pct": ("Price band %", "Limit prices further from the last price are refused"),
    "max_orders_per_second": ("Max orders / s", "Order rate limit"),
    "duplicate_window_ms": ("Duplicate window ms", "Same order within this time is refused"),
    "consecutive_losses": ("Losses to pause", "Losing trades in a row that pause a strategy"),
    "cooldown_minutes": ("Pause minutes", "How long a paused strategy waits"),
    "stop_loss_pct": ("Default stop-loss %", "Empty: no default stop"),
    "take_profit_pct": ("Default take-profit %", "Empty: no default take-profit"),
    "trailing_stop_pct": ("Default trailing stop %", "Empty: no default trailing stop"),
    "close_positions_on_kill": ("Kill switch closes positions", "Otherwise it only cancels"),
}

LimitEditor = QLineEdit | QSpinBox | QCheckBox


class RiskLimitsForm(QWidget):
    """Edit risk limits; :meth:`limits` validates with the same rules as the settings file."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        defaults = RiskLimits()
        self.editors: dict[str, LimitEditor] = {}
        kinds = {item.name: getattr(defaults, item.name) for item in fields(RiskLimits)}
        for name, (label, tip) in LIMIT_LABELS.items():
            default = kinds[name]
            editor: LimitEditor
            if isinstance(default, bool):
                editor = QCheckBox(self)
            elif isinstance(default, int):
                editor = QSpinBox(self)
                editor.setRange(0, 10_000_000)
            else:
                editor = QLineEdit(self)
                editor.setPlaceholderText("none" if default is None else "")
            editor.setToolTip(tip)
            editor.setObjectName(f"limit_{name}")
            self.editors[name] = editor
            layout.addRow(label, editor)

    def set_limits(self, limits: RiskLimits) -> None:
        """Show ``limits``."""
        for name, editor in self.editors.items():
            value = getattr(limits, name)
            if isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QSpinBox):
                editor.setValue(int(value))
            else:
                editor.setText("" if value is None else _plain(value))
            editor.setProperty("invalid", False)

    def mapping(self) -> dict[str, Any]:
        """The entered values in the settings file's plain form."""
        values: dict[str, Any] = {}
        for name, editor in self.editors.items():
            if isinstance(editor, QCheckBox):
                values[name] = editor.isChecked()
            elif isinstance(editor, QSpinBox):
                values[name] = editor.value()
            else:
                values[name] = editor.text().strip()
        return values

    def limits(self) -> RiskLimits:
        """The entered limits, validated.

        Raises:
            ConfigError: every invalid field, named ("risk.daily_loss_pct: ...").
        """
        return RiskLimits.from_mapping(self.mapping())


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
