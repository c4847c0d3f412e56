"""Bottom axis that labels bar indices with the bars' local date/time.

The x coordinate is the bar index (gaps in the data are rows), so ticks are placed every
``step`` bars, with ``step`` chosen from round time spans (1 h, 4 h, 1 day, 1 week, ...) of the
typical bar length, and labelled with the open time of the bar under the tick in local time.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pyqtgraph as pg

from app.ui.chart.series import CandleSeries

_SECOND = 1_000
_MINUTE = 60 * _SECOND
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR
_NICE_STEPS_MS = (
    tuple(n * _SECOND for n in (1, 5, 15, 30))
    + tuple(n * _MINUTE for n in (1, 5, 15, 30))
    + tuple(n * _HOUR for n in (1, 2, 4, 6, 12))
    + tuple(n * _DAY for n in (1, 2, 7, 14, 30, 91, 182, 365))
)
_LABEL_SPACING_PX = 110.0


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
    if step_ms >= 365 * _DAY:
        return local.strftime("%Y")
    if step_ms >= 90 * _DAY:
        return local.strftime("%Y-%m")
    if step_ms >= _DAY:
        return local.strftime("%Y-%m-%d")
    if step_ms >= _MINUTE:
        return local.strftime("%d %b %H:%M")
    if step_ms > 0:
        return local.strftime("%H:%M:%S")
    return local.strftime("%Y-%m-%d %H:%M")


def nice_step_bars(bars_per_label: float, bar_ms: int) -> int:
    """Bars between two labels: a round time span of at least ``bars_per_label`` bars."""
    wanted_ms = max(bars_per_label, 1.0) * bar_ms
    for step_ms in _NICE_STEPS_MS:
        if step_ms >= wanted_ms:
            return max(1, round(step_ms / bar_ms))
    years = math.ceil(wanted_ms / (365 * _DAY))
    return max(1, round(years * 365 * _DAY / bar_ms))


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
        """One level of ticks every round time span, on whole bars."""
        if max_val <= min_val or size <= 0:
            return []
        step = nice_step_bars((max_val - min_val) * _LABEL_SPACING_PX / size, self._bar_ms())
        first = math.ceil(min_val / step) * step
        count = int((max_val - first) // step) + 1
        return [(float(step), [float(first + n * step) for n in range(max(count, 0))])]

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
