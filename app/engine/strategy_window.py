"""Rolling window of closed candles one strategy instance computes its signals on."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from app.core.models import Candle

_COLUMNS = ("open", "high", "low", "close", "volume")


class CandleWindow:
    """The newest ``capacity`` closed candles, kept in numpy buffers (amortised O(1) append).

    Args:
        capacity: rows kept (older rows drop out).
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError(f"CandleWindow.capacity: must be at least 1, got {capacity}")
        self.capacity = capacity
        self._ts: NDArray[np.int64] = np.zeros(2 * capacity, dtype=np.int64)
        self._values: NDArray[np.float64] = np.zeros((2 * capacity, 5), dtype=np.float64)
        self._start = 0
        self._end = 0

    def __len__(self) -> int:
        return self._end - self._start

    @property
    def last_timestamp(self) -> int | None:
        """Open time of the newest row, None when empty."""
        return int(self._ts[self._end - 1]) if self._end > self._start else None

    def append(self, candle: Candle) -> bool:
        """Add a candle newer than the newest row; returns False (ignored) otherwise."""
        last = self.last_timestamp
        if last is not None and candle.timestamp <= last:
            return False
        if self._end == len(self._ts):
            keep = self.capacity - 1
            self._ts[:keep] = self._ts[self._end - keep : self._end]
            self._values[:keep] = self._values[self._end - keep : self._end]
            self._start, self._end = 0, keep
        self._ts[self._end] = candle.timestamp
        row = (candle.open, candle.high, candle.low, candle.close, candle.volume)
        self._values[self._end] = row
        self._end += 1
        if self._end - self._start > self.capacity:
            self._start += 1
        return True

    def frame(self) -> pd.DataFrame:
        """The window as candles (timestamp, open, high, low, close, volume), oldest first."""
        values = self._values[self._start : self._end]
        data: dict[str, NDArray[np.int64] | NDArray[np.float64]] = {
            "timestamp": self._ts[self._start : self._end].copy()
        }
        for index, name in enumerate(_COLUMNS):
            data[name] = values[:, index].copy()
        return pd.DataFrame(data)

    def column(self, index: int) -> NDArray[np.float64]:
        """One price column (0 open ... 4 volume) of the window, oldest first."""
        return self._values[self._start : self._end, index]
