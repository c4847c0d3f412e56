"""Property: any sequence of upserts equals a dict keyed by timestamp (last write wins)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.storage import candles
from app.storage.candles import CandleStore

HOUR = 3_600_000
BASE = 1_600_000_000 // 3600 * HOUR

batches = st.lists(
    st.lists(st.tuples(st.integers(0, 300), st.integers(1, 1000)), max_size=60),
    min_size=1,
    max_size=6,
)


def _frame(batch: list[tuple[int, int]]) -> pd.DataFrame:
    unique = dict(batch)  # one row per bar inside a batch
    bars = np.array(list(unique), dtype=np.int64)
    prices = np.array(list(unique.values()), dtype=np.float64)
    return pd.DataFrame(
        {
            "timestamp": BASE + bars * HOUR,
            "open": prices,
            "high": prices + 1,
            "low": prices,
            "close": prices,
            "volume": prices * 2,
        }
    )


def test_upserts_behave_like_a_dict(store: CandleStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(candles, "CHUNK_BARS", 16)
    symbols = (f"S{n}/USDT" for n in itertools.count())

    @settings(max_examples=40, deadline=None)
    @given(batches=batches)
    def check(batches: list[list[tuple[int, int]]]) -> None:
        symbol = next(symbols)
        model: dict[int, int] = {}
        for batch in batches:
            frame = _frame(batch)
            new = len(set(dict(batch)) - set(model))
            assert store.upsert("x", symbol, "1h", frame) == new
            model.update(dict(batch))
        loaded = store.load("x", symbol, "1h")
        expected_ts = [BASE + bar * HOUR for bar in sorted(model)]
        assert loaded["timestamp"].tolist() == expected_ts
        assert loaded["open"].tolist() == [float(model[bar]) for bar in sorted(model)]
        gaps = store.gaps("x", symbol, "1h")
        assert sum(gap.missing_bars for gap in gaps) == (
            (max(model) - min(model) + 1 - len(model)) if model else 0
        )
        info = [item for item in store.series() if item.symbol == symbol]
        if model:
            assert (info[0].count, info[0].gaps) == (len(model), len(gaps))
        else:
            assert info == []

    check()
