"""The "Sizing and risk" group of the Optimise panel: entry sizing and the risk limits to apply."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLineEdit, QWidget

from app.core.errors import ConfigError
from app.core.money import to_decimal
from app.risk.limits import PRESETS, RiskLimits

#: kind -> (label, default text, tooltip) of the research sizings.
SIZINGS: dict[str, tuple[str, str, str]] = {
    "stake_pct": ("% of equity", "50", "Part of the equity put into each entry, percent"),
    "stake_amount": ("Quote amount", "1000", "Quote currency (e.g. USDT) put into each entry"),
    "size": ("Fixed size", "0.1", "Quantity of the base currency (e.g. BTC) bought per entry"),
}
#: choice -> label of the risk limits every run is checked against.
RISK_CHOICES: dict[str, str] = {
    "none": "None (no risk checks)",
    "settings": "My settings",
    **{name: f"{name.capitalize()} preset" for name in sorted(PRESETS)},
}


class SizingRiskGroup(QGroupBox):
    """Sizing kind and value, and the risk limits (none, the saved settings' or a preset).

    "My settings" reads the settings file once when chosen and again on :meth:`reload_settings`
    (the panel calls it when shown), never on every edit. ``changed`` fires on every edit.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Sizing and risk", parent)
        self.sizing_box = QComboBox(self)
        for kind, (label, _default, tip) in SIZINGS.items():
            self.sizing_box.addItem(label, kind)
            self.sizing_box.setItemData(
                self.sizing_box.count() - 1, tip, Qt.ItemDataRole.ToolTipRole
            )
        self.sizing_edit = QLineEdit(SIZINGS["stake_pct"][1], self)
        self.sizing_edit.setObjectName("sizing_value")
        self.risk_box = QComboBox(self)
        for choice, label in RISK_CHOICES.items():
            self.risk_box.addItem(label, choice)
        self.risk_box.setToolTip("Check every order of every run against these limits, as live")
        #: The saved settings' limits and the problem reading them (read when "My settings" is
        #: chosen or the panel is shown again).
        self._saved_risk: RiskLimits | None = None
        self._saved_problem = ""
        layout = QFormLayout(self)
        layout.addRow("Sizing", self.sizing_box)
        layout.addRow("Per entry", self.sizing_edit)
        layout.addRow("Risk limits", self.risk_box)
        self.sizing_box.currentIndexChanged.connect(self._on_sizing_changed)
        self.sizing_edit.textChanged.connect(self.changed)
        self.risk_box.currentIndexChanged.connect(self._on_risk_changed)

    @property
    def kind(self) -> str:
        """``stake_pct``, ``stake_amount`` or ``size``."""
        return str(self.sizing_box.currentData())

    def sizing(self, problems: list[str]) -> dict[str, Any] | None:
        """The ``size``/``stake_pct``/``stake_amount`` keywords, or None (problem appended)."""
        label = SIZINGS[self.kind][0]
        text = self.sizing_edit.text().strip()
        try:
            value = to_decimal(text, field=label)
        except ValueError:
            problems.append(f"Sizing ({label}): enter a number, got {text!r}")
            return None
        if value <= 0 or (self.kind == "stake_pct" and value > 100):
            limit = "between 0 and 100" if self.kind == "stake_pct" else "above 0"
            problems.append(f"Sizing ({label}): must be {limit}, got {text}")
            return None
        return {name: value if name == self.kind else None for name in SIZINGS}

    def risk_limits(self, problems: list[str]) -> RiskLimits | None:
        """The chosen limits (None: no risk checks, or a problem appended).

        "My settings" gives the limits read from the saved settings file when it was chosen,
        as ``--risk settings`` does.
        """
        choice = str(self.risk_box.currentData())
        if choice == "none":
            return None
        if choice != "settings":
            return PRESETS[choice]
        if self._saved_problem:
            problems.append(self._saved_problem)
        return self._saved_risk

    def reload_settings(self) -> None:
        """Read the saved settings file again when "My settings" is chosen."""
        if self.risk_box.currentData() != "settings":
            return
        from app.config.paths import resolve_paths
        from app.config.settings import load_settings

        try:
            self._saved_risk, self._saved_problem = load_settings(resolve_paths()).settings.risk, ""
        except ConfigError as exc:
            self._saved_risk = None
            self._saved_problem = (
                f"Risk limits: your saved settings cannot be read ({exc}); fix them in "
                "Tools > Settings or choose a preset"
            )

    def _on_risk_changed(self) -> None:
        self.reload_settings()
        self.changed.emit()

    def _on_sizing_changed(self) -> None:
        _label, default, tip = SIZINGS[self.kind]
        self.sizing_edit.setText(default)
        self.sizing_edit.setToolTip(tip)
        self.changed.emit()
