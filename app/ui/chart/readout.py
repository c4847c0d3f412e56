"""Number formatting and the crosshair readout text (date/time, OHLCV, indicator values)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from app.ui.chart.axis import local_time_text
from app.ui.chart.series import CandleSeries


def format_price(value: float) -> str:
    """A price with enough decimals for its magnitude (2 for 42 000.50, 7 for 0.0512345)."""
    if not math.isfinite(value):
        return "–"
    magnitude = math.floor(math.log10(abs(value))) if value else 0
    decimals = min(10, max(2, 5 - magnitude))
    return f"{value:,.{decimals}f}"


def format_volume(value: float) -> str:
    """A volume with thousands separators and up to 4 significant decimals."""
    if not math.isfinite(value):
        return "–"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.4g}" if abs(value) < 1 else f"{value:,.2f}"


def format_oscillator(value: float) -> str:
    """An oscillator value (RSI, MACD): 2 decimals, more for values below 1."""
    if math.isfinite(value) and abs(value) >= 1:
        return f"{value:,.2f}"
    return format_price(value)


def candle_readout(
    series: CandleSeries, index: int, studies: Sequence[tuple[str, str]] = ()
) -> str:
    """Readout of bar ``index``: local time, O H L C V and the ``(label, text)`` of studies.

    Returns an empty string when ``index`` is outside the loaded bars.
    """
    if not 0 <= index < len(series):
        return ""
    parts = [
        local_time_text(int(series.timestamps[index])),
        f"O {format_price(float(series.open[index]))}",
        f"H {format_price(float(series.high[index]))}",
        f"L {format_price(float(series.low[index]))}",
        f"C {format_price(float(series.close[index]))}",
        f"V {format_volume(float(series.volume[index]))}",
    ]
    parts.extend(f"{label} {text}" for label, text in studies)
    return "  ".join(parts)
