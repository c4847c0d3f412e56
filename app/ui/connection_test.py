"""Run "Test connection" without freezing the window, and explain its outcome in plain words.

:class:`ConnectionTester` runs a coroutine on a private worker thread with its own asyncio loop
and reports back through Qt signals (delivered on the GUI thread), so it works the same under
qasync, a plain Qt loop and pytest-qt.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.core.errors import (
    AuthenticationError,
    ClockSkewError,
    ConfigError,
    CryptobotError,
    PermissionDenied,
    SecretStoreError,
    StorageError,
    TemporaryExchangeError,
)
from app.core.models import Balance
from app.ui.bridge import when_done

logger = logging.getLogger(__name__)

CoroutineFactory = Callable[[], Coroutine[Any, Any, Any]]


class ConnectionTester(QObject):
    """Runs one connection test at a time off the GUI thread.

    Signals:
        succeeded(object): the coroutine's result.
        failed(str): a sentence for the user saying what went wrong and what to do.
    """

    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="key-test")
        self._future: concurrent.futures.Future[Any] | None = None

    @property
    def busy(self) -> bool:
        """True while a test is running."""
        return self._future is not None and not self._future.done()

    def start(self, factory: CoroutineFactory) -> concurrent.futures.Future[Any]:
        """Run ``factory()`` on the worker's event loop; the outcome arrives as a signal.

        Args:
            factory: makes the coroutine (called on the worker thread).

        Returns:
            The future of the result (``await asyncio.wrap_future(...)`` under qasync).

        Raises:
            RuntimeError: a test is already running.
        """
        if self.busy:
            raise RuntimeError("a connection test is already running")
        # Collect cyclic garbage here, on the GUI thread: a collection started by the worker
        # thread could otherwise destroy Qt objects off the GUI thread (a crash).
        gc.collect()
        future = self._pool.submit(lambda: asyncio.run(factory()))
        # Delivered on the GUI thread; dropped with this object if its window closed meanwhile.
        when_done(future, self.succeeded.emit, self._report_failure, parent=self)
        self._future = future
        return future

    def _report_failure(self, exc: BaseException) -> None:
        if not isinstance(exc, CryptobotError):
            logger.error("connection test failed unexpectedly", exc_info=exc)
        self.failed.emit(describe_connection_error(exc))

    def shutdown(self) -> None:
        """Stop accepting tests; a running one finishes in the background."""
        self._pool.shutdown(wait=False, cancel_futures=True)


def describe_connection_error(exc: BaseException) -> str:
    """A message for the user: what failed, in words they know, and what to do about it.

    Args:
        exc: the error the connection test raised.
    """
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, ClockSkewError):
        return (
            "Clock out of sync: the exchange rejected the request time. Turn on automatic "
            f"date and time (NTP) on this computer, then test again. ({detail})"
        )
    if isinstance(exc, PermissionDenied):
        return f"Key refused: {detail}"
    if isinstance(exc, AuthenticationError):
        return (
            "The exchange rejected the key: check that the API key, secret (and passphrase) "
            "are copied completely, and that this computer's IP address is on the key's "
            f"allow-list. ({detail})"
        )
    if isinstance(exc, TemporaryExchangeError):
        return (
            "Could not reach the exchange: check the internet connection, firewall or proxy, "
            f"then test again. ({detail})"
        )
    if isinstance(exc, ConfigError | SecretStoreError | StorageError | CryptobotError):
        return detail
    return f"The connection test failed unexpectedly ({type(exc).__name__}: {detail})"


def format_balances(balances: Mapping[str, Balance], limit: int = 6) -> str:
    """``"BTC 0.5, USDT 10000"``: balances by currency code, exact as the exchange sent them."""
    if not balances:
        return "no funds on this account yet"
    items = sorted(balances.values(), key=lambda item: item.currency)
    shown = ", ".join(f"{item.currency} {item.total.normalize():f}" for item in items[:limit])
    more = len(items) - limit
    return shown + (f" and {more} more" if more > 0 else "")
