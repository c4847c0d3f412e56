"""Optimise panel: partial results of a cancelled run, stored-series hand-off, live theme."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.backtest.sources import StoredSource, default_database_url
from app.config.schema import Theme
from app.research.evaluator import Evaluator
from app.research.space import SearchSpace
from app.research.store import list_research_runs
from app.storage.candle_csv import read_candle_csv
from app.storage.candles import CandleStore
from app.storage.database import Database
from app.strategies.registry import default_registry
from app.ui.backtest_job import registry_for
from app.ui.optimise_heatmap import OptimiseHeatmap
from app.ui.optimise_job import ChosenParameters
from app.ui.panels.optimise_panel import OptimisePanel
from app.ui.theme import apply_theme, colours_for

RUN_TIMEOUT_MS = 60_000


@pytest.fixture()
def panel(qtbot: QtBot) -> Iterator[OptimisePanel]:
    widget = OptimisePanel(registry=default_registry())
    qtbot.addWidget(widget)
    widget.form.set_strategy("sma_cross")
    widget.form.min_trades_spin.setValue(1)
    widget.form.workers_spin.setValue(1)
    yield widget
    widget.worker.shutdown()


def test_a_cancelled_run_ranks_what_finished_and_saves_nothing(
    qtbot: QtBot, panel: OptimisePanel, data_dir: Path
) -> None:
    form = panel.form
    form.base.set_csv_file(data_dir / "btc_usdt_1h.csv")
    form.ranges.set_range("fast", 2, 40, 1)
    form.ranges.set_range("slow", 20, 200, 5)  # 39 x 37 = 1,443 raw
    form.save_check.setChecked(True)
    form.refresh_count()
    space = SearchSpace.from_strategy(default_registry().get("sma_cross"), form.ranges.specs()[0])
    planned = len(space.grid())
    assert form.count is not None and form.count.runs == planned
    with qtbot.waitSignal(panel.worker.scored, timeout=RUN_TIMEOUT_MS):
        assert panel.run()
    panel.cancel_button.click()
    assert panel.progress_bar.format() == "Cancelled"

    outcome = panel.outcome
    assert outcome is not None
    result = outcome.result
    done = len(result.rows)
    assert 0 < done < planned and result.cancelled
    assert f"cancelled after {done:,} of {planned:,} parameter sets" in panel.status.text()
    assert panel.view.summary.text().startswith(f"Cancelled after {done:,} of {planned:,}")
    assert "not saved" in panel.status.text()
    assert panel.view.results.model.rowCount() == min(50, len(result.ranked()))
    assert panel.view.heatmap.is_shown() and panel.view.backtest_button.isEnabled()

    best = panel.view.results.model.get(1)
    assert best is not None and result.best is not None
    job = panel.job
    assert job is not None
    fixed = dict(result.fixed)
    evaluator = Evaluator(
        read_candle_csv(data_dir / "btc_usdt_1h.csv"), job.settings.with_fixed(fixed)
    )
    score = evaluator.score(dict(result.best.params))
    assert score.metrics["sharpe_ratio"] == pytest.approx(best.metrics["sharpe_ratio"])

    from app.cli.data import open_database

    database = open_database()
    try:
        assert list_research_runs(database, "optimize") == []
    finally:
        database.dispose()


def test_backtest_these_parameters_selects_the_same_stored_series(
    qtbot: QtBot, panel: OptimisePanel, data_dir: Path
) -> None:
    from app.ui.panels.backtest_panel import BacktestPanel

    url = default_database_url()
    Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    database = Database(url)
    database.migrate()
    frame = read_candle_csv(data_dir / "eth_usdt_1h.csv").head(1_200)
    CandleStore(database).upsert("binance", "ETH/USDT", "1h", frame)
    database.dispose()

    form = panel.form
    panel.refresh_series()
    qtbot.waitUntil(lambda: form.base.source_box.count() == 2, timeout=10_000)
    form.base.source_box.setCurrentIndex(1)
    start, end = int(frame["timestamp"].iloc[100]), int(frame["timestamp"].iloc[1_099])
    form.base.set_range(start, end)
    form.ranges.set_range("fast", 8, 12, 2)
    form.ranges.set_range("slow", 30, 50, 10)
    form.save_check.setChecked(False)

    backtest = BacktestPanel(registry=registry_for(None))  # its series are not listed yet
    qtbot.addWidget(backtest)
    backtest.form.set_strategy("rsi_revert")

    def apply(chosen: ChosenParameters) -> None:
        backtest.apply_parameters(
            chosen.strategy, chosen.params, chosen.source, chosen.start, chosen.end
        )

    panel.parameters_chosen.connect(apply)
    with qtbot.waitSignal(panel.result_ready, timeout=RUN_TIMEOUT_MS):
        assert panel.run()
    best = panel.view.results.model.get(1)
    assert best is not None
    panel.view.backtest_button.click()

    qtbot.waitUntil(lambda: backtest.form.source_box.currentIndex() == 1, timeout=10_000)
    assert "binance ETH/USDT 1h" in backtest.form.source_box.currentText()
    assert not backtest.form.csv_edit.isEnabled()
    job, problems = backtest.form.job()
    assert problems == [] and job is not None
    assert isinstance(job.source, StoredSource)
    assert (job.source.exchange, job.source.symbol, job.source.timeframe) == (
        "binance",
        "ETH/USDT",
        "1h",
    )
    assert (job.start, job.end) == (start, end)
    assert backtest.form.strategy_name == "sma_cross"
    assert dict(job.params) == best.params


def test_the_heatmap_follows_a_live_theme_switch(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    saved = (app.palette(), app.styleSheet(), app.property("cryptobot_theme"), app.style().name())
    try:
        apply_theme(app, Theme.DARK)
        heatmap = OptimiseHeatmap()
        qtbot.addWidget(heatmap)
        dark, light = colours_for(Theme.DARK), colours_for(Theme.LIGHT)
        assert heatmap.plot.backgroundBrush().color().name() == dark.base

        apply_theme(app, Theme.LIGHT)  # what View > Theme > Light does
        qtbot.waitUntil(
            lambda: heatmap.plot.backgroundBrush().color().name() == light.base, timeout=2_000
        )
        axis = heatmap.plot.getPlotItem().getAxis("left")
        assert axis.textPen().color().name() == light.text
        assert heatmap.best_marker.opts["pen"].color().name() == light.text

        apply_theme(app, Theme.DARK)
        qtbot.waitUntil(
            lambda: heatmap.plot.backgroundBrush().color().name() == dark.base, timeout=2_000
        )
    finally:
        palette, sheet, theme, style = saved
        app.setStyle(style)
        app.setPalette(palette)
        app.setStyleSheet(sheet)
        app.setProperty("cryptobot_theme", theme)
