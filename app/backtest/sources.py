"""Where a backtest's candles come from: a CSV file or a series in the candle store.

The sources are small picklable values, so a worker process can receive one and load the
candles itself (the UI process never holds a database connection for a backtest).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from app.core.errors import BacktestError, DataError
from app.core.time import format_ms

logger = logging.getLogger(__name__)

_MIN_BARS = 2


@dataclass(frozen=True, slots=True)
class CsvSource:
    """Candles in a CSV file (see :mod:`app.storage.candle_csv` for the layout)."""

    path: Path

    def describe(self) -> str:
        """Short label, e.g. ``btc_usdt_1h.csv``."""
        return self.path.name


@dataclass(frozen=True, slots=True)
class StoredSource:
    """One stored series of the candle store at ``database_url``."""

    database_url: str
    exchange: str
    symbol: str
    timeframe: str

    def describe(self) -> str:
        """Short label, e.g. ``binance BTC/USDT 1h``."""
        return f"{self.exchange} {self.symbol} {self.timeframe}"


CandleSource = CsvSource | StoredSource


@dataclass(frozen=True, slots=True)
class StoredSeries:
    """A stored series as listed for the user: name, candle count and time range (ms UTC)."""

    exchange: str
    symbol: str
    timeframe: str
    count: int
    first_ts: int
    last_ts: int


def load_candles(
    source: CandleSource, start: int | None = None, end: int | None = None
) -> pd.DataFrame:
    """Load the candles of ``source`` with ``start <= timestamp <= end``.

    Args:
        source: the CSV file or stored series.
        start: first bar's open time (ms UTC), None for the beginning.
        end: last bar's open time, inclusive, None for the end.

    Returns:
        Columns timestamp, open, high, low, close, volume, oldest first.

    Raises:
        DataError: the file is missing or invalid.
        StorageError: the database failed.
        BacktestError: fewer than two bars in the range (the message gives the data's range).
    """
    frame = _csv_candles(source.path) if isinstance(source, CsvSource) else _stored_candles(source)
    return clip_range(frame, start, end, source.describe())


def clip_range(frame: pd.DataFrame, start: int | None, end: int | None, label: str) -> pd.DataFrame:
    """Rows of ``frame`` with ``start <= timestamp <= end``.

    Raises:
        BacktestError: fewer than two rows remain (the message names the data's full range).
    """
    if frame.empty:
        raise BacktestError(f"{label}: there are no candles; import or download them first")
    stamps = frame["timestamp"]
    keep = pd.Series(True, index=frame.index)
    if start is not None:
        keep &= stamps >= start
    if end is not None:
        keep &= stamps <= end
    clipped = frame.loc[keep].reset_index(drop=True)
    if len(clipped) < _MIN_BARS:
        raise BacktestError(
            f"{label}: the date range leaves {len(clipped)} bars; the data covers "
            f"{format_ms(int(stamps.iloc[0]))} - {format_ms(int(stamps.iloc[-1]))} UTC, "
            "choose dates inside it"
        )
    return clipped


def stored_series(database_url: str) -> list[StoredSeries]:
    """Every series in the candle store at ``database_url`` (empty when there is no database).

    A SQLite file that does not exist yet is not created.

    Raises:
        StorageError: the database failed.
    """
    sqlite_file = _sqlite_file(database_url)
    if sqlite_file is not None and not sqlite_file.is_file():
        return []
    from app.storage.candles import CandleStore
    from app.storage.database import Database

    database = Database(database_url)
    try:
        database.migrate()
        infos = CandleStore(database).series()
    finally:
        database.dispose()
    return [
        StoredSeries(
            info.exchange, info.symbol, info.timeframe, info.count, info.first_ts, info.last_ts
        )
        for info in infos
    ]


def default_database_url() -> str:
    """The user's database URL (``CRYPTOBOT_DB_URL``, the settings, or the default SQLite file).

    Raises:
        ConfigError: the settings file is invalid.
    """
    from app.config.paths import resolve_paths
    from app.config.settings import database_url
    from app.config.store import load_settings

    paths = resolve_paths()
    return database_url(load_settings(paths).settings, paths)


def _csv_candles(path: Path) -> pd.DataFrame:
    from app.storage.candle_csv import read_candle_csv

    if not path.is_file():
        raise DataError(f"candle file {path} does not exist or is not a file; choose another")
    return read_candle_csv(path)


def _stored_candles(source: StoredSource) -> pd.DataFrame:
    from app.storage.candles import CandleStore
    from app.storage.database import Database

    database = Database(source.database_url)
    try:
        return CandleStore(database).load(source.exchange, source.symbol, source.timeframe)
    finally:
        database.dispose()


def _sqlite_file(url: str) -> Path | None:
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == prefix or ":memory:" in url:
        return None
    return Path(url[len(prefix) :].split("?", 1)[0])
