"""Backtest panel: a real worker process runs real backtests; progress, cancel, results."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.backtest import run_backtest
from app.backtest.sources import default_database_url
from app.storage.candle_csv import read_candle_csv
from app.storage.candles import CandleStore
from app.storage.database import Database
from app.strategies.registry import default_registry
from app.ui.backtest_results import METRICS
from app.ui.panels.backtest_panel import RESEARCH_TABS, BacktestPanel

RUN_TIMEOUT_MS = 60_000


@pytest.fixture()
def panel(qtbot: QtBot, data_dir: Path) -> Iterator[BacktestPanel]:
    widget = BacktestPanel(registry=default_registry())
    qtbot.addWidget(widget)
    widget.form.set_strategy("sma_cross")
    widget.form.set_csv_file(data_dir / "btc_usdt_1h.csv")
    yield widget
    widget.cancel()


def _set_money(panel: BacktestPanel, **values: str) -> None:
    for name, text in values.items():
        panel.form.money[name].setText(text)


def test_run_backtest_shows_the_same_result_as_the_engine(
    qtbot: QtBot, panel: BacktestPanel, data_dir: Path
) -> None:
    _set_money(panel, cash="5000", fee_pct="0.1", slippage_bps="2", stake_pct="40")
    panel.form.parameters.set_values({"fast": 12, "slow": 40})
    steps: list[tuple[int, int]] = []
    panel.worker.progress.connect(lambda step, total, _text: steps.append((step, total)))

    with qtbot.waitSignal(panel.result_ready, timeout=RUN_TIMEOUT_MS) as blocker:
        assert panel.run()
        assert panel.cancel_button.isEnabled()
        assert not panel.run_button.isEnabled()
    outcome = blocker.args[0]

    expected = run_backtest(
        "sma_cross",
        read_candle_csv(data_dir / "btc_usdt_1h.csv"),
        params={"fast": 12, "slow": 40},
        cash="5000",
        fee="0.001",
        slippage_bps="2",
        stake_pct="40",
    )
    assert outcome.result.final_equity == expected.final_equity
    assert outcome.result.num_trades == expected.num_trades > 0
    assert steps == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert panel.trades.rowCount() == expected.num_trades
    assert panel.metrics.text("Trades") == str(expected.num_trades)
    assert panel.metrics.text("Final equity") == f"{expected.final_equity:,.2f}"
    assert all(panel.metrics.text(label) for label, _ in METRICS)
    assert len(panel.plots.equity_curve.getData()[1]) == expected.bars
    assert panel.run_button.isEnabled() and not panel.cancel_button.isEnabled()

    panel.tabs.setCurrentIndex(1)
    with (
        qtbot.waitSignal(panel.trades_ready) as trades_blocker,
        qtbot.waitSignal(panel.candles_ready) as candles_blocker,
    ):
        panel.chart_button.click()
    first = expected.trades[0]
    assert trades_blocker.args[0][0] == (
        first.entry_time,
        first.entry_price,
        first.exit_time,
        first.exit_price,
        first.side,
    )
    assert len(candles_blocker.args[0]) == expected.bars


def test_trades_table_sorts_by_pnl_value_not_text(qtbot: QtBot, panel: BacktestPanel) -> None:
    with qtbot.waitSignal(panel.result_ready, timeout=RUN_TIMEOUT_MS):
        panel.run()
    view = panel.trades_view
    pnl_column = [column.title for column in panel.trades.columns].index("P&L")
    view.sort_by(pnl_column, Qt.SortOrder.DescendingOrder)
    shown = [
        panel.trades.record(view.proxy.mapToSource(view.proxy.index(row, 0)).row()).pnl
        for row in range(view.proxy.rowCount())
    ]
    assert shown == sorted(shown, reverse=True)
    assert isinstance(shown[0], Decimal)


def test_cancel_terminates_the_worker_process(
    qtbot: QtBot, panel: BacktestPanel, data_dir: Path
) -> None:
    panel.form.set_csv_file(data_dir / "btc_usdt_5m.csv")
    with qtbot.waitSignal(panel.worker.cancelled, timeout=10_000):
        assert panel.run()
        process = panel.worker._process
        assert process is not None and process.is_alive()
        panel.cancel_button.click()
    assert not panel.worker.is_running()
    assert "cancelled" in panel.status.text()
    assert panel.run_button.isEnabled()
    qtbot.assertNotEmitted(panel.result_ready, wait=300)
    assert panel.outcome is None


def test_invalid_settings_disable_run_and_name_the_fix(qtbot: QtBot, panel: BacktestPanel) -> None:
    assert panel.run_button.isEnabled()
    _set_money(panel, cash="-5")
    assert not panel.run_button.isEnabled()
    assert "Capital (quote): must be greater than 0, got -5" in panel.status.text()
    _set_money(panel, cash="10000", fee_pct="abc")
    assert "Fee per fill %: enter a number, got 'abc'" in panel.status.text()
    _set_money(panel, fee_pct="0.1")
    panel.form.parameters.set_values({"fast": 50, "slow": 20})
    assert "'fast' must be less than 'slow'" in panel.status.text()
    assert not panel.run()
    panel.form.parameters.set_values({"fast": 10, "slow": 20})
    assert panel.run_button.isEnabled()
    assert panel.status.text() == ""


def test_missing_file_and_bad_range_are_explained(
    qtbot: QtBot, panel: BacktestPanel, tmp_path: Path
) -> None:
    panel.form.set_csv_file(tmp_path / "nope.csv")
    assert "is not a file; choose an existing candle CSV" in panel.status.text()
    assert not panel.run_button.isEnabled()


def test_a_bad_csv_fails_with_the_line_and_reason(
    qtbot: QtBot, panel: BacktestPanel, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "timestamp,open,high,low,close,volume\n"
        "1600000000000,10,12,9,11,1\n"
        "1600003600000,10,8,9,11,1\n",
        encoding="utf-8",
    )
    panel.form.set_csv_file(bad)
    with qtbot.waitSignal(panel.worker.failed, timeout=RUN_TIMEOUT_MS):
        assert panel.run()
    assert "The backtest did not run: bad.csv line 3" in panel.status.text()
    assert panel.progress_bar.format() == "Failed"
    assert panel.run_button.isEnabled()


def test_stored_series_are_offered_and_backtested(
    qtbot: QtBot, panel: BacktestPanel, data_dir: Path
) -> None:
    url = default_database_url()
    Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    database = Database(url)
    database.migrate()
    frame = read_candle_csv(data_dir / "eth_usdt_1h.csv")
    CandleStore(database).upsert("binance", "ETH/USDT", "1h", frame)
    database.dispose()

    panel.refresh_series()
    qtbot.waitUntil(lambda: panel.form.source_box.count() == 2, timeout=10_000)
    assert "binance ETH/USDT 1h" in panel.form.source_box.itemText(1)
    panel.form.source_box.setCurrentIndex(1)
    assert not panel.form.csv_edit.isEnabled()
    start = int(frame["timestamp"].iloc[100])
    end = int(frame["timestamp"].iloc[1099])
    panel.form.set_range(start, end)
    with qtbot.waitSignal(panel.result_ready, timeout=RUN_TIMEOUT_MS) as blocker:
        assert panel.run()
    result = blocker.args[0].result
    assert result.bars == 1000
    assert int(result.timestamp[0]) == start
    assert "binance ETH/USDT 1h" in panel.status.text()


def test_research_views_are_disabled_not_pretending(qtbot: QtBot, panel: BacktestPanel) -> None:
    titles = [panel.tabs.tabText(index) for index in range(panel.tabs.count())]
    for title in RESEARCH_TABS:
        index = titles.index(f"{title} (soon)")
        assert not panel.tabs.isTabEnabled(index)
        assert panel.tabs.tabToolTip(index) == "Coming with the research tools"


USER_STRATEGY = """
import numpy as np
import pandas as pd

