"""The main window: chart in the centre, dock panels around it, menus, toolbar and status bar."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QWidget,
)

from app import app_version
from app.config.paths import AppPaths
from app.config.schema import Settings, Theme
from app.core.enums import TradingMode
from app.core.events import EngineStateChanged
from app.core.ports import SecretStorePort
from app.observability.logging_config import LoggingHandle
from app.strategies.registry import StrategyRegistry
from app.ui.bridge import EngineBridge, when_done
from app.ui.chart import ChartPanel
from app.ui.chart_feed import ChartFeed
from app.ui.facade_port import FacadePort
from app.ui.messages import show_message
from app.ui.notifications import NotificationKind, Notifier
from app.ui.panels.risk_panel import RiskPanel
from app.ui.panels.strategy_panel import StrategyPanel
from app.ui.panels.trading_tables import TradingTablesPanel
from app.ui.pending_facade import PendingFacade
from app.ui.status_bar import StatusBar, badge_style
from app.ui.theme import MODE_BADGES, apply_theme, colours_for
from app.ui.window_actions import install_actions, install_menus, install_toolbar
from app.ui.window_extras import add_optional_docks

logger = logging.getLogger(__name__)

GEOMETRY_KEY = "window/geometry"
STATE_KEY = "window/state"
LAYOUT_VERSION = 1


class MainWindow(QMainWindow):
    """Cryptobot's main window.

    Args:
        facade: the engine facade (the only engine API the window uses).
        settings: the loaded settings (symbols, theme, notifications).
        paths: the application's directories.
        registry: built-in and user strategies.
        log_handle: the logging setup (its ring buffer feeds the log viewer).
        secret_store: returns the API key store (wizard, settings), asked for on first use;
            None when the user declined one.
        parent: owning widget.
    """

    engine_started = Signal()
    engine_attached = Signal()

    # Built by app.ui.window_actions.
    start_action: QAction
    stop_action: QAction
    kill_action: QAction
    export_action: QAction
    quit_action: QAction
    restore_layout_action: QAction
    wizard_action: QAction
    settings_action: QAction
    about_action: QAction
    theme_group: QActionGroup
    theme_actions: dict[Theme, QAction]
    notification_actions: dict[NotificationKind, QAction]
    view_menu: QMenu
    view_docks_end: QAction  # dock toggles are inserted before this separator
    toolbar_badge: QLabel

    def __init__(
        self,
        facade: FacadePort,
        *,
        settings: Settings,
        paths: AppPaths,
        registry: StrategyRegistry,
        log_handle: LoggingHandle | None = None,
        secret_store: Callable[[], SecretStorePort | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.facade = facade
        self.settings = settings
        self.paths = paths
        self.registry = registry
        self.log_handle = log_handle
        self.secret_store = secret_store
        self.theme = settings.general.theme
        self.setObjectName("MainWindow")
        self._set_title(facade.mode)
        self.resize(1600, 1000)
        self.setDockNestingEnabled(True)

        self.bridge = EngineBridge(facade.events, parent=self)
        symbols = list(settings.general.symbols)
        self.chart_panel = ChartPanel(symbols, palette=colours_for(self.theme).chart, parent=self)
        self.chart_panel.timeframe_box.setCurrentText(settings.general.timeframe)
        self.setCentralWidget(self.chart_panel)
        self.chart_feed = ChartFeed(facade, self.bridge, self.chart_panel, self)

        self.strategy_panel = StrategyPanel(facade, self.bridge, registry, symbols, parent=self)
        self.risk_panel = RiskPanel(facade, self.bridge, self)
        self.tables_panel = TradingTablesPanel(facade, self.bridge, self, symbols)
        self.docks: dict[str, QDockWidget] = {}
        self.backtest_panel: QWidget | None = None
        self.log_panel: QWidget | None = None
        self._add_dock(
            "strategy", "Strategies", self.strategy_panel, Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self._add_dock("risk", "Risk", self.risk_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self._add_dock("trading", "Orders · Positions · Fills · Balances", self.tables_panel,
                       Qt.DockWidgetArea.BottomDockWidgetArea)  # fmt: skip

        self.status = StatusBar(facade.mode, settings.general.quote_currency, self)
        self.setStatusBar(self.status)
        self.notifier = Notifier(
            self.bridge, self.windowIcon(), settings.general.notifications, self
        )
        install_actions(self)
        install_menus(self)
        install_toolbar(self)
        self._connect_bridge()
        self.resizeDocks(
            [self.docks["strategy"], self.docks["risk"]], [400, 340], Qt.Orientation.Horizontal
        )
        self.resizeDocks([self.docks["trading"]], [300], Qt.Orientation.Vertical)
        self._apply_tones(self.theme)
        self._default_state = self.saveState(LAYOUT_VERSION)
        self._restore_layout()
        self._first_show = True
        self.confirm_quit = True  # ask before closing while the engine runs (off when unattended)
        self.engine_ready = not isinstance(facade, PendingFacade)
        self.set_engine_running(facade.is_running())
        if not self.engine_ready:
            self.status.set_engine_loading()
        self.bridge.start()

    # ------------------------------------------------------------------ construction
    def _add_dock(
        self, name: str, title: str, widget: QWidget, area: Qt.DockWidgetArea
    ) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{name}")
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(area, dock)
        self.docks[name] = dock
        return dock

    def add_panel(self, name: str, title: str, widget: QWidget, tab_with: str) -> QDockWidget:
        """Add a dock panel tabbed with the existing dock ``tab_with`` (and to the View menu)."""
        dock = self._add_dock(name, title, widget, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.tabifyDockWidget(self.docks[tab_with], dock)
        self.docks[tab_with].raise_()
        self.view_menu.insertAction(self.view_docks_end, dock.toggleViewAction())
        return dock

    def _connect_bridge(self) -> None:
        self.strategy_panel.started.connect(lambda _strategy_id: self.chart_feed.reload())
        self.bridge.engine_state.connect(self.on_engine_state)
        self.bridge.engine_state.connect(self.status.on_engine_state)
        self.bridge.connection.connect(self.status.on_connection)
        self.bridge.worker_health.connect(self.status.on_worker_health)
        self.bridge.equity.connect(self.status.on_equity)

    # ------------------------------------------------------------------ engine
    def _set_title(self, mode: TradingMode) -> None:
        self.setWindowTitle(f"Cryptobot {app_version()} — {MODE_BADGES[mode][0]}")

    def attach_engine(self, facade: FacadePort) -> None:
        """The engine finished building: connect the window (started with a pending facade).

        Raises:
            TypeError: the window was not created with a :class:`PendingFacade`.
        """
        pending = self.facade
        if not isinstance(pending, PendingFacade):
            raise TypeError("attach_engine needs a window created with a PendingFacade")
        pending.attach(facade)
        self.bridge.set_queue(facade.events)
        self.engine_ready = True
        self._set_title(facade.mode)
        self.status.set_mode(facade.mode)
        self.toolbar_badge.setText(MODE_BADGES[facade.mode][0])
        self.toolbar_badge.setStyleSheet(badge_style(facade.mode))
        self.set_engine_running(facade.is_running())
        self.risk_panel.load_limits()
        self.risk_panel.refresh_breakers()
        self.tables_panel.refresh()
        self.chart_feed.reload()
        self.engine_attached.emit()
        logger.info("engine attached to the window (%s mode)", facade.mode.value)

    def engine_failed(self, message: str) -> None:
        """The engine could not be built: say so; every command explains why it fails."""
        pending = self.facade
        if isinstance(pending, PendingFacade):
            pending.fail(message)
        self.start_action.setEnabled(False)
        self.status.set_engine_running(False, "not available")
        show_message(self, "Engine not available", message)

    def start_engine(self) -> None:
        """Start the engine (connect, reconcile, run workers)."""
        self.start_action.setEnabled(False)
        self.status.showMessage("Starting the engine…")
        when_done(self.facade.start(), lambda _r: self._engine_started(), self._start_failed, self)

    def _engine_started(self) -> None:
        self.set_engine_running(True)
        self.status.showMessage("Engine started", 5000)
        markets = self.facade.markets()
        # The configured symbols the venue lists (an exchange lists thousands; the pickers
        # stay editable in the strategy panel and the order ticket).
        symbols = [s for s in self.settings.general.symbols if s in markets] or sorted(markets)
        if symbols:
            self.chart_panel.set_symbols(symbols)
            self.strategy_panel.set_symbols(symbols)
            self.tables_panel.ticket.set_symbols(symbols)
        self.tables_panel.refresh()
        self.chart_feed.reload()
        self.engine_started.emit()

    def _start_failed(self, error: BaseException) -> None:
        self.set_engine_running(self.facade.is_running())
        self.status.showMessage("Engine start failed", 10000)
        show_message(self, "Engine not started", f"The engine could not start: {error}")

    def stop_engine(self) -> None:
        """Stop the engine gracefully."""
        self.stop_action.setEnabled(False)
        self.status.showMessage("Stopping the engine…")
        when_done(
            self.facade.stop(),
            lambda _r: self.set_engine_running(False),
            self._stop_failed,
            self,
        )

    def _stop_failed(self, error: BaseException) -> None:
        self.set_engine_running(self.facade.is_running())
        show_message(self, "Engine", f"The engine did not stop cleanly: {error}")

    def set_engine_running(self, running: bool) -> None:
        """Enable the actions that fit the engine's state."""
        self.start_action.setEnabled(not running and self.engine_ready)
        self.stop_action.setEnabled(running)
        self.status.set_engine_running(running)

    def on_engine_state(self, event: EngineStateChanged) -> None:
        """The engine reported a state change."""
        self.set_engine_running(event.running)

    # ------------------------------------------------------------------ theme and layout
    def set_theme(self, theme: Theme, *, remember: bool = True) -> None:
        """Switch the window (and chart) to ``theme``; ``remember`` keeps it for next time."""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)
        colours = colours_for(theme)
        self.theme = theme
        self.theme_actions[theme].setChecked(True)
        self.chart_panel.chart.set_palette(colours.chart)
        self._apply_tones(theme)
        if remember:
            QSettings().setValue("ui/theme", theme.value)

    def _apply_tones(self, theme: Theme) -> None:
        colours = colours_for(theme)
        for model in (self.tables_panel.positions_model, self.strategy_panel.model):
            model.set_tone_colours(colours.profit, colours.loss)

    def restore_saved_theme(self) -> None:
        """Apply the theme last chosen in View (if any)."""
        saved = QSettings().value("ui/theme")
        if saved in (Theme.DARK.value, Theme.LIGHT.value) and saved != self.theme.value:
            self.set_theme(Theme(str(saved)))

    def restore_default_layout(self) -> None:
        """Put every dock back where it started."""
        self.restoreState(self._default_state, LAYOUT_VERSION)
        for dock in self.docks.values():
            dock.show()
        self.docks["trading"].raise_()

    def _restore_layout(self) -> None:
        store = QSettings()
        geometry = store.value(GEOMETRY_KEY)
        state = store.value(STATE_KEY)
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray) and not self.restoreState(state, LAYOUT_VERSION):
            logger.info("saved window layout is from another version; using the default")

    def save_layout(self) -> None:
        """Remember window geometry and dock layout (QSettings)."""
        store = QSettings()
        store.setValue(GEOMETRY_KEY, self.saveGeometry())
        store.setValue(STATE_KEY, self.saveState(LAYOUT_VERSION))

    # ------------------------------------------------------------------ misc
    def show_about(self) -> None:
        """Version and where files live."""
        show_message(
            self,
            "About Cryptobot",
            f"Cryptobot {app_version()}\n\nSettings: {self.paths.settings_file}\n"
            f"Data: {self.paths.data_dir}\nLogs: {self.paths.log_dir}",
            QMessageBox.Icon.Information,
        )

    def _quit_confirmed(self) -> bool:
        mode = MODE_BADGES[self.facade.mode][0]
        answer = QMessageBox.question(
            self,
            "Quit Cryptobot?",
            f"The engine is running ({mode}). Quitting stops every strategy; orders already on "
            "the exchange stay there until they fill or you cancel them.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """Load the chart, backtest and log panels after the window is on screen (fast start)."""
        super().showEvent(event)
        if self._first_show:
            self._first_show = False
            QTimer.singleShot(0, self._after_first_show)

    def _after_first_show(self) -> None:
        add_optional_docks(self)
        self._default_state = self.saveState(LAYOUT_VERSION)
        self._restore_layout()
        self.tables_panel.refresh()
        self.chart_feed.reload()
        if self.facade.mode is TradingMode.LIVE:
            self.status.showMessage("LIVE mode: orders use real money. The engine is stopped.")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        """Ask before quitting while the engine trades; save the layout, stop draining events."""
        if self.confirm_quit and self.facade.is_running() and not self._quit_confirmed():
            event.ignore()
            return
        self.save_layout()
        self.bridge.stop()
        super().closeEvent(event)
