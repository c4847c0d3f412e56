"""Parts of the main window provided by other UI packages, loaded lazily: the backtest panel,
the log viewer, the setup wizard and the settings dialog. A missing one is reported, never fatal.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from app.config.schema import Settings
from app.core.ports import SecretStorePort
from app.ui.messages import show_message

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow
    from app.ui.panels.backtest_panel import BacktestPanel

logger = logging.getLogger(__name__)


def add_optional_docks(window: MainWindow) -> None:
    """Add the backtest, optimise and log viewer panels as docks tabbed with the trading tables."""
    try:
        from app.ui.panels.backtest_panel import BacktestPanel
    except ImportError as exc:
        logger.warning("backtest panel not available: %s", exc)
    else:
        backtest = BacktestPanel(window, window.registry)
        window.add_panel("backtest", "Backtest", backtest, "trading")
        backtest.candles_ready.connect(window.chart_feed.show_frame)
        backtest.trades_ready.connect(window.chart_feed.show_backtest_trades)
        window.backtest_panel = backtest
        _add_optimise_panel(window, backtest)
    try:
        from app.ui.panels.log_viewer import LogViewerPanel
    except ImportError as exc:
        logger.warning("log viewer not available: %s", exc)
        return
    viewer = LogViewerPanel(window.paths.log_dir, parent=window)
    window.add_panel("log", "Log", viewer, "trading")
    window.log_panel = viewer


def _add_optimise_panel(window: MainWindow, backtest: BacktestPanel) -> None:
    """The Optimise panel; its chosen parameters open in the Backtest panel."""
    try:
        from app.ui.optimise_job import ChosenParameters
        from app.ui.panels.optimise_panel import OptimisePanel
    except ImportError as exc:
        logger.warning("optimise panel not available: %s", exc)
        return
    optimise = OptimisePanel(window, window.registry)
    window.add_panel("optimise", "Optimise", optimise, "trading")

    def backtest_chosen(chosen: ChosenParameters) -> None:
        backtest.apply_parameters(
            chosen.strategy, chosen.params, chosen.source, chosen.start, chosen.end
        )
        window.docks["backtest"].raise_()

    optimise.parameters_chosen.connect(backtest_chosen)


def _secret_store(window: MainWindow) -> SecretStorePort | None:
    """The window's key store, asked for once (the keyring, or the opt-in key file)."""
    if window.secret_store is None:
        show_message(window, "API keys", "No key store is configured in this session.")
        return None
    store = window.secret_store()
    if store is None:
        show_message(
            window,
            "API keys",
            "No key store is available, so API keys cannot be added or changed. Offline and "
            "paper trading work without keys.",
        )
    return store


def open_setup_wizard(window: MainWindow) -> None:
    """Tools > Setup wizard…: run the wizard; new settings apply after a restart."""
    try:
        from app.ui.wizard import run_setup_wizard
    except ImportError as exc:
        _unavailable(window, "The setup wizard", exc)
        return
    store = _secret_store(window)
    if store is None:
        return
    saved = run_setup_wizard(window, window.settings, window.paths, store)
    if saved is not None:
        _settings_saved(window, saved)


def open_settings_dialog(window: MainWindow) -> None:
    """Tools > Settings…: edit the settings file through the settings dialog."""
    try:
        from app.security.key_wiring import default_key_operations
        from app.ui.settings_dialog import SettingsDialog
    except ImportError as exc:
        _unavailable(window, "The settings dialog", exc)
        return
    store = _secret_store(window)
    if store is None:
        return
    holder: list[SettingsDialog] = []

    def current() -> Settings:
        return holder[0].saved if holder else window.settings

    dialog = SettingsDialog(
        window.settings, window.paths, default_key_operations(store, window.paths, current), window
    )
    holder.append(dialog)
    dialog.settings_saved.connect(lambda saved: _settings_saved(window, saved))
    dialog.exec()


def _settings_saved(window: MainWindow, saved: Settings) -> None:
    window.settings = saved
    window.status.showMessage(
        "Settings saved. Restart Cryptobot to switch the mode, exchange or database.", 15000
    )


def _unavailable(window: MainWindow, what: str, error: ImportError) -> None:
    logger.warning("%s is not available: %s", what, error)
    show_message(
        window,
        "Not available",
        f"{what} is not part of this build ({error}). Edit settings.toml in "
        f"{window.paths.config_dir} while Cryptobot is closed instead.",
    )
