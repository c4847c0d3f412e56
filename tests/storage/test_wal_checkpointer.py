"""Background WAL checkpoints: commits never checkpoint inline, the thread does, nothing is lost."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from sqlalchemy import text

from app.storage.database import Database


def _fill(database: Database, rows: int) -> None:
    with database.connect() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)"))
    payload = "x" * 4000  # about one page per row
    for start in range(0, rows, 100):
        with database.connect() as connection:
            connection.execute(
                text("INSERT INTO t (v) VALUES (:v)"), [{"v": payload}] * min(100, rows - start)
            )


def test_commits_leave_checkpoints_to_the_background_thread(tmp_path: Path) -> None:
    path = tmp_path / "engine.db"
    database = Database(f"sqlite:///{path}", background_checkpoint=True)
    try:
        with database.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
        checkpointer = database._checkpointer
        assert checkpointer is not None
        _fill(database, 1500)  # past the default 1000-page auto-checkpoint threshold
        deadline = time.monotonic() + 10
        while checkpointer.runs == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert checkpointer.runs >= 1
        busy, wal_pages, done = checkpointer.checkpoint() or (1, 0, 0)
        assert busy == 0 and done == wal_pages > 1000  # all of the WAL moved in one go
    finally:
        database.dispose()
    with sqlite3.connect(path) as plain:
        assert plain.execute("SELECT count(*) FROM t").fetchone() == (1500,)


def test_the_default_keeps_sqlite_auto_checkpoint(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'plain.db'}")
    try:
        with database.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
        assert database._checkpointer is None
    finally:
        database.dispose()
