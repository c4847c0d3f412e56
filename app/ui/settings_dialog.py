"""Settings dialog: the wizard's settings in tabs, with the same checks, plus logging and keys.

Switching to live opens the typed confirmation (:class:`~app.ui.live_gate.LiveGateDialog`);
cancelling it puts the previous mode back. Key rotation and removal act at once (they touch
the keyring) and save the key reference immediately; everything else is saved by "Save".
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.config.paths import AppPaths
from app.config.schema import Settings, Theme
from app.config.settings import save_settings, with_changes
from app.core.enums import TradingMode
from app.core.errors import CryptobotError
from app.core.time import now_ms
from app.security.key_operations import KeyOperations
from app.ui.form_kit import error_label
from app.ui.key_rotation_dialog import KeyRotationDialog, describe_current_key
from app.ui.live_gate import LiveGateDialog
from app.ui.wizard.catalog import exchange_info
from app.ui.wizard.exchange_picker import ExchangePicker
from app.ui.wizard.forms import FoldersForm, MarketsForm, RiskForm
from app.ui.wizard.logging_form import LoggingForm

logger = logging.getLogger(__name__)

GENERAL, EXCHANGE, RISK, LOGGING, DATA = range(5)


class SettingsDialog(QDialog):
    """Edit every setting; "Save" validates and writes the settings file.

    Args:
        settings: the saved settings.
        paths: the application's directories.
        operations: key store, test and audit.
        parent: owning window.

    Signals:
        settings_saved(object): the new :class:`Settings` (after Save, or a key change).
    """

    settings_saved = Signal(object)

    def __init__(
        self,
        settings: Settings,
        paths: AppPaths,
        operations: KeyOperations,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.saved = settings
        self.paths = paths
        self.operations = operations
        self.result_settings: Settings | None = None
        self.live_gate: LiveGateDialog | None = None
        self.key_dialog: KeyRotationDialog | None = None
        self.remove_question: QMessageBox | None = None
        self._live_confirmed = settings.general.live_confirmed
        self._mode = settings.general.mode
        self.tabs = QTabWidget()
        self.tabs.addTab(self._general_tab(), "General")
        self.tabs.addTab(self._exchange_tab(), "Exchange")
        self.risk = RiskForm()
        self.tabs.addTab(self.risk, "Risk")
        self.logging_form = LoggingForm()
        self.tabs.addTab(self.logging_form, "Logging")
        self.folders = FoldersForm(paths, with_level=False)
        self.tabs.addTab(self.folders, "Data")
        self.error = error_label("settingsError")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._load(settings)
        self.mode.currentIndexChanged.connect(self._on_mode_changed)
        self.resize(720, 560)

    # ------------------------------------------------------------------ tabs
    def _general_tab(self) -> QWidget:
        tab = QWidget()
        self.mode = QComboBox()
        self.mode.setObjectName("mode")
        for mode in TradingMode:
            self.mode.addItem(mode.value.capitalize(), mode)
        self.theme = QComboBox()
        for theme in Theme:
            self.theme.addItem(theme.value.capitalize(), theme)
        self.notifications = QCheckBox("Desktop notifications for fills and risk events")
        self.markets = MarketsForm()
        form = QFormLayout(tab)
        form.addRow("Trading mode", self.mode)
        form.addRow("Theme", self.theme)
        form.addRow(self.notifications)
        form.addRow(self.markets)
        return tab

    def _exchange_tab(self) -> QWidget:
        tab = QWidget()
        self.picker = ExchangePicker()
        self.key_label = QLabel("")
        self.key_label.setObjectName("keyStatus")
        self.key_label.setWordWrap(True)
        self.rotate_button = QPushButton("Rotate key…")
        self.rotate_button.setObjectName("rotateKey")
        self.remove_button = QPushButton("Remove key")
        self.remove_button.setObjectName("removeKey")
        self.rotate_button.clicked.connect(self.open_key_dialog)
        self.remove_button.clicked.connect(self.ask_remove_key)
        row = QHBoxLayout()
        row.addWidget(self.key_label, 1)
        row.addWidget(self.rotate_button)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(tab)
        layout.addWidget(self.picker, 1)
        layout.addLayout(row)
        return tab

    def _load(self, settings: Settings) -> None:
        general = settings.general
        self.mode.setCurrentIndex(self.mode.findData(general.mode))
        self.theme.setCurrentIndex(self.theme.findData(general.theme))
        self.notifications.setChecked(general.notifications)
        self.markets.load(settings)
        self.picker.select(settings.exchange.id)
        self.risk.load(settings.risk)
        self.logging_form.load(settings.logging)
        self.folders.load(settings)
        self._show_key()

    def _show_key(self) -> None:
        has_key = bool(self.saved.exchange.api_key_ref)
        self.key_label.setText(
            f"API key for {self.saved.exchange.id}: "
            f"{describe_current_key(self.saved, self.operations, now_ms())}"
        )
        self.rotate_button.setText("Rotate key…" if has_key else "Add key…")
        self.remove_button.setEnabled(has_key)

    # ------------------------------------------------------------------ mode and keys
    def chosen_mode(self) -> TradingMode:
        """The mode selected on the General tab."""
        return TradingMode(self.mode.currentData())

    def _on_mode_changed(self, _index: int) -> None:
        mode = self.chosen_mode()
        if mode is TradingMode.LIVE and not self._live_confirmed:
            self.live_gate = LiveGateDialog(self)
            self.live_gate.accepted.connect(self._on_live_confirmed)
            self.live_gate.rejected.connect(self._on_live_refused)
            self.live_gate.open()
            return
        self._mode = mode

    def _on_live_confirmed(self) -> None:
        self._live_confirmed = True
        self._mode = TradingMode.LIVE

    def _on_live_refused(self) -> None:
        self.mode.setCurrentIndex(self.mode.findData(self._mode))

    def open_key_dialog(self) -> KeyRotationDialog:
        """Open the add/rotate key dialog for the saved exchange (non-blocking)."""
        self.key_dialog = KeyRotationDialog(self.saved, self.paths, self.operations, self)
        self.key_dialog.key_replaced.connect(self._on_key_saved)
        self.key_dialog.open()
        return self.key_dialog

    def ask_remove_key(self) -> QMessageBox | None:
        """Ask (without blocking) whether to forget the stored key; Yes removes it."""
        if not self.saved.exchange.api_key_ref:
            return None
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Remove API key",
            f"Forget the {self.saved.exchange.id} API key stored in the keyring? Testnet and "
            "live trading stop working until a new key is added. The key stays valid on the "
            "exchange: delete it there too if you no longer use it.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("removeKeyQuestion")
        box.finished.connect(self._on_remove_answered)
        if self.remove_question is not None:
            self.remove_question.deleteLater()
        self.remove_question = box
        box.open()
        return box

    def _on_remove_answered(self, result: int) -> None:
        if result == QMessageBox.StandardButton.Yes.value:
            self.remove_key()

    def remove_key(self) -> None:
        """Forget the stored key now and save the settings without it."""
        reference = self.saved.exchange.api_key_ref
        if not reference:
            return
        try:
            updated = with_changes(
                self.saved, {"exchange": {"api_key_ref": None, "key_added_at": None}}
            )
            save_settings(updated, self.paths)
            self.operations.remove(self.saved.exchange.id, reference)
        except CryptobotError as exc:
            self.error.setText(f"The key was not removed: {exc}")
            return
        self._on_key_saved(updated)

    def _on_key_saved(self, settings: Settings) -> None:
        self.saved = settings
        self._show_key()
        self.settings_saved.emit(settings)

    # ------------------------------------------------------------------ save
    def problems(self) -> list[str]:
        """Every problem on every tab (the same checks as the wizard)."""
        mode = self.chosen_mode()
        found = self.markets.problems() + self.risk.result()[1]
        found += self.logging_form.problems() + self.folders.problems()
        exchange_id = self.picker.selected_id()
        if exchange_id is None:
            found.append("Exchange: choose an exchange from the list.")
        elif mode.uses_real_orders:
            info = exchange_info(exchange_id)
            if mode is TradingMode.TESTNET and info is not None and not info.has_sandbox:
                found.append(f"Exchange: {info.name} has no testnet; choose one with a sandbox.")
            key_exchange = (self.saved.exchange.api_key_ref or "").partition(":")[0]
            if not self.saved.exchange.api_key_ref:
                found.append(
                    f"Trading mode: {mode.value} needs an API key; add one on the Exchange tab."
                )
            elif key_exchange != exchange_id:
                found.append(
                    f"Exchange: the stored key is for {key_exchange}; save with that exchange, "
                    f"then add a key for {exchange_id} on the Exchange tab."
                )
        if mode is TradingMode.LIVE and not self._live_confirmed:
            found.append("Trading mode: live trading needs the typed confirmation.")
        return found

    def chosen_settings(self) -> Settings:
        """The settings as edited.

        Raises:
            ConfigError: a value is invalid.
        """
        mode = self.chosen_mode()
        limits, _ = self.risk.result()
        exchange_id = self.picker.selected_id() or self.saved.exchange.id
        exchange: dict[str, Any] = {"id": exchange_id, "sandbox": mode is TradingMode.TESTNET}
        if exchange_id != self.saved.exchange.id:
            exchange["ccxt_config"] = {}
        general = {
            **self.markets.changes(),
            "mode": mode.value,
            "theme": str(self.theme.currentData()),
            "notifications": self.notifications.isChecked(),
            "live_confirmed": mode is TradingMode.LIVE and self._live_confirmed,
        }
        return with_changes(
            self.saved,
            {
                "general": general,
                "exchange": exchange,
                "risk": (limits or self.saved.risk).to_mapping(),
                "logging": self.logging_form.changes(),
                "database": self.folders.database_changes(),
            },
        )

    def save(self) -> bool:
        """Validate and write the settings; False (reasons shown) when something is wrong."""
        problems = self.problems()
        if not problems:
            try:
                settings = self.chosen_settings()
                save_settings(settings, self.paths)
            except CryptobotError as exc:
                problems = [str(exc)]
        if problems:
            self.error.setText("\n".join(problems))
            return False
        self.result_settings = settings
        self.saved = settings
        logger.info("settings saved from the settings dialog (mode %s)", settings.general.mode)
        self.settings_saved.emit(settings)
        self.accept()
        return True
