"""Without a keyring, the user is told so and may opt in to the encrypted key file."""

from __future__ import annotations

import keyring
import keyring.backends.fail
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from app.config.paths import resolve_paths
from app.security.api_keys import ApiCredentials, load_credentials, save_credentials
from app.security.encrypted_file_store import EncryptedFileSecretStore
from app.security.keyring_store import KeyringSecretStore
from app.ui.secret_store_factory import KeyFileDialog, key_file_path, open_secret_store

PASSWORD = "correct horse battery"


def test_keyring_is_used_when_available() -> None:
    assert isinstance(open_secret_store(None, resolve_paths()), KeyringSecretStore)


def test_no_keyring_opens_the_key_file_dialog(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_keyring = keyring.backends.fail.Keyring()  # type: ignore[no-untyped-call]
    monkeypatch.setattr(keyring, "get_keyring", lambda: no_keyring)
    seen: list[str] = []

    def fill_in() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, KeyFileDialog)
        seen.append(dialog.findChildren(QLabel)[0].text())
        dialog.password.setText(PASSWORD)
        dialog.repeat.setText(PASSWORD)
        dialog.accept()

    QTimer.singleShot(0, fill_in)
    store = open_secret_store(None, resolve_paths())
    assert isinstance(store, EncryptedFileSecretStore)
    assert "No system keyring is available" in seen[0]


def test_key_file_dialog_validates_the_password(qtbot: QtBot) -> None:
    path = key_file_path(resolve_paths())
    dialog = KeyFileDialog(path, "No system keyring is available.")
    qtbot.addWidget(dialog)
    dialog.open()
    assert dialog.creating and dialog.repeat.isVisibleTo(dialog)

    dialog.password.setText("short")
    dialog.repeat.setText("short")
    dialog.accept()
    assert dialog.isVisible() and "at least 8 characters" in dialog.error.text()
    dialog.password.setText(PASSWORD)
    dialog.repeat.setText(PASSWORD + "!")
    dialog.accept()
    assert "two passwords differ" in dialog.error.text()
    assert not path.exists()

    dialog.password.setText(PASSWORD)
    dialog.repeat.setText(PASSWORD)
    dialog.accept()
    assert not dialog.isVisible() and dialog.store is not None
    save_credentials(dialog.store, "binance:key-1", ApiCredentials("the-key-0001", "the-secret"))
    raw = path.read_bytes()
    assert b"the-secret" not in raw and b"the-key-0001" not in raw

    unlock = KeyFileDialog(path, "No system keyring is available.")
    qtbot.addWidget(unlock)
    unlock.open()
    assert not unlock.creating and not unlock.repeat.isVisibleTo(unlock)
    unlock.password.setText("wrong password")
    unlock.accept()
    assert "Wrong password" in unlock.error.text()
    unlock.password.setText(PASSWORD)
    unlock.accept()
    assert unlock.store is not None
    assert load_credentials(unlock.store, "binance:key-1").secret == "the-secret"
    reopened = EncryptedFileSecretStore.unlock(path, PASSWORD)
    assert reopened.get("binance:key-1") is not None
