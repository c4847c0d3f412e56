"""The main window on a real offline engine: docks, menus, engine control, layout, theme, hook."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from app.config.schema import Theme
from app.core.enums import BreakerState, TradingMode
from app.core.events import WorkerHealthChanged
from app.engine.facade import EngineFacade
from app.security.memory_store import InMemorySecretStore
from app.strategies.registry import default_registry
from app.ui.app import ExceptionHook, configure_qsettings
from app.ui.chart.palette import LIGHT
from app.ui.main_window import MainWindow
from app.ui.notifications import NotificationKind
from app.ui.status_bar import StatusBar
from app.ui.theme import current_theme
from tests.ui.shell_support import offline_engine


@pytest.fixture()
def engine_and_window(qtbot: QtBot) -> Iterator[tuple[EngineFacade, MainWindow]]:
    facade, paths, settings = offline_engine()
    configure_qsettings(paths)
    window = MainWindow(facade, settings=settings, paths=paths, registry=default_registry())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: "log" in window.docks, timeout=5000)  # added after the first show
    yield facade, window
    window.confirm_quit = False
    window.close()
    facade.shutdown()


def _menu_titles(window: MainWindow) -> list[str]:
    return [action.text().replace("&", "") for action in window.menuBar().actions()]


def test_window_has_docks_menus_and_starts_with_the_engine_stopped(
    engine_and_window: tuple[EngineFacade, MainWindow],
) -> None:
    facade, window = engine_and_window
    assert set(window.docks) >= {"strategy", "risk", "trading", "backtest", "log"}
    assert _menu_titles(window) == ["File", "Engine", "View", "Tools", "Help"]
    assert not facade.is_running()
    assert window.start_action.isEnabled()
    assert not window.stop_action.isEnabled()
    assert window.status.mode_badge.text() == "PAPER · OFFLINE"
    assert "Engine: stopped" in window.status.engine_label.text()


def test_start_engine_run_strategy_see_orders_fills_chart_then_kill_switch(
    qtbot: QtBot, engine_and_window: tuple[EngineFacade, MainWindow]
) -> None:
    facade, window = engine_and_window
    with qtbot.waitSignal(window.engine_started, timeout=10000):
        window.start_action.trigger()
    assert facade.is_running()
    assert window.stop_action.isEnabled() and not window.start_action.isEnabled()
    qtbot.waitUntil(lambda: "running" in window.status.engine_label.text(), timeout=5000)

    panel = window.strategy_panel
    panel.select_strategy("sma_cross")
    panel.symbol_box.setCurrentText("BTC/USDT")
    panel.timeframe_box.setCurrentText("1h")
    panel.sizing.set_kind("fixed_quote")
    panel.sizing.fields["amount"].setText("500")
    panel.start_button.click()
    tables = window.tables_panel
    qtbot.waitUntil(lambda: tables.fills_model.rowCount() >= 2, timeout=15000)
    assert tables.orders_model.rowCount() >= tables.fills_model.rowCount()
    window.chart_panel.set_symbols(["BTC/USDT"], "BTC/USDT")
    window.chart_feed.reload()
    qtbot.waitUntil(lambda: window.chart_feed.bars > 30, timeout=5000)
    qtbot.waitUntil(lambda: "Equity:" in window.status.equity_label.text(), timeout=5000)
    assert "–" not in window.status.equity_label.text()

    window.kill_action.trigger()
    box = window.risk_panel.confirm_box
    assert box is not None
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(
        lambda: facade.breaker_states()["kill_switch"] is BreakerState.HALTED, timeout=5000
    )
    assert all(not order.status.is_active for order in facade.orders())
    kinds = {note.kind for note in window.notifier.history}
    qtbot.waitUntil(
        lambda: NotificationKind.BREAKERS in {n.kind for n in window.notifier.history},
        timeout=5000,
    )
    assert NotificationKind.FILLS in kinds

    def answer(button: QMessageBox.StandardButton) -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        assert "The engine is running (PAPER · OFFLINE)" in box.text()
        box.button(button).click()

    QTimer.singleShot(200, lambda: answer(QMessageBox.StandardButton.Cancel))
    window.close()  # running engine: asks first; Cancel keeps the window open
    assert window.isVisible()

    window.stop_action.trigger()
    qtbot.waitUntil(lambda: not facade.is_running(), timeout=10000)
    qtbot.waitUntil(lambda: window.start_action.isEnabled(), timeout=5000)


def test_layout_is_saved_restored_and_reset(
    qtbot: QtBot, engine_and_window: tuple[EngineFacade, MainWindow]
) -> None:
    facade, window = engine_and_window
    risk = window.docks["risk"]
    risk.hide()
    window.close()  # saves the layout
    again = MainWindow(
        facade, settings=window.settings, paths=window.paths, registry=default_registry()
    )
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    qtbot.waitUntil(lambda: "log" in again.docks, timeout=5000)
    assert not again.docks["risk"].isVisible()
    assert QSettings().fileName().startswith(str(window.paths.config_dir))
    again.restore_layout_action.trigger()
    assert again.docks["risk"].isVisible()
    again.close()


def test_theme_switch_recolours_app_and_chart_and_is_remembered(
    engine_and_window: tuple[EngineFacade, MainWindow],
) -> None:
    _facade, window = engine_and_window
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    window.theme_actions[Theme.LIGHT].trigger()
    assert current_theme(app) is Theme.LIGHT
    assert window.chart_panel.chart._palette == LIGHT
    assert "#f3f4f6" in app.styleSheet()
    assert QSettings().value("ui/theme") == "light"
    window.theme_actions[Theme.DARK].trigger()
    assert current_theme(app) is Theme.DARK


def test_notification_kinds_are_switched_from_the_view_menu(
    engine_and_window: tuple[EngineFacade, MainWindow],
) -> None:
    _facade, window = engine_and_window
    fills = window.notification_actions[NotificationKind.FILLS]
    assert fills.isChecked() and window.notifier.is_on(NotificationKind.FILLS)
    fills.trigger()
    assert not window.notifier.is_on(NotificationKind.FILLS)
    assert window.notifier.is_on(NotificationKind.BREAKERS)
    assert QSettings().value("notifications/fills") in (False, "false")


def test_mode_badges_make_live_unmistakable(qtbot: QtBot) -> None:
    bar = StatusBar(TradingMode.LIVE)
    qtbot.addWidget(bar)
    assert bar.mode_badge.text() == "LIVE — REAL MONEY"
    assert "#d50000" in bar.mode_badge.styleSheet()
    assert "font-weight: 900" in bar.mode_badge.styleSheet()
    bar.set_mode(TradingMode.TESTNET)
    assert bar.mode_badge.text() == "TESTNET"
    assert "#ffb300" in bar.mode_badge.styleSheet()
    bar.set_mode(TradingMode.PAPER)
    assert bar.mode_badge.text() == "PAPER"
    assert "#2e7d32" in bar.mode_badge.styleSheet()


def test_status_bar_names_a_crashing_worker(qtbot: QtBot) -> None:
    bar = StatusBar(TradingMode.PAPER)
    qtbot.addWidget(bar)
    for name in ("market_data", "orders"):
        bar.on_worker_health(WorkerHealthChanged(timestamp=1, worker=name, status="running"))
    assert bar.workers_label.text() == "Workers: 2 running"
    bar.on_worker_health(
        WorkerHealthChanged(
            timestamp=2, worker="orders", status="backoff", restarts=2,
            error="NetworkError: connection reset",
        )
    )  # fmt: skip
    assert bar.workers_label.text() == "⚠ orders: backoff (restarts 2)"
    assert bar.workers_label.toolTip() == "NetworkError: connection reset"
    bar.on_worker_health(WorkerHealthChanged(timestamp=3, worker="orders", status="running"))
    assert bar.workers_label.text() == "Workers: 2 running"


def test_exception_hook_logs_and_shows_the_error(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    errors: list[tuple[str, str]] = []
    hook = ExceptionHook(on_error=lambda title, text: errors.append((title, text)))
    try:
        raise ValueError("settings.risk.daily_loss_pct: must be between 0 and 100")
    except ValueError as exc:
        hook.handle(type(exc), exc, exc.__traceback__)
    qtbot.waitUntil(lambda: bool(hook.shown), timeout=2000)
    assert hook.shown == ["ValueError: settings.risk.daily_loss_pct: must be between 0 and 100"]
    assert errors and errors[0][0] == "Unexpected error"
    assert any("uncaught exception" in record.message for record in caplog.records)
    for box in QApplication.topLevelWidgets():
        if isinstance(box, QMessageBox) and box.objectName() == "cryptobotMessage":
            assert "daily_loss_pct" in box.text()
            box.close()

    def worker() -> None:
        raise RuntimeError("worker thread broke")

    hook.install()
    try:
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
        qtbot.waitUntil(lambda: len(hook.shown) == 2, timeout=2000)  # queued to the GUI thread
    finally:
        hook.uninstall()
    assert hook.shown[1] == "RuntimeError: worker thread broke"


def test_tools_menu_opens_the_settings_dialog_and_wizard(
    qtbot: QtBot, engine_and_window: tuple[EngineFacade, MainWindow]
) -> None:
    _facade, window = engine_and_window
    window.secret_store = InMemorySecretStore
    seen: list[str] = []

    def close_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QDialog)
        seen.append(type(dialog).__name__)
        dialog.reject()

    QTimer.singleShot(300, close_dialog)
    window.settings_action.trigger()  # modal: returns once the dialog is closed
    QTimer.singleShot(300, close_dialog)
    window.wizard_action.trigger()
    assert seen == ["SettingsDialog", "SetupWizard"]
