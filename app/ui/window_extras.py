"""Parts of the main window provided by other UI packages, loaded lazily: the backtest panel,
the log viewer, the setup wizard and the settings dialog. A missing one is reported, never fatal.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from app.ui.messages import show_message

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

logger = logging.getLogger(__name__)


def add_optional_docks(window: MainWindow) -> None:
    """Add the backtest panel and the log viewer as docks tabbed with the trading tables."""
    try:
        from app.ui.panels.backtest_panel import BacktestPanel
    except ImportError as exc:
        logger.warning("backtest panel not available: %s", exc)
    else:
        backtest = BacktestPanel(window, window.registry)
        window.add_panel("backtest", "Backtest", backtest, "trading")
        backtest.candles_ready.connect(window.chart_feed.show_frame)
        window.backtest_panel = backtest
    try:
        from app.ui.panels.log_viewer import LogViewerPanel
    except ImportError as exc:
        logger.warning("log viewer not available: %s", exc)
        return
    viewer = LogViewerPanel(window.paths.log_dir, parent=window)
    window.add_panel("log", "Log", viewer, "trading")
    window.log_panel = viewer


def open_setup_wizard(window: MainWindow) -> None:
    """Tools > Setup wizard…: run the wizard; new settings apply after a restart."""
    if window.secret_store is None:
        show_message(window, "Setup wizard", "No key store is configured in this session.")
        return
    try:
        from app.ui.wizard import run_setup_wizard
    except ImportError as exc:
        _unavailable(window, "The setup wizard", exc)
        return
    saved = run_setup_wizard(window, window.settings, window.paths, window.secret_store())
    if saved is not None:
        window.settings = saved
        show_message(
            window,
            "Settings saved",
            "The new settings were saved. Restart Cryptobot to switch the mode or exchange.",
            QMessageBox.Icon.Information,
        )


def open_settings_dialog(window: MainWindow) -> None:
    """Tools > Settings…: edit the settings file through the settings dialog."""
    try:
        module = importlib.import_module("app.ui.settings_dialog")
    except ImportError as exc:
        _unavailable(window, "The settings dialog", exc)
        return
    dialog = module.SettingsDialog(window.settings, window.paths, window)
    dialog.exec()


def _unavailable(window: MainWindow, what: str, error: ImportError) -> None:
    logger.warning("%s is not available: %s", what, error)
    show_message(
        window,
        "Not available",
        f"{what} is not part of this build ({error}). Edit settings.toml in "
        f"{window.paths.config_dir} while Cryptobot is closed instead.",
    )
