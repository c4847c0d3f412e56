"""Inline SVG line charts for the HTML report (no scripts, no network).

Long series are reduced to a min/max envelope per pixel column, so a chart of 1,000,000 bars
stays a few hundred kilobytes and looks the same as the full line.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.backtest.data import FloatArray, IntArray
from app.core.time import format_ms

_MARGIN_LEFT = 70
_MARGIN_RIGHT = 12
_MARGIN_TOP = 24
_MARGIN_BOTTOM = 28
_X_TICKS = 6
_Y_TICKS = 5


@dataclass(frozen=True, slots=True)
class Series:
    """One line: values per bar, its colour and legend label; ``area`` fills down to 0."""

    values: FloatArray
    color: str
    label: str
    area: bool = False


@dataclass(frozen=True, slots=True)
class Marker:
    """A point on the chart: bar index, price, up (buy) or down (sell) triangle, tooltip."""

    bar: int
    value: float
    up: bool
    tooltip: str


@dataclass(frozen=True, slots=True)
class _Frame:
    """Maps bar indices and values to pixel coordinates."""

    bars: int
    low: float
    high: float
    width: int
    height: int

    def x(self, bar: FloatArray | float) -> FloatArray | float:
        span = self.width - _MARGIN_LEFT - _MARGIN_RIGHT
        return _MARGIN_LEFT + np.asarray(bar) * span / max(self.bars - 1, 1)

    def y(self, value: FloatArray | float) -> FloatArray | float:
        span = self.height - _MARGIN_TOP - _MARGIN_BOTTOM
        scale = span / (self.high - self.low) if self.high > self.low else 0.0
        return self.height - _MARGIN_BOTTOM - (np.asarray(value) - self.low) * scale


def line_chart(
    title: str,
    timestamp: IntArray,
    series: Sequence[Series],
    markers: Sequence[Marker] = (),
    *,
    width: int = 1100,
    height: int = 280,
) -> str:
    """An SVG line chart with time ticks along x (bars are rows: gaps take no space).

    Args:
        title: shown top left.
        timestamp: bar open times (ms UTC), for the x tick labels.
        series: the lines, drawn in order.
        markers: trade markers drawn on top.
        width: pixels.
        height: pixels.

    Returns:
        The ``<svg>`` element as text.
    """
    bars = int(timestamp.shape[0])
    finite = [item.values[np.isfinite(item.values)] for item in series]
    low = min((float(values.min()) for values in finite if values.size), default=0.0)
    high = max((float(values.max()) for values in finite if values.size), default=1.0)
    if any(item.area for item in series):
        low, high = min(low, 0.0), max(high, 0.0)
    pad = (high - low) * 0.04 or abs(high) * 0.01 or 1.0
    frame = _Frame(bars, low - pad, high + pad, width, height)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{html.escape(title)}">',
        f'<text x="{_MARGIN_LEFT}" y="16" font-weight="600">{html.escape(title)}</text>',
        *_axes(frame, timestamp),
    ]
    for item in series:
        parts.append(_path(frame, item))
    legend_x = width - _MARGIN_RIGHT
    for item in reversed(series):
        parts.append(
            f'<text x="{legend_x}" y="16" text-anchor="end" fill="{item.color}">'
            f"{html.escape(item.label)}</text>"
        )
        legend_x -= 10 + 7 * len(item.label)
    parts.extend(_marker(frame, marker) for marker in markers)
    parts.append("</svg>")
    return "\n".join(parts)


def _envelope(values: FloatArray, columns: int) -> tuple[FloatArray, FloatArray]:
    """(bar positions, values) reduced to min and max per pixel column."""
    n = values.shape[0]
    if n <= columns * 2:
        return np.arange(n, dtype=np.float64), values
    starts = np.linspace(0, n, columns + 1).astype(np.int64)[:-1]
    lows = np.minimum.reduceat(values, starts)
    highs = np.maximum.reduceat(values, starts)
    ends = np.append(starts[1:], n) - 1
    positions = np.repeat((starts + ends) / 2.0, 2)
    merged = np.empty(columns * 2, dtype=np.float64)
    merged[0::2] = lows
    merged[1::2] = highs
    return positions, merged


def _path(frame: _Frame, item: Series) -> str:
    positions, values = _envelope(item.values, frame.width - _MARGIN_LEFT - _MARGIN_RIGHT)
    keep = np.isfinite(values)
    xs = np.asarray(frame.x(positions[keep]))
    ys = np.asarray(frame.y(values[keep]))
    if xs.size == 0:
        return ""
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs.tolist(), ys.tolist(), strict=True))
    if item.area:
        base = float(frame.y(0.0))
        return (
            f'<path d="M{xs[0]:.1f},{base:.1f} L{points} L{xs[-1]:.1f},{base:.1f} Z" '
            f'fill="{item.color}" fill-opacity="0.35" stroke="{item.color}" stroke-width="1"/>'
        )
    return f'<polyline points="{points}" fill="none" stroke="{item.color}" stroke-width="1.2"/>'


def _axes(frame: _Frame, timestamp: IntArray) -> list[str]:
    left, right = _MARGIN_LEFT, frame.width - _MARGIN_RIGHT
    bottom = frame.height - _MARGIN_BOTTOM
    parts = [
        f'<rect x="{left}" y="{_MARGIN_TOP}" width="{right - left}" '
        f'height="{bottom - _MARGIN_TOP}" fill="#fcfcfc" stroke="#ccc"/>'
    ]
    for value in np.linspace(frame.low, frame.high, _Y_TICKS):
        y = float(frame.y(float(value)))
        parts.append(f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_short(float(value))}</text>'
        )
    ticks = np.linspace(0, frame.bars - 1, _X_TICKS).astype(np.int64).tolist()
    for number, bar in enumerate(ticks):
        x = float(frame.x(float(bar)))
        anchor = "start" if number == 0 else "end" if number == len(ticks) - 1 else "middle"
        label = format_ms(int(timestamp[bar]))
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{_MARGIN_TOP}" y2="{bottom}" stroke="#eee"/>'
        )
        parts.append(f'<text x="{x:.1f}" y="{bottom + 18}" text-anchor="{anchor}">{label}</text>')
    return parts


def _marker(frame: _Frame, marker: Marker) -> str:
    x = float(frame.x(float(marker.bar)))
    y = float(frame.y(marker.value))
    if marker.up:
        shape, color = (
            f"{x:.1f},{y + 2:.1f} {x - 5:.1f},{y + 11:.1f} {x + 5:.1f},{y + 11:.1f}",
            "#1a9850",
        )
    else:
        shape, color = (
            f"{x:.1f},{y - 2:.1f} {x - 5:.1f},{y - 11:.1f} {x + 5:.1f},{y - 11:.1f}",
            "#d73027",
        )
    return (
        f'<polygon points="{shape}" fill="{color}"><title>{html.escape(marker.tooltip)}</title>'
        "</polygon>"
    )


def _short(value: float) -> str:
    magnitude = abs(value)
    if magnitude >= 1e6:
        return f"{value / 1e6:.2f}M"
    if magnitude >= 1e4:
        return f"{value / 1e3:.1f}k"
    if magnitude >= 100:
        return f"{value:.0f}"
    return f"{value:.4g}"
