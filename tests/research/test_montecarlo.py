"""Monte Carlo distributions: seeded reproducibility, reshuffle invariants, risk of ruin."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app.backtest import run_backtest
from app.core.errors import BacktestError
from app.research.montecarlo import bar_returns, monte_carlo, trade_returns


@pytest.fixture()
def returns() -> np.ndarray:
    return np.random.default_rng(11).normal(0.003, 0.03, 300)


def test_percentiles_are_reproducible_with_a_seed(returns: np.ndarray) -> None:
    first = monte_carlo(returns, method="bootstrap", runs=3000, seed=42)
    again = monte_carlo(returns, method="bootstrap", runs=3000, seed=42)
    other = monte_carlo(returns, method="bootstrap", runs=3000, seed=43)
    assert first.to_dict() | {"elapsed_s": 0} == again.to_dict() | {"elapsed_s": 0}
    assert np.array_equal(first.max_drawdown_pct, again.max_drawdown_pct)
    assert not np.array_equal(first.final_return_pct, other.final_return_pct)
    p = first.percentiles(first.final_return_pct)
    assert p["p5"] < p["p50"] < p["p95"]


def test_reshuffle_keeps_the_final_return_and_moves_the_drawdown(returns: np.ndarray) -> None:
    result = monte_carlo(returns, method="reshuffle", runs=2000, seed=1)
    compounded = (np.prod(1 + returns) - 1) * 100
    assert result.final_return_pct == pytest.approx(np.full(2000, compounded))
    assert result.max_drawdown_pct.std() > 0
    assert result.runs == result.final_return_pct.size == 2000


def test_ruin_probability_is_the_share_of_deep_drawdowns(returns: np.ndarray) -> None:
    result = monte_carlo(returns, method="bootstrap", runs=2000, seed=3, ruin_pct=30)
    assert result.ruin_probability == np.mean(result.max_drawdown_pct > 30)
    assert 0 < result.ruin_probability < 1
    assert result.to_dict()["ruin_probability"] == result.ruin_probability


def test_drawdown_of_a_known_path() -> None:
    # up 10 %, down 50 %, up 10 %: the worst fall is 50 % from the first peak.
    result = monte_carlo(np.array([0.1, -0.5, 0.1]), method="bootstrap", runs=4000, seed=0)
    assert result.max_drawdown_pct.max() == pytest.approx(87.5)  # three falls of 50 % in a row
    assert result.max_drawdown_pct.min() == pytest.approx(0.0)


def test_block_bootstrap_of_a_backtest(btc_1h: pd.DataFrame) -> None:
    backtest = run_backtest("sma_cross", btc_1h, params={"fast": 10, "slow": 30}, size="0.1")
    bars = bar_returns(backtest)
    assert bars.size == backtest.bars
    assert (np.prod(1 + bars) - 1) * 100 == pytest.approx(backtest.metrics.total_return_pct)
    result = monte_carlo(bars, method="block", runs=500, block=48, seed=9)
    assert result.block == 48
    assert result.final_return_pct.size == 500
    trades = trade_returns(backtest)
    assert trades.size == backtest.num_trades


def test_bad_inputs_are_refused(returns: np.ndarray) -> None:
    with pytest.raises(BacktestError, match="at least 2 returns"):
        monte_carlo(np.array([0.1]))
    with pytest.raises(BacktestError, match="reshuffle, bootstrap, block"):
        monte_carlo(returns, method="shuffle")
    with pytest.raises(BacktestError, match="block must be"):
        monte_carlo(returns, method="block", block=1000)
