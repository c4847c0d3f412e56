"""Candle store: insert and load 1,000,000 candles (goals: insert <= 5 s, load <= 0.5 s).

The candles replay the shared btc_usdt_5m.csv, tiled with shifted timestamps. Each figure is
the median of several runs on a fresh SQLite file; the anchor is the same job on a plain
row-per-candle SQLite table (exchange/symbol/timeframe/ts primary key) through sqlite3.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from app.storage.candle_csv import read_candle_csv
from app.storage.candles import CandleStore
from app.storage.database import Database
from tests.benchmarks.runner import Report, median_time
from tests.conftest import shared_data_dir

ROWS = 1_000_000
REPEATS = 3
SERIES = ("binance", "BTC/USDT", "5m")


def replayed_candles(rows: int = ROWS) -> pd.DataFrame:
    """``rows`` 5-minute candles: the shared file repeated, each copy shifted after the last."""
    base = read_candle_csv(shared_data_dir() / "btc_usdt_5m.csv", timeframe="5m")
    ts = base["timestamp"].to_numpy()
    span = int(ts[-1] - ts[0]) + 300_000
    copies = -(-rows // len(base))
    frame = pd.concat([base] * copies, ignore_index=True).iloc[:rows].copy()
    offsets = np.repeat(np.arange(copies, dtype=np.int64) * span, len(base))[:rows]
    frame["timestamp"] = np.tile(ts, copies)[:rows] + offsets
    return frame


def run(report: Report) -> None:
    """Measure insert, re-insert, full and range loads of 1M candles, and CSV validation."""
    frame = replayed_candles()
    with tempfile.TemporaryDirectory(prefix="bench-storage-") as folder:
        root = Path(folder)
        _store_figures(report, root, frame)
        _csv_figure(report)


def _store_figures(report: Report, root: Path, frame: pd.DataFrame) -> None:
    state: dict[str, object] = {}
    counter = iter(range(1000))

    def fresh() -> None:
        database = Database(f"sqlite:///{root / f'store-{next(counter)}.db'}")
        database.migrate()
        state["db"] = database
        state["store"] = CandleStore(database)

    def insert() -> None:
        store = state["store"]
        assert isinstance(store, CandleStore)
        assert store.upsert(*SERIES, frame) == ROWS

    insert_s = median_time(insert, REPEATS, setup=fresh)
    store = state["store"]
    assert isinstance(store, CandleStore)
    rows_path = root / "rows.db"
    anchor_insert_s = median_time(lambda: _rows_insert(rows_path, frame), REPEATS)
    report.figure(
        "insert 1M candles",
        insert_s,
        "s",
        goal=5.0,
        anchor=anchor_insert_s,
        note=f"fresh SQLite file, median of {REPEATS}; anchor: row table executemany",
    )
    reinsert_s = median_time(lambda: store.upsert(*SERIES, frame), REPEATS)
    report.figure("re-import 1M (all present)", reinsert_s, "s", note="idempotent upsert")

    loaded = store.load(*SERIES)
    assert len(loaded) == ROWS and bool((loaded["close"].to_numpy() == frame["close"]).all())
    load_s = median_time(lambda: store.load(*SERIES), 5)
    anchor_load_s = median_time(lambda: _rows_load(rows_path), REPEATS)
    report.figure(
        "load 1M candles (DataFrame)",
        load_s,
        "s",
        goal=0.5,
        anchor=anchor_load_s,
        note="median of 5; anchor: row table fetchall -> numpy",
    )
    arrays_s = median_time(lambda: store.load_arrays(*SERIES), 5)
    report.figure("load 1M candles (numpy arrays)", arrays_s, "s", goal=0.5, note="median of 5")
    ts = frame["timestamp"].to_numpy()
    start, end = int(ts[400_000]), int(ts[400_000 + 8_640 - 1])  # one month of 5m bars
    month_s = median_time(lambda: store.load(*SERIES, start=start, end=end), 5)
    report.figure("load one month (8,640 candles)", month_s * 1000, "ms", note="median of 5")
    database = state["db"]
    assert isinstance(database, Database)
    database.dispose()


def _csv_figure(report: Report) -> None:
    path = shared_data_dir() / "btc_usdt_5m.csv"
    read_s = median_time(lambda: read_candle_csv(path, timeframe="5m"), 5)
    anchor_s = median_time(lambda: pd.read_csv(path), 5)
    report.figure(
        "validate + read 65,741-row CSV",
        read_s,
        "s",
        goal=1.0,
        anchor=anchor_s,
        note="median of 5; anchor: bare pandas.read_csv",
    )


def _rows_insert(path: Path, frame: pd.DataFrame) -> None:
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute(
        "CREATE TABLE candles (exchange TEXT, symbol TEXT, timeframe TEXT, ts INTEGER, "
        "open REAL, high REAL, low REAL, close REAL, volume REAL, "
        "PRIMARY KEY (exchange, symbol, timeframe, ts)) WITHOUT ROWID"
    )
    rows = frame.itertuples(index=False, name=None)
    with connection:
        connection.executemany(
            "INSERT INTO candles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((*SERIES, int(ts), o, h, lo, c, v) for ts, o, h, lo, c, v in rows),
        )
    connection.close()


def _rows_load(path: Path) -> None:
    connection = sqlite3.connect(path)
    cursor = connection.execute(
        "SELECT ts, open, high, low, close, volume FROM candles "
        "WHERE exchange = ? AND symbol = ? AND timeframe = ? ORDER BY ts",
        SERIES,
    )
    np.array(cursor.fetchall())
    connection.close()
