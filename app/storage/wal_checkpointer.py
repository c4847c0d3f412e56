"""Background WAL checkpoints for SQLite: keeps the checkpoint's fsync off the commit path.

In WAL mode with ``synchronous=NORMAL`` a commit does not fsync, but the commit that crosses the
auto-checkpoint threshold copies the WAL into the database file and fsyncs it inline: a
multi-millisecond stall for whoever committed (measured on the engine's order path: p99 7 ms on
disk, 2.6 ms on tmpfs). With a checkpointer, auto-checkpoint is off on the app's connections and
a daemon thread runs PASSIVE checkpoints on its own connection, which never blocks writers or
readers. Durability is unchanged: a committed transaction is in the WAL either way.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

logger = logging.getLogger(__name__)


class WalCheckpointer:
    """Runs ``PRAGMA wal_checkpoint(PASSIVE)`` every ``interval_s`` on a background thread.

    Args:
        path: the SQLite database file.
        interval_s: seconds between checkpoints.
        busy_timeout_ms: how long the checkpoint connection waits on a lock.
    """

    def __init__(
        self, path: Path, *, interval_s: float = 1.0, busy_timeout_ms: int = 10_000
    ) -> None:
        self._path = path
        self._interval_s = interval_s
        self._busy_timeout_ms = busy_timeout_ms
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._thread: threading.Thread | None = None
        self.runs = 0
        self.last_result: tuple[int, int, int] | None = None

    def start(self) -> None:
        """Start the background thread (idempotent)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(
            target=self._loop, name=f"wal-checkpoint:{self._path.name}", daemon=True
        )
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self._interval_s):
            self.checkpoint()

    def checkpoint(self) -> tuple[int, int, int] | None:
        """One PASSIVE checkpoint now: ``(busy, wal pages, pages checkpointed)``, None on error."""
        with self._lock:
            try:
                if self._connection is None:
                    self._connection = sqlite3.connect(
                        self._path, timeout=self._busy_timeout_ms / 1000, check_same_thread=False
                    )
                row = self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            except sqlite3.Error as exc:
                logger.warning("WAL checkpoint of %s failed: %s", self._path, exc)
                return None
            self.runs += 1
            self.last_result = (int(row[0]), int(row[1]), int(row[2]))
            return self.last_result

    def stop(self) -> None:
        """Stop the thread, run a last checkpoint and close the connection."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self.checkpoint()
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
