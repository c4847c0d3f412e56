"""Bottom axis that labels bar indices with the bars' local date/time.

The x coordinate is the bar index (gaps in the data are rows). Ticks are placed on the bars
where a round local time begins (every 1 h, 4 h, 1 day, 1 week, ... chosen from the zoom) and
labelled with that bar's open time in local time.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg

from app.ui.chart.series import CandleSeries

_SECOND = 1_000
_MINUTE = 60 * _SECOND
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR
_MONTH = 30 * _DAY
_NICE_STEPS_MS = (
    tuple(n * _SECOND for n in (1, 5, 15, 30))
    + tuple(n * _MINUTE for n in (1, 5, 15, 30))
    + tuple(n * _HOUR for n in (1, 2, 4, 6, 12))
    + tuple(n * _DAY for n in (1, 2, 7, 14))
    + tuple(n * _MONTH for n in (1, 3, 6, 12))
)
_LABEL_SPACING_PX = 110.0
_MAX_CANDIDATES = 2_000


def timestamp_at(series: CandleSeries, index: int) -> int | None:
    """Open time (ms UTC) of bar ``index``, extrapolated by the bar length outside the data.

    Returns None when the series is empty.
    """
    size = len(series)
    if not size:
        return None
    if 0 <= index < size:
        return int(series.timestamps[index])
    bar_ms = series.bar_spacing_ms()
    if index < 0:
        return int(series.timestamps[0]) + index * bar_ms
    return int(series.timestamps[size - 1]) + (index - size + 1) * bar_ms


def local_time_text(ms: int, step_ms: int = 0) -> str:
    """``ms`` (UTC) as local time, as precise as a label ``step_ms`` apart needs.

    ``step_ms`` 0 gives the full 'YYYY-MM-DD HH:MM' used by the crosshair readout.
    """
    local = datetime.fromtimestamp(ms / 1000, tz=UTC).astimezone()
    if step_ms >= 12 * _MONTH:
        return local.strftime("%Y")
    if step_ms >= _MONTH:
        return local.strftime("%Y-%m")
    if step_ms >= _DAY:
        return local.strftime("%Y-%m-%d")
    if step_ms >= _MINUTE:
        return local.strftime("%d %b %H:%M")
    if step_ms > 0:
        return local.strftime("%H:%M:%S")
    return local.strftime("%Y-%m-%d %H:%M")


def nice_step_ms(bars_per_label: float, bar_ms: int) -> int:
    """A round time span (1 h, 4 h, 1 day, ...) covering at least ``bars_per_label`` bars."""
    wanted_ms = max(bars_per_label, 1.0) * bar_ms
    for step_ms in _NICE_STEPS_MS:
        if step_ms >= wanted_ms:
            return step_ms
    return math.ceil(wanted_ms / (12 * _MONTH)) * 12 * _MONTH


def round_time_ticks(
    series: CandleSeries, first_bar: float, last_bar: float, step_ms: int
) -> list[float]:
    """Bars where a round local time (a multiple of ``step_ms``) begins, between two bars.

    Each round time maps to the first bar opening at or after it, so labels read 00:00, 04:00
    even when bars are missing; round times inside a gap share one bar and are merged.
    """
    start_ms = timestamp_at(series, math.floor(first_bar))
    stop_ms = timestamp_at(series, math.ceil(last_bar))
    if start_ms is None or stop_ms is None or step_ms <= 0:
        return []
    if step_ms >= _MONTH:
        times = _month_starts(start_ms, stop_ms, round(step_ms / _MONTH))
    else:
        offset = _utc_offset_ms(start_ms)
        first = -(-(start_ms + offset) // step_ms) * step_ms - offset
        count = min((stop_ms - first) // step_ms + 1, _MAX_CANDIDATES)
        times = first + np.arange(max(count, 0), dtype=np.int64) * step_ms
    times = times[times >= start_ms]
    if not len(times):
        return []
    size = len(series)
    bars = np.searchsorted(series.timestamps, times, side="left").astype(np.int64)
    after = times > series.timestamps[-1]
    bars[after] = size - 1 + -(-(times[after] - series.timestamps[-1]) // series.bar_spacing_ms())
    bars = np.unique(bars)
    return [float(bar) for bar in bars if first_bar <= bar <= last_bar]


def _month_starts(start_ms: int, stop_ms: int, months: int) -> npt.NDArray[np.int64]:
    """Local midnights of the 1st of every ``months``-th month (Jan 1 for years) in the range."""
    local = datetime.fromtimestamp(start_ms / 1000, tz=UTC).astimezone()
    index = -(-(local.year * 12 + local.month - 1) // months) * months
    times: list[int] = []
    while len(times) < _MAX_CANDIDATES:
        year, month = divmod(index, 12)
        stamp = int(time.mktime((year, month + 1, 1, 0, 0, 0, 0, 0, -1)) * 1000)
        if stamp > stop_ms:
            break
        times.append(stamp)
        index += months
    return np.asarray(times, dtype=np.int64)


def _utc_offset_ms(ms: int) -> int:
    offset = datetime.fromtimestamp(ms / 1000, tz=UTC).astimezone().utcoffset()
    return 0 if offset is None else int(offset.total_seconds() * 1000)


class BarTimeAxis(pg.AxisItem):  # type: ignore[misc]
    """Axis of bar indices labelled with local date/time.

    Args:
        series: the candles whose timestamps label the ticks.
    """

    def __init__(self, series: CandleSeries) -> None:
        super().__init__(orientation="bottom")
        self._series = series
        self.enableAutoSIPrefix(False)

    def tickValues(  # noqa: N802 (Qt override)
        self, min_val: float, max_val: float, size: float
    ) -> list[tuple[float, list[float]]]:
        """One level of ticks at round local times (every 4 h, every day, ...)."""
        if max_val <= min_val or size <= 0 or not len(self._series):
            return []
        bar_ms = self._bar_ms()
        bars_per_label = (max_val - min_val) * _LABEL_SPACING_PX / size
        step_ms = nice_step_ms(bars_per_label, bar_ms)
        ticks = round_time_ticks(self._series, min_val, max_val, step_ms)
        spaced: list[float] = []
        for tick in ticks:  # gaps can bunch round times together: keep labels apart
            if not spaced or tick - spaced[-1] >= bars_per_label * 0.6:
                spaced.append(tick)
        return [(step_ms / bar_ms, spaced)]

    def tickStrings(  # noqa: N802 (Qt override)
        self, values: list[float], scale: float, spacing: float
    ) -> list[str]:
        """Local date/time of the bar at each tick."""
        step_ms = int(spacing * self._bar_ms())
        labels = []
        for value in values:
            stamp = timestamp_at(self._series, round(value))
            labels.append("" if stamp is None else local_time_text(stamp, step_ms))
        return labels

    def _bar_ms(self) -> int:
        return self._series.bar_spacing_ms()
