"""The fast candle store: idempotent upserts, exact loads, ranges, gaps, refusal of bad frames."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest

from app.core.errors import DataError
from app.storage import candles
from app.storage.candles import CandleStore, Gap, SeriesInfo
from app.storage.database import Database

EXPECTED_GAPS = [
    Gap(after_ts=1608559200000, next_ts=1608573600000, missing_bars=3),
    Gap(after_ts=1608858000000, next_ts=1608865200000, missing_bars=1),
    Gap(after_ts=1613012400000, next_ts=1613019600000, missing_bars=1),
    Gap(after_ts=1614992400000, next_ts=1614999600000, missing_bars=1),
    Gap(after_ts=1618880400000, next_ts=1618891200000, missing_bars=2),
    Gap(after_ts=1619323200000, next_ts=1619337600000, missing_bars=3),
]


def test_import_stores_every_candle_once(store: CandleStore, btc_1h: pd.DataFrame) -> None:
    assert store.upsert("binance", "BTC/USDT", "1h", btc_1h) == 5482
    assert store.upsert("binance", "BTC/USDT", "1h", btc_1h) == 0
    loaded = store.load("binance", "BTC/USDT", "1h")
    pd.testing.assert_frame_equal(loaded, btc_1h, check_exact=True)
    assert list(loaded.dtypes.astype(str)) == ["int64"] + ["float64"] * 5


def test_series_lists_range_count_and_gaps(store: CandleStore, btc_1h: pd.DataFrame) -> None:
    store.upsert("binance", "BTC/USDT", "1h", btc_1h)
    assert store.series() == [
        SeriesInfo("binance", "BTC/USDT", "1h", 5482, 1606780800000, 1626552000000, gaps=6)
    ]
    gaps = store.gaps("binance", "BTC/USDT", "1h")
    assert gaps == EXPECTED_GAPS
    assert sum(gap.missing_bars for gap in gaps) == 11
    assert store.last_timestamp("binance", "BTC/USDT", "1h") == 1626552000000


def test_gaps_between_chunks_are_counted(
    store: CandleStore, btc_1h: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(candles, "CHUNK_BARS", 64)  # windows of 64 h: gaps fall on borders too
    store.upsert("binance", "BTC/USDT", "1h", btc_1h)
    assert store.series()[0].gaps == 6
    assert store.gaps("binance", "BTC/USDT", "1h") == EXPECTED_GAPS


def test_pieces_in_any_order_with_overlap_equal_one_import(
    store: CandleStore, btc_1h: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(candles, "CHUNK_BARS", 100)
    rng = np.random.default_rng(7)
    added = 0
    for begin in rng.permutation(np.arange(0, len(btc_1h), 500)):
        piece = btc_1h.iloc[max(0, begin - 50) : begin + 550]  # overlaps both neighbours
        added += store.upsert("binance", "BTC/USDT", "1h", piece.sample(frac=1, random_state=1))
    assert added == 5482
    pd.testing.assert_frame_equal(store.load("binance", "BTC/USDT", "1h"), btc_1h)


def test_upsert_replaces_values_of_existing_candles(
    store: CandleStore, btc_1h: pd.DataFrame
) -> None:
    store.upsert("binance", "BTC/USDT", "1h", btc_1h.iloc[:100])
    forming = btc_1h.iloc[99:101].copy()
    forming.loc[forming.index[0], "close"] = 12345.5
    assert store.upsert("binance", "BTC/USDT", "1h", forming) == 1
    loaded = store.load("binance", "BTC/USDT", "1h")
    assert len(loaded) == 101
    assert loaded["close"].iloc[99] == 12345.5
    assert loaded["close"].iloc[98] == btc_1h["close"].iloc[98]


def test_range_loads_are_inclusive_and_cross_chunks(
    store: CandleStore, btc_1h: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(candles, "CHUNK_BARS", 128)
    store.upsert("binance", "BTC/USDT", "1h", btc_1h)
    start, end = int(btc_1h["timestamp"].iloc[1000]), int(btc_1h["timestamp"].iloc[3000])
    arrays = store.load_arrays("binance", "BTC/USDT", "1h", start=start, end=end)
    assert arrays["timestamp"][0] == start
    assert arrays["timestamp"][-1] == end
    np.testing.assert_array_equal(arrays["close"], btc_1h["close"].to_numpy()[1000:3001])
    assert store.load("binance", "BTC/USDT", "1h", start=end + 1, end=end + 2).empty
    assert len(store.load("binance", "BTC/USDT", "1h", end=start)) == 1001


def test_series_are_kept_apart(store: CandleStore, btc_1h: pd.DataFrame) -> None:
    store.upsert("binance", "BTC/USDT", "1h", btc_1h.iloc[:10])
    store.upsert("kraken", "BTC/USDT", "1h", btc_1h.iloc[:20])
    store.upsert("binance", "BTC/USDT", "4h", btc_1h.iloc[::4].iloc[:5])
    counts = {(s.exchange, s.timeframe): s.count for s in store.series()}
    assert counts == {("binance", "1h"): 10, ("binance", "4h"): 5, ("kraken", "1h"): 20}
    assert len(store.load("kraken", "BTC/USDT", "1h")) == 20


def test_unknown_series_loads_empty(store: CandleStore) -> None:
    frame = store.load("binance", "ETH/USDT", "1h")
    assert frame.empty
    assert list(frame.columns) == list(candles.COLUMNS)
    assert frame["timestamp"].dtype == np.int64
    assert store.last_timestamp("binance", "ETH/USDT", "1h") is None
    assert store.gaps("binance", "ETH/USDT", "1h") == []
    assert store.series() == []


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda f: f.drop(columns=["volume"]), "missing the column"),
        (lambda f: f.assign(close=f["close"].where(f.index != 5, np.nan)), "NaN"),
        (lambda f: f.assign(timestamp=np.repeat(f["timestamp"].to_numpy()[:5], 2)), "twice"),
        (lambda f: f.assign(timestamp=f["timestamp"] + 0.5), "integer milliseconds"),
        (lambda f: f.assign(open="x"), "must be numbers"),
    ],
)
def test_bad_frames_are_refused_and_nothing_is_stored(
    store: CandleStore,
    btc_1h: pd.DataFrame,
    mutate: Callable[[pd.DataFrame], pd.DataFrame],
    message: str,
) -> None:
    with pytest.raises(DataError, match=message):
        store.upsert("binance", "BTC/USDT", "1h", mutate(btc_1h.iloc[:10].copy()))
    assert store.series() == []


def test_bad_timeframe_is_refused(store: CandleStore, btc_1h: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="not a timeframe"):
        store.upsert("binance", "BTC/USDT", "hourly", btc_1h)


def test_delete_removes_one_series_only(store: CandleStore, btc_1h: pd.DataFrame) -> None:
    store.upsert("binance", "BTC/USDT", "1h", btc_1h)
    store.upsert("binance", "ETH/USDT", "1h", btc_1h.iloc[:10])
    assert store.delete("binance", "BTC/USDT", "1h") == 5482
    assert store.delete("binance", "BTC/USDT", "1h") == 0
    assert [(s.symbol, s.count) for s in store.series()] == [("ETH/USDT", 10)]
    assert store.upsert("binance", "BTC/USDT", "1h", btc_1h) == 5482  # can be imported again


def test_concurrent_writers_lose_nothing(
    database: Database, btc_1h: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(candles, "CHUNK_BARS", 256)
    other = Database(database.url)  # a second engine on the same file, like a second process
    stores = [CandleStore(database), CandleStore(other)]
    pieces = [btc_1h.iloc[start : start + 700] for start in range(0, len(btc_1h), 600)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        added = list(
            pool.map(
                lambda item: stores[item[0] % 2].upsert("binance", "BTC/USDT", "1h", item[1]),
                enumerate(pieces),
            )
        )
    other.dispose()
    assert sum(added) == 5482
    pd.testing.assert_frame_equal(stores[0].load("binance", "BTC/USDT", "1h"), btc_1h)
