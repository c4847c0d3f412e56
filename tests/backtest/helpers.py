"""Test helpers: a strategy that replays given signal arrays, candle frames from price lists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from app.strategies.base import BaseStrategy, Parameter, SignalFrame

HOUR_MS = 3_600_000
START_MS = 1_600_000_000_000 - 1_600_000_000_000 % HOUR_MS
DAY_START = 1_609_459_200_000  # 2021-01-01 00:00 UTC


class FixedSignals(BaseStrategy):
    """Emits exactly the signal arrays it was built with (ignores the data)."""

    name: ClassVar[str] = "fixed_signals"
    title: ClassVar[str] = "Fixed signals"
    description: ClassVar[str] = "Replays precomputed signal arrays."

    def __init__(
        self,
        entries: Sequence[bool],
        exits: Sequence[bool],
        short_entries: Sequence[bool] | None = None,
        short_exits: Sequence[bool] | None = None,
    ) -> None:
        super().__init__({})
        self._frame = SignalFrame(
            entries=np.asarray(entries, dtype=np.bool_),
            exits=np.asarray(exits, dtype=np.bool_),
            short_entries=None if short_entries is None else np.asarray(short_entries, bool),
            short_exits=None if short_exits is None else np.asarray(short_exits, bool),
        )

    @classmethod
    def get_parameters(cls) -> tuple[Parameter, ...]:
        """No parameters."""
        return ()

    def generate_signals(self, data: pd.DataFrame) -> SignalFrame:
        """The stored arrays."""
        return self._frame


def flags(n: int, *bars: int) -> list[bool]:
    """A list of ``n`` False values with True at ``bars``."""
    out = [False] * n
    for bar in bars:
        out[bar] = True
    return out


def candles(
    opens: Sequence[float],
    closes: Sequence[float] | None = None,
    highs: Sequence[float] | None = None,
    lows: Sequence[float] | None = None,
    step_ms: int = HOUR_MS,
) -> pd.DataFrame:
    """A candle frame; closes default to the opens, highs/lows to max/min of open and close."""
    open_ = np.asarray(opens, dtype=np.float64)
    close = open_ if closes is None else np.asarray(closes, dtype=np.float64)
    high = np.maximum(open_, close) if highs is None else np.asarray(highs, dtype=np.float64)
    low = np.minimum(open_, close) if lows is None else np.asarray(lows, dtype=np.float64)
    data: dict[str, Any] = {
        "timestamp": START_MS + np.arange(len(open_), dtype=np.int64) * step_ms,
        "open": open_,
        "high": high,
        "low": low,
        "close": close,
        "volume": np.ones(len(open_)),
    }
    return pd.DataFrame(data)


def falling_day() -> pd.DataFrame:
    """30 hourly bars from midnight: 100 until bar 2 closes at 88, then flat at 88."""
    opens = [100.0, 100.0, 100.0] + [88.0] * 27
    closes = [100.0, 100.0, 88.0] + [88.0] * 27
    frame = candles(opens, closes)
    frame["timestamp"] = DAY_START + frame.index.to_numpy() * HOUR_MS
    return frame
