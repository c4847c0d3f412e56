"""ChartPanel: symbol/timeframe pickers emit on user choice; toggles drive the chart."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.ui.chart import ChartPanel, Study, StudyKind


@pytest.fixture()
def panel(qtbot: QtBot) -> ChartPanel:
    widget = ChartPanel(["BTC/USDT", "ETH/USDT", "ETH/BTC"])
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    qtbot.waitExposed(widget)
    close = np.linspace(100.0, 200.0, 500)
    stamps = np.arange(500, dtype=np.int64) * 3_600_000
    widget.chart.set_candles(stamps, close, close + 1, close - 1, close, np.ones(500))
    return widget


def test_picking_a_symbol_emits_symbol_changed(panel: ChartPanel, qtbot: QtBot) -> None:
    with qtbot.waitSignal(panel.symbol_changed, timeout=1_000) as blocker:
        panel.symbol_box.setCurrentIndex(panel.symbol_box.findText("ETH/BTC"))
    assert blocker.args == ["ETH/BTC"]
    assert panel.symbol() == "ETH/BTC"


def test_picking_a_timeframe_emits_timeframe_changed(panel: ChartPanel, qtbot: QtBot) -> None:
    with qtbot.waitSignal(panel.timeframe_changed, timeout=1_000) as blocker:
        panel.timeframe_box.setCurrentIndex(panel.timeframe_box.findText("4h"))
    assert blocker.args == ["4h"]
    assert panel.timeframe() == "4h"


def test_filling_the_pickers_from_code_emits_nothing(panel: ChartPanel, qtbot: QtBot) -> None:
    with (
        qtbot.assertNotEmitted(panel.symbol_changed),
        qtbot.assertNotEmitted(panel.timeframe_changed),
    ):
        panel.set_symbols(["SOL/USDT", "ETH/USDT"], current="ETH/USDT")
        panel.set_timeframes(["1m", "1h"], current="1h")
    assert panel.symbol() == "ETH/USDT"
    assert panel.timeframe() == "1h"
    panel.set_symbols(["BTC/USDT", "ETH/USDT"])  # keeps the selection when still offered
    assert panel.symbol() == "ETH/USDT"


def test_overlay_buttons_toggle_overlays_on_the_chart(panel: ChartPanel, qtbot: QtBot) -> None:
    sma20 = Study(StudyKind.SMA, 20)
    bands = Study(StudyKind.BOLLINGER, 20, 2.0)
    qtbot.mouseClick(panel.overlay_buttons[sma20], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.overlay_buttons[bands], Qt.MouseButton.LeftButton)
    assert panel.chart.overlays == [sma20, bands]
    qtbot.mouseClick(panel.overlay_buttons[sma20], Qt.MouseButton.LeftButton)
    assert panel.chart.overlays == [bands]


def test_rsi_and_macd_buttons_show_their_panes(panel: ChartPanel, qtbot: QtBot) -> None:
    qtbot.mouseClick(panel.rsi_button, Qt.MouseButton.LeftButton)
    assert not panel.chart.rsi_pane.isHidden()
    qtbot.mouseClick(panel.macd_button, Qt.MouseButton.LeftButton)
    assert not panel.chart.macd_pane.isHidden()
    qtbot.mouseClick(panel.rsi_button, Qt.MouseButton.LeftButton)
    assert panel.chart.rsi_pane.isHidden()


def test_sub_pane_studies_cannot_be_offered_as_overlays(qtbot: QtBot) -> None:
    with pytest.raises(ValueError, match="not a price overlay"):
        ChartPanel(overlays=[Study(StudyKind.MACD, 12)])
