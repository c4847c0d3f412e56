"""Dark and light themes: Fusion style, a matching QPalette, the style sheet and chart colours."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from app.config.paths import resource_path
from app.config.schema import Theme
from app.core.enums import TradingMode
from app.ui.chart.palette import DARK, LIGHT, ChartPalette

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ThemeColours:
    """Colours the widgets use beyond the style sheet (gauges, P&L, badges)."""

    window: str
    base: str
    alternate: str
    text: str
    muted: str
    highlight: str
    profit: str
    loss: str
    warning: str
    chart: ChartPalette


DARK_COLOURS = ThemeColours(
    window="#1e222d",
    base="#131722",
    alternate="#1a1e29",
    text="#d1d4dc",
    muted="#8a8f9c",
    highlight="#2962ff",
    profit="#26a69a",
    loss="#ef5350",
    warning="#ffb300",
    chart=DARK,
)
LIGHT_COLOURS = ThemeColours(
    window="#f3f4f6",
    base="#ffffff",
    alternate="#f7f8fa",
    text="#1f2430",
    muted="#5f6470",
    highlight="#2962ff",
    profit="#087f6d",
    loss="#d32f2f",
    warning="#b26a00",
    chart=LIGHT,
)

#: Badge text and colours per trading mode: LIVE is unmistakable (red, bold).
MODE_BADGES: dict[TradingMode, tuple[str, str, str]] = {
    TradingMode.OFFLINE: ("PAPER · OFFLINE", "#1b5e20", "#ffffff"),
    TradingMode.PAPER: ("PAPER", "#2e7d32", "#ffffff"),
    TradingMode.TESTNET: ("TESTNET", "#ffb300", "#1a1a1a"),
    TradingMode.LIVE: ("LIVE — REAL MONEY", "#d50000", "#ffffff"),
}


def colours_for(theme: Theme) -> ThemeColours:
    """The widget colours of ``theme``."""
    return LIGHT_COLOURS if theme is Theme.LIGHT else DARK_COLOURS


def style_sheet(theme: Theme) -> str:
    """The bundled style sheet of ``theme`` (``resources/styles/<theme>.qss``), '' if missing."""
    path = resource_path("styles", f"{theme.value}.qss")
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        logger.warning("style sheet %s not readable (%s); using the plain style", path, exc)
        return ""


def build_palette(colours: ThemeColours) -> QPalette:
    """A QPalette matching ``colours`` (so dialogs and native parts follow the theme)."""
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: colours.window,
        QPalette.ColorRole.WindowText: colours.text,
        QPalette.ColorRole.Base: colours.base,
        QPalette.ColorRole.AlternateBase: colours.alternate,
        QPalette.ColorRole.ToolTipBase: colours.window,
        QPalette.ColorRole.ToolTipText: colours.text,
        QPalette.ColorRole.Text: colours.text,
        QPalette.ColorRole.Button: colours.window,
        QPalette.ColorRole.ButtonText: colours.text,
        QPalette.ColorRole.Highlight: colours.highlight,
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: colours.muted,
        QPalette.ColorRole.Link: colours.highlight,
    }
    for role, value in roles.items():
        palette.setColor(role, QColor(value))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(colours.muted))
    return palette


def apply_theme(app: QApplication, theme: Theme) -> ThemeColours:
    """Switch the whole application to ``theme`` (style, palette, style sheet).

    Args:
        app: the running application.
        theme: dark or light.

    Returns:
        The colours of the theme, for widgets that paint themselves (gauges, chart).
    """
    colours = colours_for(theme)
    app.setStyle("Fusion")
    app.setPalette(build_palette(colours))
    app.setStyleSheet(style_sheet(theme))
    app.setProperty("cryptobot_theme", theme.value)
    return colours


def current_theme(app: QApplication) -> Theme:
    """The theme last applied with :func:`apply_theme` (dark when none was)."""
    value = app.property("cryptobot_theme")
    return Theme.LIGHT if value == Theme.LIGHT.value else Theme.DARK
