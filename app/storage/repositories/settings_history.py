"""Every saved version of the settings, for "what changed and when" and for rollback."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.core.time import now_ms
from app.storage.database import Database
from app.storage.models import SettingsHistoryRecord


@dataclass(frozen=True, slots=True)
class SettingsVersion:
    """One saved settings version (secrets appear only as keyring references)."""

    id: int
    ts: int
    source: str
    content: dict[str, Any]


class SettingsHistoryRepository:
    """Records and lists settings versions.

    Args:
        database: a migrated database.
    """

    def __init__(self, database: Database) -> None:
        self._db = database

    def record(self, content: dict[str, Any], source: str, ts: int | None = None) -> int:
        """Save a version ("wizard", "settings dialog", "file") and return its id.

        Raises:
            StorageError: the database failed or ``content`` is not JSON-serialisable.
        """
        record = SettingsHistoryRecord(
            ts=now_ms() if ts is None else ts, source=source, content=dict(content)
        )
        with self._db.session() as session:
            session.add(record)
            session.flush()
            return record.id

    def list(self, limit: int | None = None) -> list[SettingsVersion]:
        """Versions newest first.

        Raises:
            StorageError: the database failed.
        """
        query = (
            select(SettingsHistoryRecord)
            .order_by(SettingsHistoryRecord.ts.desc(), SettingsHistoryRecord.id.desc())
            .limit(limit)
        )
        with self._db.session(readonly=True) as session:
            return [
                SettingsVersion(id=r.id, ts=r.ts, source=r.source, content=r.content)
                for r in session.scalars(query)
            ]

    def latest(self) -> SettingsVersion | None:
        """The newest version, None when nothing was recorded.

        Raises:
            StorageError: the database failed.
        """
        versions = self.list(limit=1)
        return versions[0] if versions else None
