"""Candle arrays of one chart, with the per-pixel-column windows the items draw.

The x coordinate of bar ``i`` is ``i`` (gaps in the data are rows, not clock intervals). When
more bars are visible than pixel columns, bars are merged into aligned power-of-two buckets
(first open, max high, min low, last close, summed volume) so a frame draws at most about one
wick and one body per pixel column, whatever the number of candles loaded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.core.errors import DataError
from app.ui.chart.pyramid import FloatArray, RangePyramid

IntArray = npt.NDArray[np.int64]

_FIELDS = ("open", "high", "low", "close", "volume")


@dataclass(frozen=True, slots=True)
class CandleWindow:
    """The candles (or merged buckets) to draw for one visible range.

    ``x`` is each column's centre in bar-index units and ``width`` its span in bars (1 for raw
    candles, up to ``2**level`` for merged buckets).
    """

    start: int
    stop: int
    level: int
    x: FloatArray
    width: FloatArray
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray

    def __len__(self) -> int:
        return len(self.x)


def level_for(bars_per_pixel: float) -> int:
    """Bucket level so that one bucket covers at least one pixel column (0 = raw candles)."""
    if not math.isfinite(bars_per_pixel) or bars_per_pixel <= 1.0:
        return 0
    return math.ceil(math.log2(bars_per_pixel))


def visible_bars(x_min: float, x_max: float, size: int) -> tuple[int, int]:
    """Index range ``[start, stop)`` of the bars that touch the x interval (bar i spans i±0.5)."""
    start = min(size, max(0, math.floor(x_min - 0.5) + 1))
    stop = min(size, math.ceil(x_max + 0.5))
    return start, max(start, stop)


class CandleSeries:
    """OHLCV arrays (float64, timestamps int64 ms UTC) that grow at the end for live bars."""

    def __init__(self) -> None:
        self._size = 0
        self._timestamps: IntArray = np.empty(0, dtype=np.int64)
        self._columns: dict[str, FloatArray] = {name: np.empty(0) for name in _FIELDS}
        self._high_levels = RangePyramid("max")
        self._low_levels = RangePyramid("min")
        self._volume_levels = RangePyramid("sum")
        self.version = 0
        self._cached_key: tuple[int, int, int, int] | None = None
        self._cached_window: CandleWindow | None = None

    def __len__(self) -> int:
        return self._size

    @property
    def timestamps(self) -> IntArray:
        """Bar open times, ms UTC, strictly increasing."""
        return self._timestamps[: self._size]

    @property
    def open(self) -> FloatArray:
        """Open prices."""
        return self._columns["open"][: self._size]

    @property
    def high(self) -> FloatArray:
        """High prices."""
        return self._columns["high"][: self._size]

    @property
    def low(self) -> FloatArray:
        """Low prices."""
        return self._columns["low"][: self._size]

    @property
    def close(self) -> FloatArray:
        """Close prices."""
        return self._columns["close"][: self._size]

    @property
    def volume(self) -> FloatArray:
        """Volumes (base currency)."""
        return self._columns["volume"][: self._size]

    def set(
        self,
        timestamps: npt.ArrayLike,
        open_: npt.ArrayLike,
        high: npt.ArrayLike,
        low: npt.ArrayLike,
        close: npt.ArrayLike,
        volume: npt.ArrayLike,
    ) -> None:
        """Replace every candle.

        Raises:
            DataError: the arrays differ in length or the timestamps are not strictly increasing.
        """
        stamps = np.asarray(timestamps, dtype=np.int64)
        values = [np.asarray(item, dtype=np.float64) for item in (open_, high, low, close, volume)]
        lengths = {len(stamps), *(len(item) for item in values)}
        if len(lengths) != 1:
            raise DataError(
                f"chart candles: timestamps/open/high/low/close/volume must have the same "
                f"length, got {[len(stamps), *(len(item) for item in values)]}"
            )
        if len(stamps) > 1 and not bool(np.all(np.diff(stamps) > 0)):
            raise DataError(
                "chart candles: timestamps must be strictly increasing; sort and de-duplicate "
                "the candles before plotting them"
            )
        self._size = len(stamps)
        self._timestamps = stamps.copy()
        for name, array in zip(_FIELDS, values, strict=True):
            self._columns[name] = array.copy()
        self._rebuild_levels()

    def update_last(
        self, timestamp: int, open_: float, high: float, low: float, close: float, volume: float
    ) -> None:
        """Overwrite the last candle (same open time).

        Raises:
            DataError: no candles yet, or ``timestamp`` is not the last candle's open time.
        """
        if self._size == 0 or int(self._timestamps[self._size - 1]) != timestamp:
            last = int(self._timestamps[self._size - 1]) if self._size else None
            raise DataError(
                f"chart live update: candle {timestamp} is not the last candle ({last}); "
                "use append_candle for a new bar"
            )
        self._write(self._size - 1, open_, high, low, close, volume)
        self._refresh_from(self._size - 1)

    def append(
        self, timestamp: int, open_: float, high: float, low: float, close: float, volume: float
    ) -> None:
        """Add a new candle after the last one.

        Raises:
            DataError: ``timestamp`` is not after the last candle's open time.
        """
        if self._size and timestamp <= int(self._timestamps[self._size - 1]):
            raise DataError(
                f"chart live update: new candle {timestamp} is not after the last candle "
                f"{int(self._timestamps[self._size - 1])}"
            )
        if self._size == len(self._timestamps):
            self._grow(max(16, 2 * self._size))
        self._timestamps[self._size] = timestamp
        self._size += 1
        self._write(self._size - 1, open_, high, low, close, volume)
        self._refresh_from(self._size - 1)

    def index_at(self, timestamp: int) -> int:
        """Index of the bar that contains ``timestamp`` (the last bar opened at or before it).

        Returns -1 when ``timestamp`` is before the first bar.
        """
        return int(np.searchsorted(self.timestamps, timestamp, side="right")) - 1

    def bar_spacing_ms(self) -> int:
        """Typical bar length (median of the last differences), 60 000 when unknown."""
        if self._size < 2:
            return 60_000
        tail = np.diff(self.timestamps[-min(self._size, 101) :])
        return int(np.median(tail))

    def price_range(self, start: int, stop: int) -> tuple[float, float]:
        """Exact (min low, max high) of bars ``[start, stop)``; NaNs when empty."""
        return (
            self._low_levels.query(self.low, start, stop),
            self._high_levels.query(self.high, start, stop),
        )

    def volume_total(self, start: int, stop: int) -> float:
        """Summed volume of bars ``[start, stop)`` (0 when empty)."""
        total = self._volume_levels.query(self.volume, start, stop)
        return 0.0 if math.isnan(total) else total

    def window(self, start: int, stop: int, level: int) -> CandleWindow:
        """Candles or merged buckets covering bars ``[start, stop)`` at ``level`` (cached)."""
        level = max(0, min(level, self._high_levels.depth))
        start, stop = max(0, start), min(self._size, stop)
        key = (start, stop, level, self.version)
        if key == self._cached_key and self._cached_window is not None:
            return self._cached_window
        window = self._build_window(start, max(start, stop), level)
        self._cached_key, self._cached_window = key, window
        return window

    def _build_window(self, start: int, stop: int, level: int) -> CandleWindow:
        if level == 0 or stop <= start:
            index = np.arange(start, stop, dtype=np.float64)
            return CandleWindow(
                start,
                stop,
                0,
                index,
                np.ones(len(index)),
                self.open[start:stop],
                self.high[start:stop],
                self.low[start:stop],
                self.close[start:stop],
                self.volume[start:stop],
            )
        first_bucket, last_bucket = start >> level, ((stop - 1) >> level) + 1
        buckets = np.arange(first_bucket, last_bucket, dtype=np.int64)
        first_bar = buckets << level
        last_bar = np.minimum((buckets + 1) << level, self._size) - 1
        return CandleWindow(
            start,
            stop,
            level,
            (first_bar + last_bar) / 2.0,
            (last_bar - first_bar + 1).astype(np.float64),
            self.open[first_bar],
            self._high_levels.level(level)[first_bucket:last_bucket],
            self._low_levels.level(level)[first_bucket:last_bucket],
            self.close[last_bar],
            self._volume_levels.level(level)[first_bucket:last_bucket],
        )

    def _write(
        self, index: int, open_: float, high: float, low: float, close: float, volume: float
    ) -> None:
        for name, value in zip(_FIELDS, (open_, high, low, close, volume), strict=True):
            self._columns[name][index] = value

    def _grow(self, capacity: int) -> None:
        stamps = np.empty(capacity, dtype=np.int64)
        stamps[: self._size] = self._timestamps[: self._size]
        self._timestamps = stamps
        for name, array in self._columns.items():
            grown = np.empty(capacity, dtype=np.float64)
            grown[: self._size] = array[: self._size]
            self._columns[name] = grown

    def _rebuild_levels(self) -> None:
        self._high_levels.rebuild(self.high)
        self._low_levels.rebuild(self.low)
        self._volume_levels.rebuild(self.volume)
        self.version += 1

    def _refresh_from(self, index: int) -> None:
        self._high_levels.refresh_tail(self.high, index)
        self._low_levels.refresh_tail(self.low, index)
        self._volume_levels.refresh_tail(self.volume, index)
        self.version += 1
