"""Database set-up: SQLite pragmas, migrations, actionable errors, append-only audit log."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from app.core.errors import StorageError
from app.storage.database import Database
from app.storage.models import Base


def test_sqlite_file_runs_in_wal_with_foreign_keys(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'nested' / 'dir' / 'app.db'}")
    db.migrate()
    with db.session(readonly=True) as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
    db.dispose()
    assert (tmp_path / "nested" / "dir" / "app.db").is_file()


def test_migrations_produce_exactly_the_models_schema(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_migrate_is_idempotent_and_records_the_revision(database: Database) -> None:
    database.migrate()
    with database.session(readonly=True) as session:
        assert session.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"


def test_database_newer_than_the_app_is_refused(database: Database) -> None:
    with database.session() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StorageError, match="9999, newer than this app"):
        database.migrate()


def test_a_file_that_is_not_a_database_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database" * 100)
    db = Database(f"sqlite:///{path}")
    with pytest.raises(StorageError, match="not a Cryptobot database"):
        db.migrate()
    db.dispose()


def test_a_locked_database_says_so(tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    Database(f"sqlite:///{path}").migrate()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    db = Database(f"sqlite:///{path}", busy_timeout_ms=50)
    insert = "INSERT INTO settings_history (ts, source, content) VALUES (1, 'x', '{}')"
    try:
        with pytest.raises(StorageError, match="locked by another program"), db.session() as s:
            s.execute(text(insert))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        db.dispose()


def test_a_malformed_url_is_refused_without_echoing_it() -> None:
    with pytest.raises(StorageError, match="not a valid SQLAlchemy URL") as caught:
        Database("postgresql://me:hunter2@host:notaport/db")
    assert "hunter2" not in str(caught.value)


def test_audit_log_rows_cannot_be_updated_or_deleted(database: Database) -> None:
    insert = (
        "INSERT INTO audit_log (ts, kind, component, message, payload) "
        "VALUES (1, 'order', 'executor', 'placed', '{}')"
    )
    with database.session() as session:
        session.execute(text(insert))
    for statement in ("UPDATE audit_log SET message = 'edited'", "DELETE FROM audit_log"):
        with pytest.raises(StorageError, match="append-only"), database.session() as session:
            session.execute(text(statement))
    with database.session(readonly=True) as session:
        assert session.execute(text("SELECT message FROM audit_log")).scalars().all() == ["placed"]


def test_migrations_need_no_alembic_ini_or_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # as in an installed bundle: no alembic.ini next to us
    db = Database("sqlite:///relative/app.db")
    db.migrate()
    db.dispose()
    assert (tmp_path / "relative" / "app.db").is_file()
    assert not list(tmp_path.glob("*.ini"))


def test_url_without_its_driver_is_refused_with_advice() -> None:
    with pytest.raises(StorageError, match="install its driver") as caught:
        Database("nosuchdb+nodriver://user:hunter2@localhost/cryptobot")
    assert "hunter2" not in str(caught.value)
