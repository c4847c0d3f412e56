"""Exchange API credentials: stored as one secret per key, referenced from the settings.

The settings file keeps only the reference (``"binance:default"``) and the date the key was
added; the key, secret and passphrase live in the secret store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from app.core.errors import SecretStoreError
from app.core.ports import SecretStorePort

ROTATION_DAYS = 90
_DAY_MS = 86_400_000


@dataclass(frozen=True, slots=True)
class ApiCredentials:
    """An exchange API key. ``repr`` never shows the secret parts."""

    api_key: str
    secret: str
    password: str | None = None

    def __repr__(self) -> str:
        return f"ApiCredentials(api_key='{mask(self.api_key)}', secret='***')"

    __str__ = __repr__

    def secret_values(self) -> tuple[str, ...]:
        """Every sensitive string, for the log redaction registry."""
        values = (self.api_key, self.secret, self.password or "")
        return tuple(v for v in values if v)

    def ccxt_credentials(self) -> dict[str, str]:
        """The ``apiKey``/``secret``/``password`` entries of a ccxt constructor config."""
        out = {"apiKey": self.api_key, "secret": self.secret}
        if self.password:
            out["password"] = self.password
        return out


def mask(value: str) -> str:
    """Show only the last 4 characters of a key (for the UI and logs)."""
    return "***" if len(value) <= 8 else f"***{value[-4:]}"


def credential_reference(exchange_id: str, label: str = "default") -> str:
    """The settings' reference for an exchange key, e.g. ``"binance:default"``."""
    return f"{exchange_id}:{label}"


def save_credentials(store: SecretStorePort, reference: str, credentials: ApiCredentials) -> None:
    """Put ``credentials`` in ``store`` under ``reference``.

    Raises:
        SecretStoreError: empty key/secret, or the store refused.
    """
    if not credentials.api_key.strip() or not credentials.secret.strip():
        raise SecretStoreError("both the API key and the secret are required")
    payload = {"api_key": credentials.api_key, "secret": credentials.secret}
    if credentials.password:
        payload["password"] = credentials.password
    store.set(reference, json.dumps(payload))


def load_credentials(store: SecretStorePort, reference: str) -> ApiCredentials:
    """Read the credentials stored under ``reference``.

    Raises:
        SecretStoreError: nothing stored there, or the stored value is damaged.
    """
    raw = store.get(reference)
    if raw is None:
        raise SecretStoreError(
            f"no API key is stored for {reference!r}; enter it again in Settings > Exchange"
        )
    try:
        payload = json.loads(raw)
        return ApiCredentials(payload["api_key"], payload["secret"], payload.get("password"))
    except (ValueError, KeyError, TypeError) as exc:
        raise SecretStoreError(
            f"the stored API key for {reference!r} is damaged; enter it again"
        ) from exc


def rotation_due(added_at_ms: int | None, now_ms: int, days: int = ROTATION_DAYS) -> bool:
    """True when a key added at ``added_at_ms`` is ``days`` old or older (remind to rotate)."""
    return added_at_ms is not None and now_ms - added_at_ms >= days * _DAY_MS


def key_age_days(added_at_ms: int, now_ms: int) -> int:
    """Whole days since the key was added."""
    return max(0, (now_ms - added_at_ms) // _DAY_MS)
