"""Fixtures for strategy tests: real candles from the shared data folder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest


@pytest.fixture(scope="session")
def btc_1h() -> pd.DataFrame:
    """BTC/USDT hourly candles (5,482 rows) as the strategies receive them."""
    from tests.conftest import shared_data_dir

    return pd.read_csv(shared_data_dir() / "btc_usdt_1h.csv")


@pytest.fixture()
def strategies_dir(tmp_path: Path) -> Path:
    """An empty user strategies folder."""
    folder = tmp_path / "strategies"
    folder.mkdir()
    return folder
