"""The engine's own thread and asyncio loop: the UI and CLI submit coroutines to it.

A slow paint never delays a risk check: the engine never shares the UI thread's loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import sys
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from app.core.errors import EngineError

logger = logging.getLogger(__name__)

T = TypeVar("T")


def new_event_loop() -> asyncio.AbstractEventLoop:
    """A fresh event loop; the selector loop on Windows (aiohttp/ccxt need it)."""
    if sys.platform == "win32":
        return asyncio.SelectorEventLoop()
    return asyncio.new_event_loop()


class EngineThread:
    """Runs one asyncio loop in a dedicated daemon thread.

    ``submit`` hands a coroutine to that loop from any thread and returns a
    :class:`concurrent.futures.Future` (the Qt side wraps it with ``asyncio.wrap_future``).
    """

    def __init__(self, name: str = "cryptobot-engine") -> None:
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The engine loop (only valid while running)."""
        if self._loop is None:
            raise EngineError("the engine thread is not running")
        return self._loop

    @property
    def is_running(self) -> bool:
        """True between start() and stop()."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread and wait until its loop runs."""
        if self.is_running:
            return
        self._ready.clear()
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout=10):
            raise EngineError("the engine thread did not start within 10 s")

    def _run(self) -> None:
        loop = new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        loop.call_soon(self._ready.set)
        try:
            loop.run_forever()
        finally:
            try:
                pending = asyncio.all_tasks(loop)
                for task in pending:
                    task.cancel()
                if pending:
                    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()
                self._loop = None

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule ``coro`` on the engine loop from any thread."""
        if not self.is_running or self._loop is None:
            coro.close()
            raise EngineError("the engine thread is not running")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def call_soon(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` on the engine loop soon (thread-safe)."""
        self.loop.call_soon_threadsafe(callback)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Submit ``coro`` and block until it finishes (for the CLI and tests; never the UI)."""
        return self.submit(coro).result(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the loop (pending tasks are cancelled) and join the thread."""
        thread, loop = self._thread, self._loop
        if thread is None:
            return
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        if thread.is_alive():
            logger.error("engine thread did not stop within %.1f s", timeout)
        self._thread = None
