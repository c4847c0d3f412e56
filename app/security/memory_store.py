"""A secret store that lives only in memory (tests, and sessions that must not persist keys)."""

from __future__ import annotations


class InMemorySecretStore:
    """:class:`~app.core.ports.SecretStorePort` backed by a dict; gone when the process ends."""

    def __init__(self) -> None:
        self._secrets: dict[str, str] = {}

    def get(self, reference: str) -> str | None:
        """The secret stored under ``reference``, or None."""
        return self._secrets.get(reference)

    def set(self, reference: str, secret: str) -> None:
        """Store ``secret`` under ``reference``."""
        self._secrets[reference] = secret

    def delete(self, reference: str) -> None:
        """Forget ``reference`` (no error when absent)."""
        self._secrets.pop(reference, None)
