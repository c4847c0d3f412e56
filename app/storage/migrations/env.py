"""Alembic environment: runs on the connection handed over by app.storage.database.Database."""

from alembic import context
from sqlalchemy import create_engine

from app.storage.models import Base

target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations() -> None:
    """Use the caller's connection (normal case) or the configured URL (developer use)."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(context.config.get_main_option("sqlalchemy.url"))
    try:
        with engine.begin() as owned:
            _run(owned)
    finally:
        engine.dispose()


run_migrations()
