"""Storage fixtures: a migrated SQLite database in tmp_path and a candle store on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from app.storage.candles import CandleStore
from app.storage.database import Database


@pytest.fixture()
def database(tmp_path: Path) -> Iterator[Database]:
    """A freshly migrated SQLite database file."""
    db = Database(f"sqlite:///{tmp_path / 'db' / 'cryptobot.db'}")
    db.migrate()
    yield db
    db.dispose()


@pytest.fixture()
def store(database: Database) -> CandleStore:
    """A candle store on the fresh database."""
    return CandleStore(database)


@pytest.fixture()
def btc_1h(data_dir: Path) -> pd.DataFrame:
    """The shared BTC/USDT 1h candles (5,482 rows, 6 gaps, 11 missing bars)."""
    return pd.read_csv(data_dir / "btc_usdt_1h.csv")
