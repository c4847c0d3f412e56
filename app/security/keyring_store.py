"""Secrets in the OS keyring (Windows Credential Manager, Secret Service, KWallet)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import keyring
import keyring.errors

from app.core.errors import SecretStoreError

logger = logging.getLogger(__name__)

SERVICE_NAME = "cryptobot"


@dataclass(frozen=True, slots=True)
class KeyringStatus:
    """Whether a usable keyring backend exists, and a sentence a user can act on."""

    available: bool
    backend: str
    message: str


def keyring_status() -> KeyringStatus:
    """Describe the active keyring backend (no secret is read or written)."""
    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    priority = getattr(backend, "priority", 0)
    if "fail" in type(backend).__module__ or priority <= 0:
        return KeyringStatus(
            available=False,
            backend=name,
            message=(
                "No system keyring is available (common on headless Linux). Install and unlock "
                "a Secret Service provider such as GNOME Keyring or KWallet, or opt in to the "
                "encrypted key file protected by a password."
            ),
        )
    return KeyringStatus(True, name, f"API keys are stored in the system keyring ({name}).")


class KeyringSecretStore:
    """:class:`~app.core.ports.SecretStorePort` over the ``keyring`` package."""

    def __init__(self, service: str = SERVICE_NAME) -> None:
        self._service = service

    def get(self, reference: str) -> str | None:
        """The secret stored under ``reference``, or None when there is none."""
        try:
            return keyring.get_password(self._service, reference)
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(_explain(exc, "read")) from exc

    def set(self, reference: str, secret: str) -> None:
        """Store ``secret`` under ``reference`` (replacing any previous one)."""
        try:
            keyring.set_password(self._service, reference, secret)
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(_explain(exc, "save")) from exc

    def delete(self, reference: str) -> None:
        """Forget the secret under ``reference``; no error when it is already gone."""
        try:
            keyring.delete_password(self._service, reference)
        except keyring.errors.PasswordDeleteError:
            return
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(_explain(exc, "delete")) from exc


def _explain(exc: keyring.errors.KeyringError, action: str) -> str:
    if isinstance(exc, keyring.errors.NoKeyringError):
        return (
            f"could not {action} the API key: no system keyring is available. "
            "Install/unlock GNOME Keyring or KWallet, or use the encrypted key file."
        )
    if isinstance(exc, keyring.errors.KeyringLocked):
        return f"could not {action} the API key: the system keyring is locked; unlock it and retry."
    return f"could not {action} the API key in the system keyring: {type(exc).__name__}"
