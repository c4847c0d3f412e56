"""Optimise form: the ranges table from the parameter schema, the combination count, refusals."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.research.space import SearchSpace
from app.strategies.registry import default_registry
from app.ui.optimise_count import VALID_COUNT_LIMIT
from app.ui.optimise_form import MAX_GRID
from app.ui.optimise_ranges import default_range
from app.ui.optimise_results import duration_text
from app.ui.panels.optimise_panel import OptimisePanel


@pytest.fixture()
def panel(qtbot: QtBot, data_dir: Path) -> Iterator[OptimisePanel]:
    widget = OptimisePanel(registry=default_registry())
    qtbot.addWidget(widget)
    widget.form.set_strategy("sma_cross")
    widget.form.base.set_csv_file(data_dir / "btc_usdt_1h.csv")
    yield widget
    widget.worker.shutdown()


def test_ranges_table_is_built_from_the_strategy_schema(panel: OptimisePanel) -> None:
    ranges = panel.form.ranges
    strategy = default_registry().get("sma_cross")
    assert list(ranges.rows) == [parameter.name for parameter in strategy.get_parameters()]
    fast, slow = ranges.rows["fast"], ranges.rows["slow"]
    assert fast.search.isChecked() and slow.search.isChecked()
    assert not ranges.rows["stop_loss_pct"].search.isChecked()
    assert not ranges.rows["stop_loss_pct"].low.isEnabled()  # type: ignore[union-attr]
    # default 10 (min 2, step 1) -> 5..15 by 1; default 30 -> 15..45 by 3
    assert (fast.low.value(), fast.high.value(), fast.step.value()) == (5, 15, 1)  # type: ignore[union-attr]
    assert (slow.low.value(), slow.high.value(), slow.step.value()) == (15, 45, 3)  # type: ignore[union-attr]
    assert fast.count.text() == "11" and ranges.rows["stop_loss_pct"].count.text() == "fixed"
    specs, problems = ranges.specs()
    assert problems == []
    assert specs["fast"] == "5:15:1" and specs["stop_loss_pct"] == "0.0"
    space = SearchSpace.from_strategy(strategy, specs)
    assert space.names == ("fast", "slow")
    assert space.raw_size == 121 == ranges.combinations()
    panel.form.refresh_count()
    assert panel.form.combinations_label.text() == "120 of 121 combinations valid"  # not 15/15
    assert panel.run_button.isEnabled()


def test_bool_and_choice_parameters_are_lists_and_unticked_rows_are_fixed(
    panel: OptimisePanel,
) -> None:
    panel.form.set_strategy("macd_trend")
    ranges = panel.form.ranges
    above = ranges.rows["above_zero"]
    assert above.values is not None and above.values.text() == "false, true"
    assert not above.search.isChecked()
    ranges.set_values("above_zero", "true, false")
    ranges.set_fixed("signal", 12)
    specs, problems = ranges.specs()
    assert problems == []
    assert specs["above_zero"] == "true, false" and specs["signal"] == "12"
    assert ranges.combinations() == 13 * 9 * 2  # fast 6..18 by 1, slow 13..37 by 3, 2 bools
    ranges.set_values("above_zero", "true, maybe")
    _specs, problems = ranges.specs()
    assert len(problems) == 1 and problems[0].startswith("above_zero values:")
    assert "maybe" in problems[0] and "separated by commas" in problems[0]
    assert not panel.run_button.isEnabled()


def test_default_ranges_stay_inside_the_declared_bounds() -> None:
    registry = default_registry()
    reversion = {p.name: p for p in registry.get("mean_reversion").get_parameters()}
    assert default_range(reversion["entry_z"]) == (1.0, 3.0, 0.2)
    assert default_range(reversion["exit_z"]) == (-0.5, 0.5, 0.1)
    rsi = {p.name: p for p in registry.get("rsi_revert").get_parameters()}
    low, high, step = default_range(rsi["period"])  # default 14, min 2
    assert low >= 2 and high <= 100 and step >= 1
    stop = default_range(rsi["stop_loss_pct"])  # default 0, min 0
    assert stop[0] == 0.0 and stop[1] > 0


def test_combination_count_is_live_and_a_huge_grid_is_refused(panel: OptimisePanel) -> None:
    ranges = panel.form.ranges
    ranges.set_range("fast", 2, 200, 1)
    ranges.set_range("slow", 3, 500, 1)
    count = 199 * 498
    assert count > MAX_GRID
    panel.form.refresh_count()
    assert panel.form.combinations_label.text().startswith(f"up to {count:,} combinations")
    assert "grid limit" in panel.form.combinations_label.text()
    assert not panel.run_button.isEnabled()
    assert not panel.run()
    assert f"the grid has {count:,} combinations" in panel.status.text()
    assert "Random or TPE" in panel.status.text()
    assert panel.worker.pid() is None

    panel.form.set_choice(panel.form.method_box, "random")
    panel.form.refresh_count()
    assert panel.form.combinations_label.text() == (
        f"up to {count:,} combinations; random tries at most 200"
    )
    assert panel.run_button.isEnabled()
    assert panel.status.text() == ""


def test_an_invalid_range_names_the_field_and_starts_nothing(panel: OptimisePanel) -> None:
    panel.form.ranges.set_range("fast", 20, 10, 1)
    assert panel.form.ranges.rows["fast"].count.text() == "!"
    assert not panel.run()
    assert "fast: Low (20) is above High (10); lower Low or raise High" in panel.status.text()
    assert panel.worker.pid() is None and not panel.cancel_button.isEnabled()

    panel.form.ranges.set_range("fast", 5, 10, 1)
    panel.form.ranges.set_search("slow", False)
    panel.form.ranges.set_search("fast", False)
    assert not panel.run()
    assert "tick Search on at least one parameter" in panel.status.text()


def test_money_and_sizing_problems_name_the_field(panel: OptimisePanel) -> None:
    panel.form.base.money["cash"].setText("lots")
    panel.form.set_choice(panel.form.sizing.sizing_box, "size")
    panel.form.sizing.sizing_edit.setText("-1")
    job, problems = panel.form.job()
    assert job is None
    assert any(problem.startswith("Capital (quote): enter a number") for problem in problems)
    assert "Sizing (Fixed size): must be above 0, got -1" in problems
    panel.form.base.set_csv_file(Path("/nonexistent/candles.csv"))
    _job, problems = panel.form.job()
    assert any("is not a file; choose an existing candle CSV" in p for p in problems)


def test_eta_reads_in_seconds_minutes_or_hours() -> None:
    assert duration_text(42.4) == "42 s"
    assert duration_text(185) == "3 min 05 s"
    assert duration_text(7_620) == "2 h 07 min"


def test_the_count_says_how_many_combinations_the_strategy_accepts_after_a_pause(
    qtbot: QtBot, panel: OptimisePanel
) -> None:
    form = panel.form
    form.refresh_count()
    before = form.combinations_label.text()
    form.ranges.set_range("fast", 2, 15, 1)  # 14 values
    form.ranges.set_range("slow", 10, 60, 5)  # 11 values: fast >= slow is refused 7 times
    assert form.combinations_label.text() == before  # typing is not slowed by a count
    space = SearchSpace.from_strategy(default_registry().get("sma_cross"), form.ranges.specs()[0])
    valid = len(space.grid())
    assert (space.raw_size, valid) == (154, 147)
    qtbot.waitUntil(
        lambda: form.combinations_label.text() == "147 of 154 combinations valid", timeout=2_000
    )
    assert form.count is not None and form.count.runs == 147

    form.set_choice(form.method_box, "random")
    form.trials_spin.setValue(500)
    form.refresh_count()
    assert form.combinations_label.text() == "147 of 154 combinations valid; random tries 147"


def test_grids_above_the_counting_limit_say_up_to(qtbot: QtBot, panel: OptimisePanel) -> None:
    form = panel.form
    form.ranges.set_range("fast", 2, 61, 1)  # 60 values
    form.ranges.set_range("slow", 3, 62, 1)  # 60 values: 3,600 > VALID_COUNT_LIMIT
    assert form.ranges.combinations() > VALID_COUNT_LIMIT
    qtbot.waitUntil(
        lambda: form.combinations_label.text() == "up to 3,600 combinations", timeout=2_000
    )
    form.ranges.set_range("slow", 3, 42, 1)  # 40 values: 2,400 are counted
    qtbot.waitUntil(
        lambda: form.combinations_label.text().endswith("of 2,400 combinations valid"),
        timeout=2_000,
    )
    started = time.perf_counter()
    form.refresh_count()
    assert time.perf_counter() - started < 0.5  # ~40 ms alone; generous on a shared machine


def test_my_settings_are_read_once_and_a_broken_file_is_reported(
    qtbot: QtBot, panel: OptimisePanel
) -> None:
    from app.config.paths import resolve_paths

    settings_file = resolve_paths().settings_file
    settings_file.parent.mkdir(parents=True, exist_ok=True)
    settings_file.write_text('[risk]\ndaily_loss_pct = "250"\n', encoding="utf-8")
    form = panel.form
    form.set_choice(form.sizing.risk_box, "settings")
    assert not panel.run_button.isEnabled()
    status = panel.status.text()
    assert status.count("Risk limits: your saved settings cannot be read") == 1
    assert "daily_loss_pct: must be between 0 and 100, got 250" in status
    assert "choose a preset" in status

    settings_file.write_text('[risk]\ndaily_loss_pct = "2"\n', encoding="utf-8")
    form.sizing.sizing_edit.setText("40")  # edits do not read the file again
    assert "cannot be read" in panel.status.text()

    panel.show()  # shown again: the file is read once more
    qtbot.waitUntil(panel.run_button.isEnabled, timeout=2_000)
    job, problems = form.job()
    assert problems == [] and job is not None
    assert job.settings.risk_limits is not None
    assert str(job.settings.risk_limits.daily_loss_pct) == "2"
