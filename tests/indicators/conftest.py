"""Fixtures for indicator tests: the five shared candle files as float64 arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

DATASETS = (
    "btc_usdt_1h.csv",
    "btc_usdt_5m.csv",
    "eth_usdt_1h.csv",
    "eth_btc_5m.csv",
    "btc_usd_1h_coinbase.csv",
)


@dataclass(frozen=True)
class Candles:
    """Columns of one candle file."""

    name: str
    timestamp: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray


PRICE_COLUMNS = ("open", "high", "low", "close", "volume")

_cache: dict[str, Candles] = {}


def load(name: str) -> Candles:
    """Read (once per session) a shared candle file."""
    if name not in _cache:
        from tests.conftest import shared_data_dir

        frame = pd.read_csv(shared_data_dir() / name)
        _cache[name] = Candles(
            name=name,
            timestamp=frame["timestamp"].to_numpy(np.int64),
            **{
                col: frame[col].to_numpy(np.float64)
                for col in ("open", "high", "low", "close", "volume")
            },
        )
    return _cache[name]


@pytest.fixture(params=DATASETS)
def candles(request: pytest.FixtureRequest) -> Candles:
    """Each shared dataset in turn."""
    return load(request.param)
