"""The main window's actions, menus and toolbar (built once, kept as window attributes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolBar, QWidget

from app.config.schema import Theme
from app.ui.notifications import NotificationKind
from app.ui.status_bar import badge_style
from app.ui.theme import MODE_BADGES
from app.ui.window_extras import open_settings_dialog, open_setup_wizard

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


def install_actions(window: MainWindow) -> None:
    """Create the window's actions (engine control, kill switch, export, theme, tools)."""
    window.start_action = QAction("&Start engine", window)
    window.start_action.setShortcut("Ctrl+Shift+S")
    window.start_action.setToolTip(
        "Connect, reconcile and start trading (the engine starts stopped)"
    )
    window.start_action.triggered.connect(window.start_engine)
    window.stop_action = QAction("S&top engine", window)
    window.stop_action.setToolTip(
        "Stop strategies and disconnect (open orders stay on the exchange)"
    )
    window.stop_action.triggered.connect(window.stop_engine)
    window.kill_action = QAction("&Kill switch…", window)
    window.kill_action.setShortcut("Ctrl+Shift+K")
    window.kill_action.setToolTip("Cancel every open order and refuse new ones")
    window.kill_action.triggered.connect(window.risk_panel.on_kill_clicked)
    window.export_action = QAction("&Export orders as CSV…", window)
    window.export_action.triggered.connect(window.tables_panel.orders_view.on_export_clicked)
    window.quit_action = QAction("&Quit", window)
    window.quit_action.setShortcut("Ctrl+Q")
    window.quit_action.triggered.connect(window.close)
    window.restore_layout_action = QAction("&Restore default layout", window)
    window.restore_layout_action.triggered.connect(window.restore_default_layout)
    window.theme_group = QActionGroup(window)
    window.theme_actions = {}
    for theme, label in ((Theme.DARK, "&Dark theme"), (Theme.LIGHT, "&Light theme")):
        action = QAction(label, window.theme_group)
        action.setCheckable(True)
        action.setChecked(theme is window.theme)
        action.triggered.connect(lambda _checked=False, chosen=theme: window.set_theme(chosen))
        window.theme_actions[theme] = action
    window.wizard_action = QAction("Setup &wizard…", window)
    window.wizard_action.triggered.connect(lambda: open_setup_wizard(window))
    window.settings_action = QAction("&Settings…", window)
    window.settings_action.triggered.connect(lambda: open_settings_dialog(window))
    window.about_action = QAction("&About Cryptobot", window)
    window.about_action.triggered.connect(window.show_about)


def install_menus(window: MainWindow) -> None:
    """Build the menu bar: File, Engine, View, Tools, Help."""
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addAction(window.export_action)
    file_menu.addSeparator()
    file_menu.addAction(window.quit_action)
    engine_menu = bar.addMenu("&Engine")
    engine_menu.addActions([window.start_action, window.stop_action])
    engine_menu.addSeparator()
    engine_menu.addAction(window.kill_action)
    view_menu = bar.addMenu("&View")
    window.view_menu = view_menu
    for dock in window.docks.values():
        view_menu.addAction(dock.toggleViewAction())
    window.view_docks_end = view_menu.addSeparator()
    view_menu.addActions(list(window.theme_actions.values()))
    view_menu.addSeparator()
    notify_menu = view_menu.addMenu("&Notifications")
    window.notification_actions = {}
    for kind, label in (
        (NotificationKind.FILLS, "&Fills"),
        (NotificationKind.BREAKERS, "&Breaker trips"),
        (NotificationKind.ERRORS, "&Errors"),
    ):
        action = notify_menu.addAction(label)
        action.setCheckable(True)
        action.setChecked(window.notifier.is_on(kind))
        action.toggled.connect(lambda on, chosen=kind: window.notifier.set_on(chosen, on))
        window.notification_actions[kind] = action
    view_menu.addSeparator()
    view_menu.addAction(window.restore_layout_action)
    tools_menu = bar.addMenu("&Tools")
    tools_menu.addActions([window.wizard_action, window.settings_action])
    help_menu = bar.addMenu("&Help")
    help_menu.addAction(window.about_action)


def install_toolbar(window: MainWindow) -> None:
    """Build the toolbar with engine control, the kill switch and the mode badge."""
    toolbar = QToolBar("Main", window)
    toolbar.setObjectName("toolbar_main")
    toolbar.setMovable(False)
    toolbar.addActions([window.start_action, window.stop_action])
    toolbar.addSeparator()
    toolbar.addAction(window.kill_action)
    spacer = QWidget(toolbar)
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    toolbar.addWidget(spacer)
    window.toolbar_badge = QLabel(MODE_BADGES[window.facade.mode][0], toolbar)
    window.toolbar_badge.setStyleSheet(badge_style(window.facade.mode))
    toolbar.addWidget(window.toolbar_badge)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
