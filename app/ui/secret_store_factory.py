"""Choose where API keys live: the OS keyring, or (opt-in) the password-protected key file.

Where no keyring backend exists (headless Linux) the user is told so and may choose the
encrypted key file; the password is asked here and never stored.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.config.paths import AppPaths
from app.core.errors import SecretStoreError
from app.core.ports import SecretStorePort
from app.security.encrypted_file_store import MIN_PASSWORD_LENGTH, EncryptedFileSecretStore
from app.security.keyring_store import KeyringSecretStore, keyring_status
from app.ui.wizard.credentials_form import ERROR_COLOUR

logger = logging.getLogger(__name__)

KEY_FILE_NAME = "api-keys.enc"


def key_file_path(paths: AppPaths) -> Path:
    """Where the encrypted key file lives (next to the settings)."""
    return paths.config_dir / KEY_FILE_NAME


class KeyFileDialog(QDialog):
    """Explains why there is no keyring and asks the key file's password.

    Creating a file asks for the password twice; an existing file is unlocked. After
    ``accepted``, :attr:`store` is the open key file.

    Args:
        path: the key file.
        reason: why the keyring cannot be used (shown first).
        parent: owning window.
    """

    def __init__(self, path: Path, reason: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keyFileDialog")
        self.path = path
        self.creating = not path.exists()
        self.store: EncryptedFileSecretStore | None = None
        self.setWindowTitle("Create the key file" if self.creating else "Unlock the key file")
        explanation = QLabel(
            f"{reason}<br><br>"
            + (
                f"Choose a password (at least {MIN_PASSWORD_LENGTH} characters) for the "
                f"encrypted key file {path}. It is asked each time Cryptobot starts and cannot "
                "be recovered: without it, enter your API keys again."
                if self.creating
                else f"Enter the password of the encrypted key file {path}."
            )
        )
        explanation.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setObjectName("keyFilePassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit()
        self.repeat.setObjectName("keyFileRepeat")
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow("Password", self.password)
        if self.creating:
            form.addRow("Repeat it", self.repeat)
        else:
            self.repeat.hide()
        self.error = QLabel("")
        self.error.setObjectName("keyFileError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {ERROR_COLOUR};")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton("Use the key file", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    def accept(self) -> None:
        """Create or unlock the file; stay open with the reason when that fails."""
        password = self.password.text()
        if self.creating and password != self.repeat.text():
            self.error.setText("The two passwords differ; type the same password twice.")
            return
        try:
            if self.creating:
                self.store = EncryptedFileSecretStore.create(self.path, password)
            else:
                self.store = EncryptedFileSecretStore.unlock(self.path, password)
        except SecretStoreError as exc:
            self.error.setText(str(exc).capitalize())
            self.password.clear()
            self.repeat.clear()
            return
        logger.info("API keys are kept in the encrypted key file %s", self.path)
        super().accept()


def open_secret_store(parent: QWidget | None, paths: AppPaths) -> SecretStorePort | None:
    """The OS keyring when one is available, else the key file if the user opts in.

    Blocks on the password dialog (start-up, before the main window works).

    Args:
        parent: owning window.
        paths: the application's directories.

    Returns:
        The store, or None when the user declined (offline and paper modes still work).
    """
    status = keyring_status()
    if status.available:
        return KeyringSecretStore()
    logger.warning("%s", status.message)
    dialog = KeyFileDialog(key_file_path(paths), status.message, parent)
    if dialog.exec() == QDialog.DialogCode.Accepted:
        return dialog.store
    return None