from app.strategies import BaseStrategy, Parameter, SignalFrame


class EveryNth(BaseStrategy):
    name = "every_nth"
    title = "Every nth bar"
    description = "Buys on every nth bar and sells two bars later."

    @classmethod
    def get_parameters(cls):
        return (Parameter("n", "int", 50, min=5, max=500, description="Bars between entries."),)

    def generate_signals(self, data: pd.DataFrame) -> SignalFrame:
        index = np.arange(len(data))
        n = self.params["n"]
        return SignalFrame(entries=index % n == 0, exits=index % n == 2)
"""


def test_a_user_strategy_runs_in_the_worker_process(
    qtbot: QtBot, data_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "strategies"
    folder.mkdir()
    (folder / "every_nth.py").write_text(USER_STRATEGY, encoding="utf-8")
    registry = default_registry()
    assert registry.load_user_strategies(folder) == []
    panel = BacktestPanel(registry=registry)
    qtbot.addWidget(panel)
    panel.form.set_strategy("every_nth")
    panel.form.set_csv_file(data_dir / "btc_usdt_1h.csv")
    panel.form.parameters.set_values({"n": 100})
    with qtbot.waitSignal(panel.result_ready, timeout=RUN_TIMEOUT_MS) as blocker:
        assert panel.run()
    result = blocker.args[0].result
    assert result.strategy == "every_nth"
    assert result.num_trades == len(range(0, result.bars - 3, 100))


def test_stored_series_are_listed_when_the_panel_is_first_shown(
    qtbot: QtBot, data_dir: Path
) -> None:
    url = default_database_url()
    Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    database = Database(url)
    database.migrate()
    CandleStore(database).upsert(
        "kraken", "BTC/USD", "1h", read_candle_csv(data_dir / "btc_usdt_1h.csv").head(50)
    )
    database.dispose()
    panel = BacktestPanel(registry=default_registry())
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.form.source_box.count() == 2, timeout=10_000)
    assert panel.form.source_box.itemText(1) == "kraken BTC/USD 1h (50 bars)"
    assert panel.status.text() == "1 stored series found."


def test_a_worker_that_dies_is_reported_not_awaited_forever(
    qtbot: QtBot, panel: BacktestPanel
) -> None:
    with qtbot.waitSignal(panel.worker.failed, timeout=RUN_TIMEOUT_MS) as blocker:
        assert panel.run()
        process = panel.worker._process
        assert process is not None
        process.kill()
    assert "stopped unexpectedly (exit code -9)" in blocker.args[0]
    assert "The backtest did not run" in panel.status.text()
    assert panel.run_button.isEnabled() and not panel.worker.is_running()
