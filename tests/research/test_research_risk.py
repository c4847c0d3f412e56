"""Research with risk limits: every run checks its orders as live, and scores what run_backtest
with the same risk manager reports."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from app.backtest import run_backtest
from app.research.evaluator import Evaluator, Window
from app.research.optimize import optimize
from app.research.settings import ResearchSettings
from app.research.space import SearchSpace
from app.research.walkforward import walk_forward
from app.risk.limits import RiskLimits
from app.risk.manager import RiskManager
from app.strategies.builtin.sma_cross import SmaCross

# A notional cap below one entry's cost at BTC prices refuses entries; a tight daily loss
# halts trading for the rest of a bad day.
TIGHT = RiskLimits(max_order_notional=Decimal(5000), daily_loss_pct=Decimal("0.5"))
PARAMS = {"fast": 10, "slow": 30}


def _settings(limits: RiskLimits | None) -> ResearchSettings:
    return ResearchSettings.create("sma_cross", stake_pct="50", fee="0.001", risk_limits=limits)


def test_a_scored_run_equals_run_backtest_with_the_same_risk_manager(
    btc_1h: pd.DataFrame,
) -> None:
    score = Evaluator(btc_1h, _settings(TIGHT)).score(dict(PARAMS))
    result = run_backtest(
        "sma_cross", btc_1h, params=PARAMS, stake_pct="50", fee="0.001", risk=RiskManager(TIGHT)
    )
    assert result.rejected_orders, "the limits should refuse some orders in this data"
    assert score.metrics["refused_orders"] == len(result.rejected_orders)
    assert score.metrics["num_trades"] == result.num_trades
    assert score.metrics["final_equity"] == pytest.approx(float(result.equity[-1]), rel=1e-12)
    assert score.metrics["max_drawdown_pct"] == pytest.approx(result.metrics.max_drawdown_pct)


def test_risk_limits_change_the_score_and_every_run_starts_with_fresh_breakers(
    btc_1h: pd.DataFrame,
) -> None:
    checked = Evaluator(btc_1h, _settings(TIGHT))
    free = Evaluator(btc_1h, _settings(None)).score(dict(PARAMS))
    first = checked.score(dict(PARAMS))
    again = checked.score(dict(PARAMS))
    assert free.metrics["refused_orders"] == 0
    assert first.metrics["num_trades"] < free.metrics["num_trades"]
    assert again.metrics == first.metrics  # a halted breaker does not leak into the next run


def test_the_risk_limits_default_stop_applies_when_nothing_else_sets_one(
    btc_1h: pd.DataFrame,
) -> None:
    limits = RiskLimits(stop_loss_pct=Decimal("1"), max_order_notional=Decimal(1_000_000))
    settings = ResearchSettings.create("sma_cross", size="0.01", risk_limits=limits)
    score = Evaluator(btc_1h, settings).score(dict(PARAMS))
    result = run_backtest("sma_cross", btc_1h, params=PARAMS, size="0.01", risk=RiskManager(limits))
    assert {trade.exit_reason for trade in result.trades} > {"signal"}
    assert score.metrics["total_return_pct"] == pytest.approx(result.metrics.total_return_pct)


def test_optimize_and_walk_forward_run_with_risk_limits(btc_1h: pd.DataFrame) -> None:
    space = SearchSpace.from_strategy(SmaCross, {"fast": "5,10", "slow": "30,60"})
    checked = optimize(btc_1h, _settings(TIGHT), space, min_trades=1)
    free = optimize(btc_1h, _settings(None), space, min_trades=1)
    assert all(row.score.metrics["refused_orders"] for row in checked.rows)
    assert [row.score.metrics for row in checked.rows] != [row.score.metrics for row in free.rows]
    assert checked.settings["risk_limits"]["daily_loss_pct"] == "0.5"
    report = walk_forward(btc_1h, _settings(TIGHT), space, train=2000, test=1000, min_trades=1)
    traded = [step for step in report.steps if step.params is not None]
    assert traded and all("refused_orders" in step.out_of_sample for step in traded)


def test_a_window_trades_only_after_its_warm_up_with_risk_too(btc_1h: pd.DataFrame) -> None:
    score = Evaluator(btc_1h, _settings(TIGHT)).score(
        dict(PARAMS), Window(1000, 2000, 2500), keep_equity=True
    )
    assert len(score.equity) == 500
    assert score.equity[0] == pytest.approx(10_000.0)
