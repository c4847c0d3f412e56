"""SQLAlchemy models, Alembic migrations, repositories and the fast candle store."""
