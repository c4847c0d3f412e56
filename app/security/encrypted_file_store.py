"""Opt-in encrypted key file for machines without a system keyring (headless Linux).

Layout: one JSON document ``{"format", "version", "kdf": {scrypt n/r/p, salt}, "nonce",
"ciphertext"}``. The key is derived from the user's password with scrypt; the secrets (a JSON
object ``reference -> secret``) are sealed with AES-256-GCM, so a wrong password or a tampered
file is detected, never silently accepted. The password is never written anywhere.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from app.core.errors import SecretStoreError

FORMAT = "cryptobot-secrets"
VERSION = 1
MIN_PASSWORD_LENGTH = 8
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _derive_key(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(password.encode("utf-8"))


class EncryptedFileSecretStore:
    """:class:`~app.core.ports.SecretStorePort` over a password-protected file.

    Use :meth:`create` for a new file and :meth:`unlock` for an existing one.
    """

    def __init__(self, path: Path, key: bytes, salt: bytes, kdf: dict[str, int]) -> None:
        self._path = path
        self._aead = AESGCM(key)
        self._salt = salt
        self._kdf = kdf
        self._secrets: dict[str, str] = {}

    @classmethod
    def create(cls, path: Path, password: str) -> EncryptedFileSecretStore:
        """Create a new, empty key file protected by ``password``.

        Raises:
            SecretStoreError: the file exists already, or the password is too short.
        """
        if len(password) < MIN_PASSWORD_LENGTH:
            raise SecretStoreError(
                f"the key-file password must have at least {MIN_PASSWORD_LENGTH} characters"
            )
        if path.exists():
            raise SecretStoreError(f"{path} exists already; unlock it instead of creating it")
        salt = secrets.token_bytes(16)
        store = cls(path, _derive_key(password, salt, **_SCRYPT), salt, dict(_SCRYPT))
        store._save()
        return store

    @classmethod
    def unlock(cls, path: Path, password: str) -> EncryptedFileSecretStore:
        """Open an existing key file.

        Raises:
            SecretStoreError: missing/corrupt file, or wrong password.
        """
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            if document.get("format") != FORMAT or document.get("version") != VERSION:
                raise ValueError("not a Cryptobot key file")
            kdf = {k: int(document["kdf"][k]) for k in ("n", "r", "p")}
            salt = _unb64(document["kdf"]["salt"])
            nonce = _unb64(document["nonce"])
            ciphertext = _unb64(document["ciphertext"])
        except FileNotFoundError:
            raise SecretStoreError(f"the encrypted key file {path} does not exist") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise SecretStoreError(f"the encrypted key file {path} is damaged: {exc}") from exc
        store = cls(path, _derive_key(password, salt, **kdf), salt, kdf)
        try:
            plaintext = store._aead.decrypt(nonce, ciphertext, FORMAT.encode("ascii"))
        except InvalidTag:
            raise SecretStoreError(
                "wrong password for the encrypted key file (or the file was modified)"
            ) from None
        store._secrets = dict(json.loads(plaintext.decode("utf-8")))
        return store

    def get(self, reference: str) -> str | None:
        """The secret stored under ``reference``, or None."""
        return self._secrets.get(reference)

    def set(self, reference: str, secret: str) -> None:
        """Store ``secret`` under ``reference`` and rewrite the file atomically."""
        self._secrets[reference] = secret
        self._save()

    def delete(self, reference: str) -> None:
        """Forget ``reference`` and rewrite the file (no error when absent)."""
        if self._secrets.pop(reference, None) is not None:
            self._save()

    def _save(self) -> None:
        nonce = secrets.token_bytes(12)
        plaintext = json.dumps(self._secrets).encode("utf-8")
        sealed = self._aead.encrypt(nonce, plaintext, FORMAT.encode("ascii"))
        document: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "kdf": {"name": "scrypt", **self._kdf, "salt": _b64(self._salt)},
            "nonce": _b64(nonce),
            "ciphertext": _b64(sealed),
        }
        self._path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._path.with_name(self._path.name + ".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(document, handle)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(self._path)
