"""Translation of database failures into :class:`~app.core.errors.StorageError`."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from app.core.errors import StorageError

_HINTS: tuple[tuple[str, str], ...] = (
    (
        "database is locked",
        "it is locked by another program (another Cryptobot running?); close it and try again",
    ),
    (
        "unable to open database file",
        "the file cannot be opened; check that the folder exists and you may write to it",
    ),
    (
        "file is not a database",
        "the file is not a Cryptobot database (corrupt or another file); move it away and "
        "start again, or point CRYPTOBOT_DB_URL at another database",
    ),
    (
        "database disk image is malformed",
        "the file is corrupt; restore a backup or move it away and start again",
    ),
    ("readonly database", "the file is read-only; check its permissions"),
    ("disk is full", "the disk is full; free some space and try again"),
    (
        "no such table",
        "its schema is missing tables; start Cryptobot normally so migrations run",
    ),
)


def storage_error(exc: SQLAlchemyError, where: str, action: str) -> StorageError:
    """A StorageError with an actionable message for ``exc``.

    Args:
        exc: the SQLAlchemy error.
        where: the database as shown to the user (URL without password).
        action: what was being done ("reading", "writing", "migrating").
    """
    detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    lowered = detail.lower()
    if isinstance(exc, IntegrityError):
        return StorageError(f"database {where}: the change was refused: {detail}")
    if isinstance(exc, DBAPIError):
        for needle, hint in _HINTS:
            if needle in lowered:
                return StorageError(f"database {where}: {hint} ({action}: {detail})")
    return StorageError(f"database {where}: error while {action}: {detail}")
