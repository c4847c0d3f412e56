"""The database: engine set-up (SQLite WAL by default, any SQLAlchemy URL), migrations, sessions."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.core.errors import StorageError
from app.storage.errors import storage_error
from app.storage.wal_checkpointer import WalCheckpointer

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
_IMMEDIATE = "cryptobot_immediate"


class Database:
    """One database, reached through one SQLAlchemy engine.

    SQLite files get their parent folder created and run with ``journal_mode=WAL``,
    ``synchronous=NORMAL``, ``foreign_keys=ON`` and a busy timeout. Write sessions on SQLite
    start with ``BEGIN IMMEDIATE`` so two processes never fail half-way through a
    read-modify-write; other databases use their default isolation.

    Args:
        url: any SQLAlchemy URL, e.g. ``sqlite:///C:/Users/me/cryptobot.db`` or
            ``postgresql+psycopg://user@host/cryptobot``.
        busy_timeout_ms: how long SQLite waits for another writer before "database is locked".
        background_checkpoint: SQLite files only: checkpoint the WAL from a background thread
            instead of inside the commit that fills it (no fsync stall on latency-critical
            writers such as the order path); stopped by :meth:`dispose`.

    Raises:
        StorageError: the URL is malformed or the folder of the SQLite file cannot be created.
    """

    def __init__(
        self,
        url: str,
        *,
        busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
        background_checkpoint: bool = False,
    ) -> None:
        try:
            parsed = make_url(url)
        except (SQLAlchemyError, ValueError) as exc:
            # The text is not echoed: it may hold a password.
            raise StorageError(
                "the database URL (CRYPTOBOT_DB_URL or settings database.url) is not a valid "
                "SQLAlchemy URL; use e.g. sqlite:///path/to/cryptobot.db"
            ) from exc
        self.url = url
        self.display_url = parsed.render_as_string(hide_password=True)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self.sqlite_path: Path | None = None
        if self.is_sqlite and parsed.database not in (None, "", ":memory:"):
            self.sqlite_path = Path(str(parsed.database)).expanduser()
            try:
                self.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(
                    f"cannot create the database folder {self.sqlite_path.parent}: "
                    f"{exc.strerror or exc}; choose a writable location"
                ) from exc
        try:
            self.engine: Engine = create_engine(url, json_serializer=_dump_json)
        except (SQLAlchemyError, ImportError) as exc:
            raise StorageError(
                f"database URL {self.display_url} cannot be used: {exc}; install its driver "
                "or use a sqlite:/// URL"
            ) from exc
        self._checkpointer: WalCheckpointer | None = None
        if self.is_sqlite:
            background = background_checkpoint and self.sqlite_path is not None
            event.listen(
                self.engine, "connect", _sqlite_configurator(busy_timeout_ms, not background)
            )
            event.listen(self.engine, "begin", _begin_sqlite_transaction)
            if background and self.sqlite_path is not None:
                self._checkpointer = WalCheckpointer(
                    self.sqlite_path, busy_timeout_ms=busy_timeout_ms
                )
                self._checkpointer.start()
        self._write_engine = self.engine.execution_options(**{_IMMEDIATE: True})
        self._read_sessions = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(bind=self._write_engine, expire_on_commit=False)

    def __repr__(self) -> str:
        return f"Database({self.display_url!r})"

    @property
    def write_engine(self) -> Engine:
        """The engine whose transactions take the write lock up front (SQLite)."""
        return self._write_engine

    def migrate(self) -> None:
        """Bring the schema up to date (Alembic ``upgrade head``); safe to call on every start.

        Raises:
            StorageError: the database is newer than this app, locked, unreadable, or a
                migration failed.
        """
        config = _alembic_config()
        scripts = ScriptDirectory.from_config(config)
        heads = set(scripts.get_heads())
        known = {revision.revision for revision in scripts.walk_revisions()}
        try:
            # Write lock first: two programs starting together migrate one after the other.
            with self._write_engine.begin() as connection:
                current = set(MigrationContext.configure(connection).get_current_heads())
                unknown = current - known
                if unknown:
                    raise StorageError(
                        f"database {self.display_url} has schema revision "
                        f"{', '.join(sorted(unknown))}, newer than this app understands "
                        f"(latest {', '.join(sorted(heads))}); update Cryptobot, or point "
                        "CRYPTOBOT_DB_URL at another database"
                    )
                if current == heads:
                    return
                logger.info(
                    "migrating database %s from %s to %s",
                    self.display_url,
                    ", ".join(sorted(current)) or "empty",
                    ", ".join(sorted(heads)),
                )
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except SQLAlchemyError as exc:
            raise storage_error(exc, self.display_url, "migrating") from exc

    @contextmanager
    def session(self, *, readonly: bool = False) -> Iterator[Session]:
        """A session committed on success and rolled back on error.

        Args:
            readonly: True for sessions that only read (they do not take SQLite's write lock).

        Raises:
            StorageError: the database failed (the message says what to do).
        """
        factory = self._read_sessions if readonly else self._write_sessions
        try:
            with factory() as session, session.begin():
                yield session
        except SQLAlchemyError as exc:
            action = "reading" if readonly else "writing"
            raise storage_error(exc, self.display_url, action) from exc

    @contextmanager
    def connect(self, *, readonly: bool = False) -> Iterator[Connection]:
        """A Core connection inside a transaction (committed on success), for bulk work.

        Raises:
            StorageError: the database failed.
        """
        engine = self.engine if readonly else self.write_engine
        try:
            with engine.begin() as connection:
                yield connection
        except SQLAlchemyError as exc:
            action = "reading" if readonly else "writing"
            raise storage_error(exc, self.display_url, action) from exc

    def dispose(self) -> None:
        """Close every pooled connection (call on shutdown and before deleting the file)."""
        if self._checkpointer is not None:
            self._checkpointer.stop()
        self.engine.dispose()


def _dump_json(value: object) -> str:
    """JSON for JSON columns; Decimals become exact strings ("0.10" stays "0.10")."""
    return json.dumps(value, default=_json_default, ensure_ascii=False)


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} {value!r} cannot be stored as JSON")


def _alembic_config() -> Config:
    """Alembic configuration pointing at the migrations shipped inside this package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _sqlite_configurator(
    busy_timeout_ms: int, auto_checkpoint: bool = True
) -> Callable[[Any, Any], None]:
    """A "connect" listener applying the pragmas to every new SQLite connection."""

    def configure(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy's "begin" listener issues BEGIN itself (pysqlite's implicit BEGIN is off).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA foreign_keys = ON")
            if not auto_checkpoint:
                cursor.execute("PRAGMA wal_autocheckpoint = 0")  # a background thread does it
        finally:
            cursor.close()

    return configure


def _begin_sqlite_transaction(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(_IMMEDIATE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
