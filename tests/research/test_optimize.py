"""The optimiser finds the known optimum, ranks under the constraint, reports and cancels."""

from __future__ import annotations

import threading

import pandas as pd
import pytest

from app.core.errors import BacktestError
from app.research.backends import LocalBackend
from app.research.optimize import optimize
from app.research.progress import Progress
from app.research.settings import ResearchSettings
from app.research.space import SearchSpace
from app.strategies.registry import default_registry
from tests.research.conftest import BEST


def _space(settings: ResearchSettings, specs: dict[str, str] | None = None) -> SearchSpace:
    registry = default_registry()
    assert settings.strategies_dir is not None
    assert not registry.load_user_strategies(settings.strategies_dir)
    return SearchSpace.from_strategy(registry.get("cycle_phase"), specs)


def test_grid_finds_the_known_best_parameters(
    cycle_candles: pd.DataFrame, cycle_settings: ResearchSettings
) -> None:
    space = _space(cycle_settings)
    result = optimize(cycle_candles, cycle_settings, space, method="grid", objective="total_return")
    assert len(result.rows) == 40 * 7
    assert result.best is not None
    assert result.best.params == BEST
    # Buying the trough (90) and selling the crest (110) once per cycle, 1 unit, 0.1 % fees;
    # the last cycle's position is still open, marked at the last close.
    trades = result.best.score.metrics["num_trades"]
    assert trades == 24
    last_close = float(cycle_candles["close"].iloc[-1])
    expected = trades * (20.0 - 0.001 * (90.0 + 110.0)) + (last_close - 90.0) - 0.001 * 90.0
    assert result.best.score.metrics["final_equity"] == pytest.approx(10_000 + expected)


def test_min_trades_keeps_thin_runs_out_of_the_ranking(
    cycle_candles: pd.DataFrame, cycle_settings: ResearchSettings
) -> None:
    space = _space(cycle_settings)
    thin = cycle_candles.iloc[:200]
    result = optimize(thin, cycle_settings, space, objective="total_return", min_trades=6)
    assert result.best is None
    assert all(row.value is None for row in result.rows)
    relaxed = optimize(thin, cycle_settings, space, objective="total_return", min_trades=5)
    assert relaxed.best is not None
    assert all((row.score.metrics["num_trades"] or 0) >= 5 for row in relaxed.ranked())


def test_heatmap_holds_the_best_objective_per_cell(
    cycle_candles: pd.DataFrame, cycle_settings: ResearchSettings
) -> None:
    space = _space(cycle_settings, {"phase": "27:31:1"})
    result = optimize(cycle_candles, cycle_settings, space, objective="total_return")
    xs, ys, values = result.heatmap("phase", "hold")
    assert xs == [27, 28, 29, 30, 31]
    assert ys == [5, 10, 15, 20, 25, 30, 35]
    best = result.best
    assert best is not None
    assert values[ys.index(20)][xs.index(29)] == best.value
    assert max(value for row in values for value in row if value is not None) == best.value
    top = result.to_dict(top=3)
    assert top["results"][0]["params"] == BEST
    assert len(top["results"]) == 3
    assert top["heatmap"]["values"] == values


def test_tpe_is_reproducible_with_a_seed_and_finds_a_good_region(
    cycle_candles: pd.DataFrame, cycle_settings: ResearchSettings
) -> None:
    space = _space(cycle_settings)
    first = optimize(
        cycle_candles,
        cycle_settings,
        space,
        method="tpe",
        trials=48,
        seed=5,
        objective="total_return",
    )
    again = optimize(
        cycle_candles,
        cycle_settings,
        space,
        method="tpe",
        trials=48,
        seed=5,
        objective="total_return",
    )
    assert [row.params for row in first.rows] == [row.params for row in again.rows]
    assert first.best is not None
    assert first.best.value is not None
    assert first.best.value > 0


def test_random_search_scores_its_seeded_sample(
    cycle_candles: pd.DataFrame, cycle_settings: ResearchSettings
) -> None:
    space = _space(cycle_settings)
    result = optimize(cycle_candles, cycle_settings, space, method="random", trials=30, seed=2)
    assert [row.params for row in result.rows] == space.sample(30, seed=2)


def test_progress_reaches_the_total_and_cancel_stops_early(
    cycle_candles: pd.DataFrame, cycle_settings: ResearchSettings
) -> None:
    space = _space(cycle_settings)
    seen: list[Progress] = []
    optimize(cycle_candles, cycle_settings, space, progress=seen.append)
    assert seen[-1].done == seen[-1].total == 280
    assert seen[-1].eta_s == 0

    cancel = threading.Event()

    def stop_at_ten(report: Progress) -> None:
        if report.done >= 10:
            cancel.set()

    stopped = optimize(cycle_candles, cycle_settings, space, progress=stop_at_ten, cancel=cancel)
    assert stopped.cancelled
    assert stopped.to_dict()["cancelled"] is True


def test_unknown_objective_is_refused(
    cycle_candles: pd.DataFrame, cycle_settings: ResearchSettings
) -> None:
    with pytest.raises(BacktestError, match="sharpe, sortino"):
        optimize(cycle_candles, cycle_settings, _space(cycle_settings), objective="luck")


def test_process_pool_gives_the_same_table_as_in_process(
    cycle_candles: pd.DataFrame, cycle_settings: ResearchSettings
) -> None:
    space = _space(cycle_settings, {"phase": "20:35:1"})
    inline = optimize(cycle_candles, cycle_settings, space, objective="sharpe")
    with LocalBackend(2) as backend:
        pooled = optimize(cycle_candles, cycle_settings, space, objective="sharpe", backend=backend)
    assert [(row.params, row.score.metrics) for row in pooled.rows] == [
        (row.params, row.score.metrics) for row in inline.rows
    ]


def test_tpe_scores_each_parameter_set_once_and_counts_asked_trials(
    cycle_candles: pd.DataFrame, cycle_settings: ResearchSettings
) -> None:
    space = _space(cycle_settings, {"phase": "28:30:1", "hold": "15:25:5"})
    seen: list[Progress] = []
    result = optimize(
        cycle_candles,
        cycle_settings,
        space,
        method="tpe",
        trials=40,
        seed=1,
        objective="total_return",
        progress=seen.append,
    )
    keys = [tuple(sorted(row.params.items())) for row in result.rows]
    assert len(keys) == len(set(keys)) <= 9
    assert seen[-1].done == seen[-1].total == 40
    assert result.best is not None
    assert result.best.params == BEST
