"""Candle series served by ``GET /api/v3/klines`` and the kline websocket stream.

A series holds loaded candles (numpy arrays, read-only and shared between emulators) plus a
*forming* last bar that :meth:`CandleSeries.update_price` moves, the way a live venue's last
candle changes with each trade.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from tests.emulator.errors import bad_request

INTERVAL_MS: dict[str, int] = {
    "1s": 1_000,
    "1m": 60_000,
    "3m": 180_000,
    "5m": 300_000,
    "15m": 900_000,
    "30m": 1_800_000,
    "1h": 3_600_000,
    "2h": 7_200_000,
    "4h": 14_400_000,
    "6h": 21_600_000,
    "8h": 28_800_000,
    "12h": 43_200_000,
    "1d": 86_400_000,
    "3d": 259_200_000,
    "1w": 604_800_000,
}
"""Binance kline intervals the emulator serves (calendar months are not emulated)."""

COLUMNS = ("timestamp", "open", "high", "low", "close", "volume")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def interval_ms(interval: str) -> int:
    """Length of a Binance kline interval in ms.

    Raises:
        BinanceError: -1120 for an interval Binance does not know.
    """
    try:
        return INTERVAL_MS[interval]
    except KeyError:
        raise bad_request(-1120, "Invalid interval.") from None


@functools.lru_cache(maxsize=16)
def read_candle_csv(path: Path) -> tuple[IntArray, FloatArray]:
    """Timestamps and OHLCV rows of a shared-data CSV (cached, returned read-only).

    Args:
        path: CSV with columns timestamp (ms), open, high, low, close, volume.

    Returns:
        ``(timestamps, ohlcv)`` with shapes ``(n,)`` and ``(n, 5)``.
    """
    frame = pd.read_csv(path)
    return frame_to_arrays(frame)


def frame_to_arrays(frame: pd.DataFrame) -> tuple[IntArray, FloatArray]:
    """Convert a candle DataFrame to sorted read-only arrays.

    Raises:
        ValueError: a column is missing or the timestamps are not strictly increasing.
    """
    missing = [name for name in COLUMNS if name not in frame.columns]
    if missing:
        raise ValueError(f"candle frame lacks columns {missing}; needs {list(COLUMNS)}")
    stamps = frame["timestamp"].to_numpy(dtype=np.int64).copy()
    ohlcv = frame[list(COLUMNS[1:])].to_numpy(dtype=np.float64).copy()
    if stamps.size > 1 and not bool(np.all(np.diff(stamps) > 0)):
        raise ValueError("candle timestamps must be strictly increasing")
    stamps.flags.writeable = False
    ohlcv.flags.writeable = False
    return stamps, ohlcv


def _text(value: float) -> str:
    return f"{value:.8f}"


@dataclass(slots=True)
class CandleSeries:
    """Candles of one symbol and interval, oldest first; the last row is the forming bar."""

    interval: str
    stamps: IntArray
    ohlcv: FloatArray
    forming: list[float]

    @classmethod
    def from_arrays(cls, interval: str, stamps: IntArray, ohlcv: FloatArray) -> CandleSeries:
        """A series over the given arrays (which are not copied; they must stay unchanged).

        Raises:
            ValueError: the series is empty.
        """
        if stamps.size == 0:
            raise ValueError("a candle series needs at least one candle")
        return cls(interval, stamps, ohlcv, [float(x) for x in ohlcv[-1]])

    @property
    def last_close(self) -> float:
        """Close of the forming bar."""
        return self.forming[3]

    @property
    def last_open_time(self) -> int:
        """Open time (ms) of the forming bar."""
        return int(self.stamps[-1])

    def update_price(self, price: float) -> None:
        """A trade at ``price`` moves the forming bar's high, low and close."""
        self.forming[1] = max(self.forming[1], price)
        self.forming[2] = min(self.forming[2], price)
        self.forming[3] = price

    def roll(self) -> None:
        """Close the forming bar and open the next one at its close price."""
        close = self.forming[3]
        opening = [close, close, close, close, 0.0]
        self.ohlcv = np.vstack([self.ohlcv[:-1], [self.forming], [opening]])
        self.stamps = np.append(self.stamps, self.stamps[-1] + INTERVAL_MS[self.interval])
        self.forming = opening

    def select(self, start: int | None, end: int | None, limit: int) -> tuple[int, int]:
        """Row range ``[lo, hi)`` Binance returns for startTime/endTime/limit.

        With a start time: the first ``limit`` bars opening at or after it (and not after
        ``end``). With only an end time or neither: the last ``limit`` bars up to ``end``.
        """
        lo = 0 if start is None else int(np.searchsorted(self.stamps, start, side="left"))
        hi = len(self.stamps) if end is None else int(np.searchsorted(self.stamps, end, "right"))
        if hi <= lo:
            return lo, lo
        if start is None:
            return max(lo, hi - limit), hi
        return lo, min(hi, lo + limit)

    def row_json(self, index: int) -> list[object]:
        """One kline row as Binance sends it (strings for numbers, ms integers for times)."""
        opened = int(self.stamps[index])
        values = self.forming if index == len(self.stamps) - 1 else self.ohlcv[index]
        open_, high, low, close, volume = (float(x) for x in values)
        return [
            opened,
            _text(open_),
            _text(high),
            _text(low),
            _text(close),
            _text(volume),
            opened + INTERVAL_MS[self.interval] - 1,
            _text(volume * close),
            0,
            _text(volume / 2),
            _text(volume * close / 2),
            "0",
        ]

    def rows_json(self, start: int | None, end: int | None, limit: int) -> list[list[object]]:
        """Kline rows for a ``GET /api/v3/klines`` request."""
        lo, hi = self.select(start, end, limit)
        return [self.row_json(i) for i in range(lo, hi)]

    def stats_since(self, since: int) -> tuple[float, float, float, float]:
        """(open, high, low, volume) of the bars opening at or after ``since`` (24 h stats)."""
        lo = min(int(np.searchsorted(self.stamps, since, side="left")), len(self.stamps) - 1)
        body = self.ohlcv[lo:-1]
        _, high, low, _, volume = self.forming
        if len(body) == 0:
            return self.forming[0], high, low, volume
        return (
            float(body[0, 0]),
            max(high, float(body[:, 1].max())),
            min(low, float(body[:, 2].min())),
            volume + float(body[:, 4].sum()),
        )
