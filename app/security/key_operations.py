"""Key operations (add, test, replace, remove), each recorded in the audit log without the key.

:class:`KeyOperations` is what the setup wizard, the settings dialog and the key rotation dialog
use. It depends on three injected pieces so it stays testable and free of UI code: the secret
store, an audit sink and a connection check (:func:`default_key_operations` wires the real ones).
Every secret it handles is registered for log redaction before anything else happens.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from app.core.errors import CryptobotError
from app.core.ports import SecretStorePort
from app.core.time import now_ms
from app.observability.redaction import register_secret
from app.security.api_keys import ApiCredentials, credential_reference, mask, save_credentials

logger = logging.getLogger(__name__)

COMPONENT = "security"
"""Audit records' component."""


class KeyAuditPort(Protocol):
    """Where key operations are recorded (the audit log)."""

    def __call__(self, kind: str, message: str, payload: dict[str, Any]) -> None:
        """Append one record; ``payload`` never holds a secret."""
        ...


class ConnectionReportLike(Protocol):
    """What a connection test returns (``app.exchange.connection_check.ConnectionReport``)."""

    @property
    def markets(self) -> int:
        """Number of markets listed."""
        ...

    @property
    def permissions(self) -> Mapping[str, bool] | None:
        """The key's permissions where the venue reports them."""
        ...


ConnectionCheck = Callable[
    [str, ApiCredentials, bool, Mapping[str, Any]], Awaitable[ConnectionReportLike]
]
"""``(exchange_id, credentials, sandbox, ccxt_config) -> report``; raises on failure."""


@dataclass(frozen=True, slots=True)
class StoredKey:
    """Where a key was stored and when (the two values the settings keep)."""

    reference: str
    added_at: int


class KeyOperations:
    """Add, test, replace and remove exchange API keys, auditing each operation.

    Args:
        store: where secrets live (OS keyring or the encrypted key file).
        audit: records each operation (never the key itself).
        check: tests a key against its exchange.
        clock: ms UTC now (replaced in tests).
    """

    def __init__(
        self,
        store: SecretStorePort,
        audit: KeyAuditPort,
        check: ConnectionCheck,
        clock: Callable[[], int] = now_ms,
    ) -> None:
        self.store = store
        self._audit = audit
        self._check = check
        self._clock = clock

    async def test(
        self,
        exchange_id: str,
        credentials: ApiCredentials,
        *,
        sandbox: bool = False,
        ccxt_config: Mapping[str, Any] | None = None,
    ) -> Any:
        """Test ``credentials`` against the exchange and record the outcome.

        Args:
            exchange_id: ccxt id.
            credentials: the key to test.
            sandbox: use the venue's testnet.
            ccxt_config: extra ccxt constructor arguments.

        Returns:
            The connection report.

        Raises:
            CryptobotError: the test failed (the subclass says why: bad key, permissions,
                clock skew, network); the failure is audited first.
        """
        protect(credentials)
        payload = _payload(exchange_id, credentials)
        try:
            report = await self._check(exchange_id, credentials, sandbox, dict(ccxt_config or {}))
        except CryptobotError as exc:
            payload.update(ok=False, error=type(exc).__name__)
            self._audit("key_tested", f"{exchange_id} API key test failed", payload)
            raise
        payload.update(ok=True, markets=report.markets)
        if report.permissions is not None:
            payload["permissions"] = dict(report.permissions)
        self._audit("key_tested", f"{exchange_id} API key test passed", payload)
        return report

    def add(self, exchange_id: str, credentials: ApiCredentials) -> StoredKey:
        """Store a new key under a fresh reference.

        Raises:
            SecretStoreError: empty key/secret, or the store refused.
        """
        protect(credentials)
        added_at = self._clock()
        reference = credential_reference(exchange_id, f"key-{added_at}")
        save_credentials(self.store, reference, credentials)
        payload = _payload(exchange_id, credentials, reference)
        self._audit("key_added", f"{exchange_id} API key added", payload)
        logger.info("%s API key %s stored as %s", exchange_id, mask(credentials.api_key), reference)
        return StoredKey(reference, added_at)

    def retire(self, exchange_id: str, old_reference: str, new_reference: str) -> None:
        """Forget the key a new one replaced (call once the settings point at the new one).

        Raises:
            SecretStoreError: the store refused (the new key stays stored and in use).
        """
        self.store.delete(old_reference)
        self._audit(
            "key_replaced",
            f"{exchange_id} API key replaced",
            {"exchange": exchange_id, "reference": new_reference, "replaced": old_reference},
        )
        logger.info("%s API key %s replaced %s", exchange_id, new_reference, old_reference)

    def remove(self, exchange_id: str, reference: str) -> None:
        """Forget the key stored under ``reference``.

        Raises:
            SecretStoreError: the store refused.
        """
        self.store.delete(reference)
        self._audit(
            "key_removed",
            f"{exchange_id} API key removed",
            {"exchange": exchange_id, "reference": reference},
        )
        logger.info("%s API key %s removed", exchange_id, reference)


def protect(credentials: ApiCredentials) -> None:
    """Register every secret part of ``credentials`` for log redaction."""
    for value in credentials.secret_values():
        register_secret(value)


def _payload(
    exchange_id: str, credentials: ApiCredentials, reference: str | None = None
) -> dict[str, Any]:
    payload: dict[str, Any] = {"exchange": exchange_id, "masked_key": mask(credentials.api_key)}
    if reference is not None:
        payload["reference"] = reference
    return payload
