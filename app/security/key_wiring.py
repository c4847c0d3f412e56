"""The real pieces behind :class:`~app.security.key_operations.KeyOperations`.

The audit sink writes to the app database's audit log; the connection check is
:func:`app.exchange.connection_check.check_connection`. UI code gets a ready
:class:`KeyOperations` from :func:`default_key_operations` and never touches the exchange or
storage packages itself.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from app.config.paths import AppPaths
from app.config.schema import Settings
from app.config.settings import database_url
from app.core.ports import SecretStorePort
from app.exchange.connection_check import ConnectionReport, check_connection
from app.exchange.credentials import Credentials
from app.security.api_keys import ApiCredentials
from app.security.key_operations import COMPONENT, KeyOperations
from app.storage.database import Database
from app.storage.repositories import AuditLog

logger = logging.getLogger(__name__)

__all__ = [
    "ConnectionReport",
    "DatabaseKeyAudit",
    "ccxt_connection_check",
    "default_key_operations",
]


class DatabaseKeyAudit:
    """Appends key operations to the audit log of the database the settings point at.

    The URL is asked for on every record (the wizard may change the data folder); each
    database is opened and migrated once.

    Args:
        url: returns the SQLAlchemy URL to write to.
    """

    def __init__(self, url: Callable[[], str]) -> None:
        self._url = url
        self._databases: dict[str, Database] = {}
        self._lock = threading.Lock()

    def __call__(self, kind: str, message: str, payload: dict[str, Any]) -> None:
        """Append one record.

        Raises:
            StorageError: the database cannot be opened, migrated or written.
        """
        url = self._url()
        with self._lock:
            database = self._databases.get(url)
            if database is None:
                database = Database(url)
                database.migrate()
                self._databases[url] = database
        AuditLog(database).append(kind, message, component=COMPONENT, payload=payload)

    def close(self) -> None:
        """Release every database connection."""
        with self._lock:
            for database in self._databases.values():
                database.dispose()
            self._databases.clear()


async def ccxt_connection_check(
    exchange_id: str,
    credentials: ApiCredentials,
    sandbox: bool,
    ccxt_config: Mapping[str, Any],
) -> ConnectionReport:
    """:data:`~app.security.key_operations.ConnectionCheck` over the ccxt adapter."""
    return await check_connection(
        exchange_id,
        Credentials(credentials.api_key, credentials.secret, credentials.password),
        sandbox=sandbox,
        ccxt_config=ccxt_config,
    )


def default_key_operations(
    store: SecretStorePort, paths: AppPaths, settings: Callable[[], Settings]
) -> KeyOperations:
    """Key operations on ``store``, audited in the database of the current ``settings()``.

    Args:
        store: the secret store (keyring or encrypted file).
        paths: the application's directories.
        settings: returns the settings being edited (their database URL is used).
    """
    audit = DatabaseKeyAudit(lambda: database_url(settings(), paths))
    return KeyOperations(store, audit, ccxt_connection_check)
