"""Strategy panel: a schema-generated form that starts and stops strategies on a real engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QSpinBox
from pytestqt.qtbot import QtBot

from app.engine.facade import EngineFacade
from app.strategies.registry import StrategyRegistry, default_registry
from app.ui.bridge import EngineBridge
from app.ui.panels.strategy_panel import StrategyPanel
from tests.ui.shell_support import offline_engine, wait_result

USER_STRATEGY = """
from app.strategies import BaseStrategy, Parameter, SignalFrame


class Breakout(BaseStrategy):
    name = "breakout_user"
    title = "Breakout (mine)"
    description = "Buys new highs."

    @classmethod
    def get_parameters(cls):
        return (
            Parameter("lookback", "int", 20, min=5, max=100, step=5),
            Parameter("band", "float", 0.5, min=0.1, max=3.0, step=0.05),
            Parameter("mode", "choice", "close", choices=("close", "high")),
            Parameter("confirm", "bool", True),
        )

    def generate_signals(self, data):
        raise RuntimeError("not used in this test")
"""


@pytest.fixture()
def engine() -> Iterator[EngineFacade]:
    facade, _paths, _settings = offline_engine()
    wait_result(facade.start())
    yield facade
    facade.shutdown()


def _panel(
    qtbot: QtBot, facade: EngineFacade, registry: StrategyRegistry | None = None
) -> StrategyPanel:
    bridge = EngineBridge(facade.events, interval_ms=20)
    panel = StrategyPanel(facade, bridge, registry or default_registry(), ["BTC/USDT"])
    bridge.setParent(panel)
    qtbot.addWidget(panel)
    bridge.start()
    return panel


def test_form_follows_the_schema_and_refuses_invalid_values(
    qtbot: QtBot, engine: EngineFacade, tmp_path: Path
) -> None:
    (tmp_path / "breakout.py").write_text(USER_STRATEGY, encoding="utf-8")
    registry = default_registry()
    assert registry.load_user_strategies(tmp_path) == []
    panel = _panel(qtbot, engine, registry)

    panel.select_strategy("breakout_user")
    assert "(user)" in panel.strategy_box.currentText()
    editors = panel.parameters.editors
    lookback, band = editors["lookback"], editors["band"]
    assert isinstance(lookback, QSpinBox)
    assert (lookback.minimum(), lookback.maximum(), lookback.singleStep()) == (5, 100, 5)
    assert isinstance(band, QDoubleSpinBox)
    assert (band.minimum(), band.maximum(), band.singleStep()) == (0.1, 3.0, 0.05)
    mode = editors["mode"]
    assert isinstance(mode, QComboBox)
    assert [mode.itemText(i) for i in range(mode.count())] == ["close", "high"]
    assert isinstance(editors["confirm"], QCheckBox)

    panel.select_strategy("sma_cross")
    assert set(panel.parameters.editors) >= {"fast", "slow"}
    assert panel.start_button.isEnabled()
    panel.parameters.set_values({"fast": 40, "slow": 20})
    assert not panel.start_button.isEnabled()
    assert "'fast' must be less than 'slow'" in panel.error_label.text()
    panel.parameters.set_values({"fast": 5, "slow": 20})
    assert panel.start_button.isEnabled()

    panel.sizing.set_kind("fixed_quote")
    panel.sizing.fields["amount"].setText("-5")
    assert not panel.start_button.isEnabled()
    assert "sizing.amount" in panel.error_label.text()
    panel.sizing.fields["amount"].setText("250")
    assert panel.start_button.isEnabled()
    spec = panel.spec()
    assert spec is not None
    assert spec.params["fast"] == 5
    assert spec.sizing == {"kind": "fixed_quote", "amount": "250"}


def test_start_shows_status_and_pnl_then_stop(qtbot: QtBot, engine: EngineFacade) -> None:
    panel = _panel(qtbot, engine)
    panel.select_strategy("sma_cross")
    panel.sizing.set_kind("fixed_quote")
    panel.sizing.fields["amount"].setText("500")
    panel.start_button.click()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=5000)
    qtbot.waitUntil(lambda: panel.model.record(0).trades >= 2, timeout=15000)
    status = panel.model.record(0)
    assert status.status in ("running", "paused")
    assert status.spec.sizing == {"kind": "fixed_quote", "amount": "500"}
    engine_status = {s.strategy_id: s for s in engine.strategies()}[status.strategy_id]
    assert engine_status.spec == status.spec

    proxy = panel.view.proxy
    panel.view.table.selectionModel().select(
        proxy.index(0, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    panel.stop_button.click()
    qtbot.waitUntil(lambda: panel.model.record(0).status == "stopped", timeout=5000)


def test_start_failure_is_shown_in_the_panel(qtbot: QtBot, engine: EngineFacade) -> None:
    panel = _panel(qtbot, engine)
    panel.select_strategy("sma_cross")
    panel.symbol_box.setCurrentText("DOGE/USDT")  # the offline replay has no such market
    panel.start_button.click()
    qtbot.waitUntil(lambda: bool(panel.last_error), timeout=5000)
    assert "Could not start the strategy" in panel.error_label.text()
    assert "DOGE/USDT" in panel.error_label.text()
    assert panel.start_button.isEnabled()
    assert engine.strategies() == []
