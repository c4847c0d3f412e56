"""Fast start-up: the window shows with a pending engine, which is attached when built."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from app.core.enums import TradingMode
from app.core.errors import EngineError
from app.engine.specs import StrategySpec
from app.risk.limits import RiskLimits
from app.strategies.registry import default_registry
from app.ui.app import configure_qsettings
from app.ui.main_window import MainWindow
from app.ui.pending_facade import PendingFacade
from tests.ui.shell_support import offline_engine, wait_result


def test_window_waits_for_the_engine_then_attaches_it(qtbot: QtBot) -> None:
    facade, paths, settings = offline_engine()
    configure_qsettings(paths)
    pending = PendingFacade(TradingMode.TESTNET, settings.risk)
    window = MainWindow(pending, settings=settings, paths=paths, registry=default_registry())
    qtbot.addWidget(window)
    try:
        window.show()
        assert window.status.engine_label.text() == "Engine: loading…"
        assert window.status.mode_badge.text() == "TESTNET"
        assert not window.start_action.isEnabled()
        with pytest.raises(EngineError, match="still loading"):
            wait_result(pending.start_strategy(StrategySpec("sma_cross", "BTC/USDT", "1h")))
        assert window.risk_panel.limits_form.limits() == settings.risk

        with qtbot.waitSignal(window.engine_attached, timeout=5000):
            window.attach_engine(facade)
        assert window.status.mode_badge.text() == "PAPER · OFFLINE"
        assert window.toolbar_badge.text() == "PAPER · OFFLINE"
        assert "PAPER · OFFLINE" in window.windowTitle()
        assert window.start_action.isEnabled()
        with qtbot.waitSignal(window.engine_started, timeout=10000):
            window.start_action.trigger()
        assert pending.is_running() and facade.is_running()
    finally:
        window.confirm_quit = False
        window.close()
        facade.shutdown()


def test_engine_that_cannot_be_built_is_explained(qtbot: QtBot) -> None:
    _facade, paths, settings = offline_engine()
    _facade.shutdown()
    configure_qsettings(paths)
    pending = PendingFacade(TradingMode.LIVE, RiskLimits())
    window = MainWindow(pending, settings=settings, paths=paths, registry=default_registry())
    qtbot.addWidget(window)
    window.show()
    window.engine_failed("exchange.api_key_ref: live trading needs an API key")
    assert not window.start_action.isEnabled()
    assert "not available" in window.status.engine_label.text()
    with pytest.raises(EngineError, match="api_key_ref"):
        wait_result(pending.engage_kill_switch("test"))
    window.close()
