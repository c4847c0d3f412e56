"""API key, secret and passphrase fields with an asynchronous "Test connection" button.

Shared by the wizard's key page, the settings dialog and the key rotation dialog. A successful
test is remembered only while the fields stay unchanged: editing the key forgets it.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.security.api_keys import ApiCredentials
from app.security.key_operations import KeyOperations, protect
from app.ui.connection_test import ConnectionTester, format_balances
from app.ui.form_kit import ERROR_COLOUR, OK_COLOUR, status_style
from app.ui.wizard.catalog import exchange_info

logger = logging.getLogger(__name__)

__all__ = ["ERROR_COLOUR", "OK_COLOUR", "CredentialsForm", "describe_report"]


def describe_report(exchange_id: str, report: Any) -> str:
    """A sentence about a successful connection test: markets, balances, permissions."""
    text = (
        f"Connected to {exchange_id}: {report.markets} markets. "
        f"Balances: {format_balances(report.balances)}."
    )
    permissions = report.permissions
    if permissions is None:
        return text + (
            " This exchange does not report key permissions: make sure withdrawals are "
            "disabled for this key on the exchange."
        )
    granted = [name for name in ("reading", "trading") if permissions.get(name)]
    return text + f" Key permissions: {', '.join(granted) or 'none'}; withdrawals disabled."


class CredentialsForm(QWidget):
    """Key fields plus Test connection.

    Args:
        operations: tests keys (and audits the tests).

    Signals:
        test_finished(bool): a test ended (True: passed).
    """

    test_finished = Signal(bool)

    def __init__(self, operations: KeyOperations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._operations = operations
        self._exchange_id = ""
        self._sandbox = False
        self._ccxt_config: Mapping[str, Any] = {}
        self._needs_passphrase = False
        self.report: Any = None
        self.api_key = QLineEdit()
        self.api_key.setObjectName("apiKey")
        self.secret = QLineEdit()
        self.secret.setObjectName("apiSecret")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("apiPassphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_label = QLabel("Passphrase")
        self.test_button = QPushButton("Test connection")
        self.test_button.setObjectName("testConnection")
        self.status = QLabel("")
        self.status.setObjectName("connectionStatus")
        self.status.setWordWrap(True)
        form = QFormLayout()
        form.addRow("API key", self.api_key)
        form.addRow("Secret", self.secret)
        form.addRow(self.passphrase_label, self.passphrase)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.tester = ConnectionTester(self)
        self.tester.succeeded.connect(self._on_succeeded)
        self.tester.failed.connect(self._on_failed)
        self.test_button.clicked.connect(self.test_connection)
        for field in (self.api_key, self.secret, self.passphrase):
            field.textEdited.connect(self._forget_test)
        self.set_target("binance", needs_passphrase=False)

    def set_target(
        self,
        exchange_id: str,
        *,
        needs_passphrase: bool,
        sandbox: bool = False,
        ccxt_config: Mapping[str, Any] | None = None,
    ) -> None:
        """Which exchange the key belongs to (a change forgets an earlier test)."""
        changed = (exchange_id, sandbox) != (self._exchange_id, self._sandbox)
        self._exchange_id = exchange_id
        self._sandbox = sandbox
        self._ccxt_config = dict(ccxt_config or {})
        self.passphrase.setVisible(needs_passphrase)
        self.passphrase_label.setVisible(needs_passphrase)
        self._needs_passphrase = needs_passphrase
        if changed:
            self._forget_test()

    def set_exchange(
        self, exchange_id: str, *, sandbox: bool, ccxt_config: Mapping[str, Any] | None
    ) -> None:
        """Point the form at a catalogue exchange (with a passphrase field where it needs one)."""
        info = exchange_info(exchange_id)
        self.set_target(
            exchange_id,
            needs_passphrase=bool(info and info.needs_passphrase),
            sandbox=sandbox,
            ccxt_config=ccxt_config,
        )

    def credentials(self) -> ApiCredentials:
        """The typed key (spaces around each value removed)."""
        password = self.passphrase.text().strip() if self._needs_passphrase else ""
        return ApiCredentials(
            self.api_key.text().strip(), self.secret.text().strip(), password or None
        )

    def problems(self) -> list[str]:
        """Missing fields, by name."""
        found = []
        if not self.api_key.text().strip():
            found.append("API key: paste the key from the exchange's API management page")
        if not self.secret.text().strip():
            found.append("Secret: paste the secret shown when the key was created")
        if self._needs_passphrase and not self.passphrase.text().strip():
            found.append(f"Passphrase: {self._exchange_id} keys need the passphrase set for them")
        return found

    @property
    def tested_ok(self) -> bool:
        """True when the current fields passed a connection test."""
        return self.report is not None

    def test_connection(self) -> concurrent.futures.Future[Any] | None:
        """Start a test of the typed key; None when a field is missing (shown in the status)."""
        if self.tester.busy:
            return None
        problems = self.problems()
        if problems:
            self._show(" ".join(problems), ok=False)
            return None
        credentials = self.credentials()
        protect(credentials)
        self._forget_test()
        self.test_button.setEnabled(False)
        self._show(f"Testing the connection to {self._exchange_id}…", ok=None)
        exchange_id, sandbox, config = self._exchange_id, self._sandbox, dict(self._ccxt_config)
        return self.tester.start(
            lambda: self._operations.test(
                exchange_id, credentials, sandbox=sandbox, ccxt_config=config
            )
        )

    def clear(self) -> None:
        """Empty every field and forget the test."""
        for field in (self.api_key, self.secret, self.passphrase):
            field.clear()
        self._forget_test()

    def _forget_test(self) -> None:
        self.report = None
        if not self.tester.busy:
            self.status.clear()

    def _on_succeeded(self, report: Any) -> None:
        self.test_button.setEnabled(True)
        self.report = report
        self._show(describe_report(self._exchange_id, report), ok=True)
        self.test_finished.emit(True)

    def _on_failed(self, message: str) -> None:
        self.test_button.setEnabled(True)
        self.report = None
        self._show(message, ok=False)
        self.test_finished.emit(False)

    def _show(self, text: str, *, ok: bool | None) -> None:
        self.status.setStyleSheet(status_style(ok))
        self.status.setText(text)
