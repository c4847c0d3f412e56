"""Optimise panel: real optimize() runs in a worker process; results, heatmap, cancel, errors."""

from __future__ import annotations

import math
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.research.optimize import optimize
from app.research.settings import ResearchSettings
from app.research.space import SearchSpace
from app.research.store import list_research_runs
from app.storage.candle_csv import read_candle_csv
from app.strategies.registry import default_registry
from app.ui.backtest_job import registry_for
from app.ui.optimise_job import ChosenParameters
from app.ui.panels.optimise_panel import OptimisePanel

RUN_TIMEOUT_MS = 60_000
SLICE_ROWS = 1_500


@pytest.fixture()
def slice_csv(tmp_path: Path, data_dir: Path) -> Path:
    """The first 1,500 hourly BTC/USDT candles as a CSV file."""
    lines = (data_dir / "btc_usdt_1h.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "btc_slice.csv"
    path.write_text("\n".join(lines[: SLICE_ROWS + 1]) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def panel(qtbot: QtBot, slice_csv: Path) -> Iterator[OptimisePanel]:
    widget = OptimisePanel(registry=default_registry())
    qtbot.addWidget(widget)
    form = widget.form
    form.set_strategy("sma_cross")
    form.base.set_csv_file(slice_csv)
    form.ranges.set_range("fast", 8, 12, 2)
    form.ranges.set_range("slow", 30, 50, 10)
    form.min_trades_spin.setValue(1)
    form.workers_spin.setValue(1)
    form.save_check.setChecked(False)
    yield widget
    widget.worker.shutdown()


def _run(qtbot: QtBot, panel: OptimisePanel) -> object:
    with qtbot.waitSignal(panel.result_ready, timeout=RUN_TIMEOUT_MS) as blocker:
        assert panel.run()
        assert panel.cancel_button.isEnabled() and not panel.run_button.isEnabled()
    return blocker.args[0]


def test_run_fills_the_table_and_heatmap_with_what_optimize_finds(
    qtbot: QtBot, panel: OptimisePanel, slice_csv: Path
) -> None:
    panel.form.save_check.setChecked(True)
    progress: list[tuple[int, int]] = []
    panel.worker.progress.connect(lambda done, total, _eta: progress.append((done, total)))
    outcome = _run(qtbot, panel)

    strategy = default_registry().get("sma_cross")
    expected = optimize(
        read_candle_csv(slice_csv),
        ResearchSettings.create(
            "sma_cross", cash="10000", fee="0.001", slippage_bps="5", stake_pct="50"
        ),
        SearchSpace.from_strategy(strategy, {"fast": "8:12:2", "slow": "30:50:10"}),
        objective="sharpe",
        min_trades=1,
    )
    best = expected.best
    assert best is not None
    result = outcome.result  # type: ignore[attr-defined]
    assert result.best.params == best.params
    assert result.best.value == pytest.approx(best.value)
    assert progress[-1] == (9, 9)
    assert panel.progress_bar.format() == "Done"

    model = panel.view.results.model
    assert model.rowCount() == len(expected.ranked()) == 9
    stops = {"stop_loss_pct": 0.0, "take_profit_pct": 0.0, "trailing_stop_pct": 0.0}
    top = model.get(1)
    assert top is not None and top.params == {**best.params, **stops}  # fixed values filled in
    titles = [column.title for column in model.columns]
    assert titles == ["#", "fast", "slow", "Objective", "Return %", "Max DD %", "Sharpe", "Trades",
                      "Refused"]  # fmt: skip
    view = panel.view.results
    view.sort_by(titles.index("Return %"), Qt.SortOrder.DescendingOrder)
    shown = [
        model.record(view.proxy.mapToSource(view.proxy.index(row, 0)).row()).metrics[
            "total_return_pct"
        ]
        for row in range(view.proxy.rowCount())
    ]
    assert shown == sorted(shown, reverse=True)

    heatmap = panel.view.heatmap
    assert heatmap.is_shown()
    xs, ys, matrix = expected.heatmap("fast", "slow")
    assert (heatmap.x_values, heatmap.y_values) == (xs, ys) == ([8, 10, 12], [30, 40, 50])
    for xi in range(3):
        for yi in range(3):
            assert heatmap.values[xi, yi] == pytest.approx(matrix[yi][xi])
    best_cell = divmod(int(heatmap.values.argmax()), 3)
    assert (xs[best_cell[0]], ys[best_cell[1]]) == (best.params["fast"], best.params["slow"])
    assert heatmap.cell_text(*best_cell).startswith(
        f"fast={best.params['fast']}, slow={best.params['slow']}: sharpe"
    )
    assert "Saved as run" in panel.status.text()
    assert panel.run_button.isEnabled() and not panel.cancel_button.isEnabled()


def test_a_seeded_random_search_matches_optimize_in_process(
    qtbot: QtBot, panel: OptimisePanel, slice_csv: Path
) -> None:
    form = panel.form
    form.ranges.set_range("fast", 4, 20, 2)
    form.ranges.set_range("slow", 30, 90, 10)
    form.set_choice(form.method_box, "random")
    form.trials_spin.setValue(6)
    form.seed_spin.setValue(7)
    form.set_choice(form.objective_box, "total_return")
    outcome = _run(qtbot, panel)
    expected = optimize(
        read_candle_csv(slice_csv),
        ResearchSettings.create(
            "sma_cross", cash="10000", fee="0.001", slippage_bps="5", stake_pct="50"
        ),
        SearchSpace.from_strategy(
            default_registry().get("sma_cross"), {"fast": "4:20:2", "slow": "30:90:10"}
        ),
        method="random",
        objective="total_return",
        min_trades=1,
        trials=6,
        seed=7,
    )
    result = outcome.result  # type: ignore[attr-defined]
    assert [row.params for row in result.rows] == [row.params for row in expected.rows]
    assert len(result.rows) == 6 and result.method == "random"
    assert panel.view.summary.text().startswith("Best total_return")


def test_runs_below_min_trades_are_blank_heatmap_cells(qtbot: QtBot, panel: OptimisePanel) -> None:
    panel.form.ranges.set_range("fast", 5, 45, 20)
    panel.form.ranges.set_range("slow", 50, 400, 350)  # 400-bar averages trade rarely
    panel.form.min_trades_spin.setValue(8)
    outcome = _run(qtbot, panel)
    result = outcome.result  # type: ignore[attr-defined]
    values = panel.view.heatmap.values
    assert values.shape == (3, 2)
    unranked = [row for row in result.rows if row.value is None]
    assert unranked, "the slow 400 column should have too few trades"
    for row in unranked:
        xi = panel.view.heatmap.x_values.index(row.params["fast"])
        yi = panel.view.heatmap.y_values.index(row.params["slow"])
        assert math.isnan(values[xi, yi])
        assert panel.view.heatmap.cell_text(xi, yi).endswith("no qualifying run")
    assert panel.view.results.model.rowCount() == len(result.ranked())


def test_the_run_is_saved_to_the_database(qtbot: QtBot, panel: OptimisePanel) -> None:
    panel.form.save_check.setChecked(True)
    outcome = _run(qtbot, panel)
    from app.cli.data import open_database

    database = open_database()
    try:
        runs = list_research_runs(database, "optimize")
    finally:
        database.dispose()
    assert [run.id for run in runs] == [outcome.run_id]  # type: ignore[attr-defined]
    assert runs[0].summary["evaluated"] == 9
    top = panel.view.results.model.get(1)
    assert top is not None and runs[0].params == top.params
    assert runs[0].symbol == "btc_slice.csv"


def test_cancel_stops_every_process_and_a_new_run_works(
    qtbot: QtBot, panel: OptimisePanel, data_dir: Path
) -> None:
    psutil = pytest.importorskip("psutil")
    form = panel.form
    form.base.set_csv_file(data_dir / "btc_usdt_1h.csv")
    form.ranges.set_range("fast", 2, 60, 1)
    form.ranges.set_range("slow", 20, 200, 2)
    form.set_choice(form.sizing.risk_box, "moderate")  # every order risk-checked: a slow search
    form.workers_spin.setValue(2)
    with qtbot.waitSignal(panel.worker.progress, timeout=RUN_TIMEOUT_MS):
        assert panel.run()
        pid = panel.worker.pid()
    worker = psutil.Process(pid)
    processes = [worker, *worker.children(recursive=True)]
    assert len(processes) >= 3  # the worker and its two scoring processes

    started = time.monotonic()
    with qtbot.waitSignal(panel.worker.cancelled, timeout=1_000):
        panel.cancel_button.click()
    assert panel.run_button.isEnabled() and not panel.cancel_button.isEnabled()
    assert "cancelled" in panel.status.text()

    def all_stopped() -> bool:
        return all(
            not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
            for process in processes
        )

    qtbot.waitUntil(all_stopped, timeout=3_000)
    assert time.monotonic() - started < 3.0
    qtbot.waitUntil(lambda: panel.worker.processes_left() == 0, timeout=3_000)
    qtbot.assertNotEmitted(panel.result_ready, wait=200)

    form.base.set_csv_file(data_dir / "btc_usdt_1h.csv")
    form.set_choice(form.sizing.risk_box, "none")
    form.workers_spin.setValue(1)
    form.ranges.set_range("fast", 8, 12, 2)
    form.ranges.set_range("slow", 30, 50, 10)
    outcome = _run(qtbot, panel)
    assert len(outcome.result.rows) == 9  # type: ignore[attr-defined]


def test_a_grid_the_strategy_refuses_shows_why(qtbot: QtBot, panel: OptimisePanel) -> None:
    panel.form.ranges.set_range("fast", 40, 50, 5)
    panel.form.ranges.set_range("slow", 10, 20, 5)
    with qtbot.waitSignal(panel.worker.failed, timeout=RUN_TIMEOUT_MS) as blocker:
        assert panel.run()
    message = blocker.args[0]
    assert "refuses every combination" in message
    assert "'fast' must be less than 'slow'" in message
    assert "change the ranges" in panel.status.text()
    assert panel.run_button.isEnabled() and panel.progress_bar.format() == "Failed"


def test_backtest_these_parameters_sets_the_backtest_panel(
    qtbot: QtBot, panel: OptimisePanel, slice_csv: Path
) -> None:
    from app.ui.panels.backtest_panel import BacktestPanel

    backtest = BacktestPanel(registry=registry_for(None))
    qtbot.addWidget(backtest)
    backtest.form.set_strategy("rsi_revert")

    def apply(chosen: ChosenParameters) -> None:
        backtest.apply_parameters(
            chosen.strategy, chosen.params, chosen.source, chosen.start, chosen.end
        )

    panel.parameters_chosen.connect(apply)
    _run(qtbot, panel)
    best = panel.view.results.model.get(1)
    assert best is not None
    with qtbot.waitSignal(panel.parameters_chosen):
        panel.view.backtest_button.click()
    assert backtest.form.strategy_name == "sma_cross"
    assert backtest.form.parameters.values() == best.params
    assert backtest.form.csv_edit.text() == str(slice_csv)

    third = panel.view.results.model.get(3)
    assert third is not None
    view = panel.view.results
    view.sort_by(0, Qt.SortOrder.AscendingOrder)
    index = view.proxy.index(2, 1)
    with qtbot.waitSignal(panel.parameters_chosen) as blocker:
        view.table.doubleClicked.emit(index)
    assert blocker.args[0].params == third.params
    assert backtest.form.parameters.values() == third.params
    job, problems = backtest.form.job()
    assert problems == [] and job is not None and dict(job.params) == third.params


def test_a_crashed_worker_is_reported_and_the_panel_can_run_again(
    qtbot: QtBot, panel: OptimisePanel
) -> None:
    with qtbot.waitSignal(panel.worker.failed, timeout=RUN_TIMEOUT_MS) as blocker:
        assert panel.run()
        pid = panel.worker.pid()
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
    assert "stopped unexpectedly (exit code -9)" in blocker.args[0]
    assert "The optimisation did not run" in panel.status.text()
    assert panel.run_button.isEnabled() and not panel.cancel_button.isEnabled()
    outcome = _run(qtbot, panel)
    assert len(outcome.result.rows) == 9  # type: ignore[attr-defined]


def test_the_window_tabs_the_panel_and_hands_parameters_to_the_backtest_dock(
    qtbot: QtBot, slice_csv: Path
) -> None:
    from app.ui.app import configure_qsettings
    from app.ui.main_window import MainWindow
    from app.ui.panels.backtest_panel import BacktestPanel
    from tests.ui.shell_support import offline_engine

    facade, paths, settings = offline_engine()
    configure_qsettings(paths)
    window = MainWindow(facade, settings=settings, paths=paths, registry=default_registry())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: "log" in window.docks, timeout=5_000)  # added after the first show
    dock = window.docks["optimise"]
    panel = dock.widget()
    assert isinstance(panel, OptimisePanel)
    try:
        assert dock.windowTitle() == "Optimise"
        qtbot.waitUntil(lambda: dock in window.tabifiedDockWidgets(window.docks["trading"]))
        dock.raise_()
        form = panel.form
        form.base.set_csv_file(slice_csv)
        form.set_strategy("sma_cross")
        form.ranges.set_range("fast", 8, 12, 2)
        form.ranges.set_range("slow", 30, 50, 10)
        form.min_trades_spin.setValue(1)
        form.workers_spin.setValue(1)
        form.save_check.setChecked(False)
        _run(qtbot, panel)
        best = panel.view.results.model.get(1)
        assert best is not None

        panel.view.backtest_button.click()
        backtest = window.backtest_panel
        assert isinstance(backtest, BacktestPanel)
        assert backtest.form.strategy_name == "sma_cross"
        assert backtest.form.parameters.values() == best.params
    finally:
        panel.worker.shutdown()
        window.confirm_quit = False
        window.close()
        facade.shutdown()
