"""Metrics on hand-made equity curves and trades."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest

from app.backtest.metrics import compute_metrics, drawdown_curve, max_drawdown
from app.backtest.trades import Trade

DAY_MS = 86_400_000


def _trade(pnl: str, bars: int) -> Trade:
    return Trade(
        side="long", qty=Decimal(1), entry_bar=0, entry_time=0, entry_price=Decimal(100),
        entry_fee=Decimal(0), exit_bar=bars, exit_time=bars * DAY_MS, exit_price=Decimal(100),
        exit_fee=Decimal(0), pnl=Decimal(pnl), exit_reason="signal",
    )  # fmt: skip


def test_drawdown_uses_the_running_peak_from_the_initial_capital() -> None:
    equity = np.array([90.0, 120.0, 60.0, 130.0, 125.0])
    times = np.arange(5, dtype=np.int64) * DAY_MS
    drawdown = max_drawdown(equity, times, 100.0)
    assert drawdown.pct == pytest.approx(50.0)  # 120 -> 60
    assert drawdown.abs == pytest.approx(60.0)
    assert (drawdown.peak_time, drawdown.trough_time) == (DAY_MS, 2 * DAY_MS)
    # a fall below the initial capital on the first bar counts from the initial capital
    first = max_drawdown(np.array([80.0, 85.0]), times[:2], 100.0)
    assert first.pct == pytest.approx(20.0)
    assert (first.peak_time, first.trough_time) == (0, 0)
    assert drawdown_curve(equity, 100.0).tolist() == pytest.approx([-10, 0, -50, 0, -500 / 130])


def test_metrics_of_a_known_run() -> None:
    equity = np.array([101.0, 99.0, 102.0, 104.0])
    position = np.array([1.0, 1.0, 0.0, 0.0])
    times = np.arange(4, dtype=np.int64) * DAY_MS
    trades = [_trade("3", 2), _trade("-1", 1), _trade("2", 3)]
    metrics = compute_metrics(equity, position, times, 100.0, trades, DAY_MS)
    assert metrics.total_return_pct == pytest.approx(4.0)
    assert metrics.periods_per_year == 365
    returns = np.diff(np.concatenate(([100.0], equity))) / np.concatenate(([100.0], equity[:-1]))
    expected_sharpe = returns.mean() / returns.std(ddof=1) * math.sqrt(365)
    assert metrics.sharpe_ratio == pytest.approx(expected_sharpe)
    downside = math.sqrt(np.mean(np.minimum(returns, 0) ** 2))
    assert metrics.sortino_ratio == pytest.approx(returns.mean() / downside * math.sqrt(365))
    assert metrics.cagr_pct == pytest.approx((1.04 ** (365 / 4) - 1) * 100)
    assert metrics.calmar_ratio == pytest.approx(metrics.cagr_pct / 100 / (2 / 101))
    assert metrics.win_rate_pct == pytest.approx(200 / 3)
    assert metrics.profit_factor == pytest.approx(5.0)
    assert metrics.expectancy == pytest.approx(4 / 3)
    assert metrics.exposure_pct == pytest.approx(50.0)
    assert metrics.avg_bars_held == pytest.approx(2.0)


def test_undefined_ratios_are_none_not_infinite() -> None:
    equity = np.array([100.0, 100.0, 100.0])
    times = np.arange(3, dtype=np.int64) * DAY_MS
    metrics = compute_metrics(equity, np.zeros(3), times, 100.0, [_trade("5", 1)], DAY_MS)
    assert metrics.sharpe_ratio is None and metrics.sortino_ratio is None
    assert metrics.calmar_ratio is None
    assert metrics.profit_factor is None  # no losing trade
    assert metrics.max_drawdown_pct == 0.0
    empty = compute_metrics(equity, np.zeros(3), times, 100.0, [], DAY_MS)
    assert empty.win_rate_pct is None and empty.avg_bars_held is None
