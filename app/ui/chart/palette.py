"""Chart colours: a dark and a light palette, or any palette the main window passes in."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ChartPalette:
    """Colours of the chart as '#rrggbb' (or '#rrggbbaa') strings.

    ``grid`` and the volume colours should be opaque (already blended with the background):
    Qt's raster engine draws translucent shapes an order of magnitude slower than opaque ones.

    ``overlays`` is cycled through for indicator lines in the order they are enabled.
    """

    background: str
    foreground: str
    grid: str
    up: str
    down: str
    volume_up: str
    volume_down: str
    crosshair: str
    buy: str
    sell: str
    overlays: tuple[str, ...]


DARK = ChartPalette(
    background="#131722",
    foreground="#b2b5be",
    grid="#222735",
    up="#26a69a",
    down="#ef5350",
    volume_up="#1d5f5e",
    volume_down="#813539",
    crosshair="#9598a1",
    buy="#42a5f5",
    sell="#ffa726",
    overlays=("#f5c242", "#ab47bc", "#29b6f6", "#ec407a", "#9ccc65", "#ff7043"),
)

LIGHT = ChartPalette(
    background="#ffffff",
    foreground="#363a45",
    grid="#eceef2",
    up="#089981",
    down="#f23645",
    volume_up="#84ccc0",
    volume_down="#f89ba2",
    crosshair="#787b86",
    buy="#1e63d6",
    sell="#e65100",
    overlays=("#ff9800", "#7b1fa2", "#0288d1", "#c2185b", "#388e3c", "#5d4037"),
)
