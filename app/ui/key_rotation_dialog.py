"""Rotate an exchange API key in one dialog: enter the new key, test it, then forget the old one.

The new key is stored and the settings rewritten before the old key is deleted, so a failure
at any step leaves a working key. :func:`rotation_reminder` gives the main window the 90-day
reminder text.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from app.config.paths import AppPaths
from app.config.schema import Settings
from app.config.settings import save_settings, with_changes
from app.core.errors import CryptobotError, SecretStoreError
from app.core.time import now_ms
from app.security.api_keys import (
    ROTATION_DAYS,
    key_age_days,
    load_credentials,
    mask,
    rotation_due,
)
from app.security.key_operations import KeyOperations
from app.ui.form_kit import error_label
from app.ui.wizard.credentials_form import CredentialsForm

logger = logging.getLogger(__name__)


def rotation_reminder(settings: Settings, now: int | None = None) -> str | None:
    """The reminder to show when the key is :data:`ROTATION_DAYS` days old or older, else None."""
    exchange = settings.exchange
    current = now_ms() if now is None else now
    if not exchange.api_key_ref or not rotation_due(exchange.key_added_at, current):
        return None
    age = key_age_days(exchange.key_added_at or current, current)
    return (
        f"Your {exchange.id} API key is {age} days old. Rotate it (Settings > Exchange > "
        f"Rotate key…): keys older than {ROTATION_DAYS} days should be replaced."
    )


def describe_current_key(settings: Settings, operations: KeyOperations, now: int) -> str:
    """``"***abcd, added 12 days ago"`` or why there is no usable key."""
    exchange = settings.exchange
    if not exchange.api_key_ref:
        return "No API key is stored."
    try:
        credentials = load_credentials(operations.store, exchange.api_key_ref)
    except SecretStoreError as exc:
        return f"The stored key cannot be read: {exc}"
    age = ""
    if exchange.key_added_at is not None:
        days = key_age_days(exchange.key_added_at, now)
        age = f", added {days} days ago"
        if rotation_due(exchange.key_added_at, now):
            age += " (due for rotation)"
    return f"{mask(credentials.api_key)}{age}"


class KeyRotationDialog(QDialog):
    """Enter a new key, test it, then replace the old one (settings saved at once).

    Args:
        settings: the saved settings (their exchange and key reference).
        paths: where the settings are written.
        operations: key store, test and audit.
        parent: owning window.

    Signals:
        key_replaced(object): the saved :class:`Settings` holding the new key reference.
    """

    key_replaced = Signal(object)

    def __init__(
        self,
        settings: Settings,
        paths: AppPaths,
        operations: KeyOperations,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("keyRotationDialog")
        self.setWindowTitle("Rotate API key")
        self._settings = settings
        self._paths = paths
        self._operations = operations
        self.result_settings: Settings | None = None
        exchange = settings.exchange
        self.current = QLabel(
            f"Exchange: <b>{exchange.id}</b><br>Current key: "
            f"{describe_current_key(settings, operations, now_ms())}"
        )
        self.current.setObjectName("currentKey")
        steps = QLabel(
            "1. Create a new key on the exchange (reading and trading only, no withdrawals).<br>"
            "2. Enter it below and press Test connection.<br>"
            "3. Press Replace key: the new key is stored and the old one is forgotten. "
            "Then delete the old key on the exchange's website."
        )
        steps.setWordWrap(True)
        self.form = CredentialsForm(operations)
        self.form.set_exchange(
            exchange.id, sandbox=exchange.sandbox, ccxt_config=exchange.ccxt_config
        )
        self.error = error_label("rotationError")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.replace_button = self.buttons.addButton(
            "Replace key", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.replace_button.setObjectName("replaceKey")
        self.replace_button.setEnabled(False)
        self.buttons.accepted.connect(self.replace_key)
        self.buttons.rejected.connect(self.reject)
        self.form.test_finished.connect(self._on_tested)
        for field in (self.form.api_key, self.form.secret, self.form.passphrase):
            field.textEdited.connect(self._on_edited)
        layout = QVBoxLayout(self)
        layout.addWidget(self.current)
        layout.addWidget(steps)
        layout.addWidget(self.form)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.resize(620, 440)

    def replace_key(self) -> bool:
        """Store the tested key, save the settings, forget the old key; False with the reason."""
        if not self.form.tested_ok:
            self.error.setText("Test the new key first: press 'Test connection'.")
            return False
        exchange = self._settings.exchange
        try:
            stored = self._operations.add(exchange.id, self.form.credentials())
            updated = with_changes(
                self._settings,
                {"exchange": {"api_key_ref": stored.reference, "key_added_at": stored.added_at}},
            )
            save_settings(updated, self._paths)
        except CryptobotError as exc:
            self.error.setText(f"The key was not replaced: {exc}")
            return False
        old = exchange.api_key_ref
        try:
            if old and old != stored.reference:
                self._operations.retire(exchange.id, old, stored.reference)
        except CryptobotError as exc:
            logger.warning("the old key %s could not be forgotten: %s", old, exc)
            self.error.setText(f"The new key is in use, but the old one was not deleted: {exc}")
        self.result_settings = updated
        self.key_replaced.emit(updated)
        self.accept()
        return True

    def done(self, result: int) -> None:
        """Close; the connection-test worker is released."""
        self.form.tester.shutdown()
        super().done(result)

    def _on_tested(self, ok: bool) -> None:
        self.replace_button.setEnabled(ok)
        self.error.clear()

    def _on_edited(self, _text: str) -> None:
        self.replace_button.setEnabled(False)
