"""Research fixtures: a synthetic cycle with a known best trade and a strategy that times it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from app.research.settings import ResearchSettings
from app.storage.candle_csv import read_candle_csv

CYCLE = 40
BEST = {"phase": 29, "hold": 20}

PHASE_STRATEGY = '''
import numpy as np
import pandas as pd

from app.strategies.base import BaseStrategy, SignalFrame
from app.strategies.parameters import Parameter


class CyclePhase(BaseStrategy):
    """Enter at one phase of a 40-bar cycle, exit ``hold`` bars later."""

    name = "cycle_phase"
    title = "Cycle phase"
    description = "Test strategy: enters at bar phase of each cycle and holds."

    @classmethod
    def get_parameters(cls):
        return (
            Parameter("phase", "int", 0, min=0, max=39, step=1),
            Parameter("hold", "int", 5, min=5, max=35, step=5),
        )

    def generate_signals(self, data: pd.DataFrame) -> SignalFrame:
        position = np.arange(len(data)) % 40
        entries = position == self.params["phase"]
        exits = position == (self.params["phase"] + self.params["hold"]) % 40
        return SignalFrame(entries=entries, exits=exits)
'''


@pytest.fixture()
def strategies_dir(tmp_path: Path) -> Path:
    """A user-strategy folder holding ``cycle_phase``."""
    folder = tmp_path / "strategies"
    folder.mkdir()
    (folder / "cycle_phase.py").write_text(PHASE_STRATEGY, encoding="utf-8")
    return folder


@pytest.fixture()
def cycle_candles() -> pd.DataFrame:
    """Prices on a 40-bar sine: lowest at bar 30 of each cycle, highest at bar 10."""
    bars = CYCLE * 25
    t = np.arange(bars)
    price = 100.0 + 10.0 * np.sin(2 * np.pi * t / CYCLE)
    return pd.DataFrame(
        {
            "timestamp": 1_600_000_000_000 + t * 3_600_000,
            "open": price,
            "high": price + 0.5,
            "low": price - 0.5,
            "close": price,
            "volume": np.ones(bars),
        }
    )


@pytest.fixture()
def cycle_settings(strategies_dir: Path) -> ResearchSettings:
    """Fixed 1-unit entries of ``cycle_phase``, 0.1 % fee."""
    return ResearchSettings.create("cycle_phase", size="1", strategies_dir=strategies_dir)


@pytest.fixture()
def btc_1h(data_dir: Path) -> pd.DataFrame:
    """The first 3,000 real BTC/USDT hourly candles."""
    return read_candle_csv(data_dir / "btc_usdt_1h.csv").iloc[:3000].reset_index(drop=True)
