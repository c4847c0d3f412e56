"""The fast replay scores exactly what the backtest engine reports."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from app.backtest import run_backtest
from app.research.evaluator import Evaluator, Window
from app.research.settings import ResearchSettings

COMPARED = (
    ("total_return_pct", "total_return_pct"),
    ("sharpe_ratio", "sharpe_ratio"),
    ("sortino_ratio", "sortino_ratio"),
    ("calmar_ratio", "calmar_ratio"),
    ("profit_factor", "profit_factor"),
    ("max_drawdown_pct", "max_drawdown_pct"),
    ("win_rate_pct", "win_rate_pct"),
    ("exposure_pct", "exposure_pct"),
)


@pytest.mark.parametrize(
    ("sizing", "params"),
    [
        ({"size": "0.1"}, {"fast": 10, "slow": 30}),
        ({"stake_pct": "50"}, {"fast": 5, "slow": 60}),
        ({"stake_amount": "2500"}, {"fast": 20, "slow": 50}),
        ({"size": "0.1"}, {"fast": 10, "slow": 30, "stop_loss_pct": 2.0}),
    ],
)
def test_scores_match_the_engine(
    btc_1h: pd.DataFrame, sizing: dict[str, Any], params: dict[str, Any]
) -> None:
    settings = ResearchSettings.create("sma_cross", fee="0.001", slippage_bps="5", **sizing)
    score = Evaluator(btc_1h, settings).score(dict(params))
    result = run_backtest(
        "sma_cross", btc_1h, params=params, fee="0.001", slippage_bps="5", **sizing
    )
    assert score.metrics["num_trades"] == result.num_trades > 10
    assert score.metrics["final_equity"] == pytest.approx(float(result.equity[-1]), rel=1e-12)
    for mine, theirs in COMPARED:
        assert score.metrics[mine] == pytest.approx(getattr(result.metrics, theirs), rel=1e-9)


def test_window_trades_only_after_its_warm_up(btc_1h: pd.DataFrame) -> None:
    settings = ResearchSettings.create("sma_cross", size="0.1")
    evaluator = Evaluator(btc_1h, settings)
    params = {"fast": 10, "slow": 30}
    windowed = evaluator.score(params, Window(1000, 2000, 2500), keep_equity=True)
    alone = run_backtest("sma_cross", btc_1h.iloc[2000:2500], params=params, size="0.1")
    assert len(windowed.equity) == 500
    # Warm-up from the earlier rows means signals exist from the first traded bar on, so the
    # window may trade more than a cold start on the same 500 bars, never on earlier bars.
    assert (windowed.metrics["num_trades"] or 0) >= alone.num_trades
    assert windowed.equity[0] == pytest.approx(10_000.0)


def test_stops_from_the_settings_match_the_engine(btc_1h: pd.DataFrame) -> None:
    settings = ResearchSettings.create(
        "sma_cross", size="0.1", stop_loss_pct="1.5", take_profit_pct="4"
    )
    score = Evaluator(btc_1h, settings).score({"fast": 10, "slow": 30})
    result = run_backtest(
        "sma_cross",
        btc_1h,
        params={"fast": 10, "slow": 30},
        size="0.1",
        stop_loss_pct="1.5",
        take_profit_pct="4",
    )
    plain = Evaluator(btc_1h, ResearchSettings.create("sma_cross", size="0.1")).score(
        {"fast": 10, "slow": 30}
    )
    assert {trade.exit_reason for trade in result.trades} > {"signal"}
    assert score.metrics["num_trades"] == result.num_trades
    assert score.metrics["total_return_pct"] == pytest.approx(result.metrics.total_return_pct)
    assert score.metrics["total_return_pct"] != plain.metrics["total_return_pct"]


def test_remembered_indicators_give_the_scores_of_a_fresh_evaluator(btc_1h: pd.DataFrame) -> None:
    settings = ResearchSettings.create("sma_cross", size="0.1")
    shared = Evaluator(btc_1h, settings)
    grid = [{"fast": fast, "slow": slow} for fast in (5, 10) for slow in (20, 30)]
    windows = [None, Window(1000, 2000, 2500), Window(1500, 2500, 3000), None]
    scored = [shared.score(params, window) for window in windows for params in grid]
    fresh = [
        Evaluator(btc_1h, settings).score(params, window) for window in windows for params in grid
    ]
    assert [score.metrics for score in scored] == [score.metrics for score in fresh]
    assert shared.indicator_memo.hits > shared.indicator_memo.misses
