"""Performance metrics of a backtest from its equity curve and closed trades."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from app.backtest.data import FloatArray, IntArray, periods_per_year
from app.backtest.trades import Trade
from app.core.money import ZERO

_MAX_EXPONENT = 700.0  # e**700 is near the float64 limit


@dataclass(frozen=True, slots=True)
class Drawdown:
    """Largest fall from a running peak (the peak starts at the initial capital)."""

    pct: float
    abs: float
    peak_time: int
    trough_time: int


@dataclass(frozen=True, slots=True)
class Metrics:
    """Summary figures of one backtest (ratios annualised for the bar timeframe, 365-day year).

    ``profit_factor`` is None when there is no losing trade; ratios are None when undefined
    (no variance, no drawdown).
    """

    total_return_pct: float
    cagr_pct: float | None
    sharpe_ratio: float | None
    sortino_ratio: float | None
    calmar_ratio: float | None
    max_drawdown_pct: float
    max_drawdown_abs: float
    max_drawdown_peak_time: int
    max_drawdown_trough_time: int
    win_rate_pct: float | None
    profit_factor: float | None
    expectancy: float | None
    exposure_pct: float
    avg_bars_held: float | None
    periods_per_year: float

    def to_dict(self) -> dict[str, Any]:
        """Plain mapping (JSON-ready)."""
        return {key: _clean(value) for key, value in asdict(self).items()}


def compute_metrics(
    equity: FloatArray,
    position: FloatArray,
    timestamp: IntArray,
    initial_capital: float,
    trades: Sequence[Trade],
    timeframe_ms: int,
) -> Metrics:
    """All metrics of a run.

    Args:
        equity: equity at every bar close.
        position: signed position at every bar close (for exposure).
        timestamp: bar open times, ms UTC.
        initial_capital: equity before the first bar.
        trades: closed round trips.
        timeframe_ms: bar length, for annualisation.

    Returns:
        The metrics.
    """
    per_year = periods_per_year(timeframe_ms)
    final = float(equity[-1])
    total_return = final / initial_capital - 1.0
    years = (int(timestamp[-1]) - int(timestamp[0]) + timeframe_ms) / (per_year * timeframe_ms)
    cagr = _cagr(final / initial_capital, years)
    returns = np.diff(equity, prepend=initial_capital) / np.concatenate(
        ([initial_capital], equity[:-1])
    )
    drawdown = max_drawdown(equity, timestamp, initial_capital)
    sharpe, sortino = _risk_ratios(returns, per_year)
    calmar = None
    if cagr is not None and drawdown.pct > 0:
        calmar = cagr / (drawdown.pct / 100.0)
    trade_stats = _trade_stats(trades)
    return Metrics(
        total_return_pct=total_return * 100.0,
        cagr_pct=None if cagr is None else cagr * 100.0,
        sharpe_ratio=sharpe,
        sortino_ratio=sortino,
        calmar_ratio=calmar,
        max_drawdown_pct=drawdown.pct,
        max_drawdown_abs=drawdown.abs,
        max_drawdown_peak_time=drawdown.peak_time,
        max_drawdown_trough_time=drawdown.trough_time,
        exposure_pct=float(np.count_nonzero(position)) / len(position) * 100.0,
        periods_per_year=per_year,
        **trade_stats,
    )


def max_drawdown(equity: FloatArray, timestamp: IntArray, initial_capital: float) -> Drawdown:
    """Largest percentage drawdown with its peak/trough times, and the largest absolute one.

    The running peak starts at ``initial_capital``; a peak before the first bar is reported at
    the first bar's time.
    """
    peaks = np.maximum.accumulate(np.maximum(equity, initial_capital))
    falls = peaks - equity
    pct = falls / peaks
    trough = int(np.argmax(pct))
    if pct[trough] <= 0:
        first = int(timestamp[0])
        return Drawdown(0.0, 0.0, first, first)
    peak_value = peaks[trough]
    at_peak = np.flatnonzero(equity[: trough + 1] == peak_value)
    peak_bar = int(at_peak[-1]) if at_peak.size else 0
    return Drawdown(
        pct=float(pct[trough]) * 100.0,
        abs=float(falls.max()),
        peak_time=int(timestamp[peak_bar]),
        trough_time=int(timestamp[trough]),
    )


def drawdown_curve(equity: FloatArray, initial_capital: float) -> FloatArray:
    """Drawdown in percent (<= 0) at every bar, from the running peak."""
    peaks = np.maximum.accumulate(np.maximum(equity, initial_capital))
    result: FloatArray = (equity - peaks) / peaks * 100.0
    return result


def _cagr(growth: float, years: float) -> float | None:
    """Compound annual growth rate; None when undefined or beyond float range (tiny spans)."""
    if growth <= 0 or years <= 0:
        return None
    exponent = math.log(growth) / years
    return math.expm1(exponent) if exponent < _MAX_EXPONENT else None


def _risk_ratios(returns: FloatArray, per_year: float) -> tuple[float | None, float | None]:
    if returns.size < 2:
        return None, None
    mean = float(returns.mean())
    std = float(returns.std(ddof=1))
    sharpe = mean / std * math.sqrt(per_year) if std > 0 else None
    downside = np.minimum(returns, 0.0)
    downside_dev = float(np.sqrt(np.mean(downside * downside)))
    sortino = mean / downside_dev * math.sqrt(per_year) if downside_dev > 0 else None
    return sharpe, sortino


def _trade_stats(trades: Sequence[Trade]) -> dict[str, float | None]:
    if not trades:
        return {
            "win_rate_pct": None,
            "profit_factor": None,
            "expectancy": None,
            "avg_bars_held": None,
        }
    wins = [trade.pnl for trade in trades if trade.pnl > 0]
    losses = [trade.pnl for trade in trades if trade.pnl < 0]
    gross_profit = sum(wins, ZERO)
    gross_loss = -sum(losses, ZERO)
    total = sum((trade.pnl for trade in trades), ZERO)
    return {
        "win_rate_pct": len(wins) / len(trades) * 100.0,
        "profit_factor": float(gross_profit / gross_loss) if gross_loss > 0 else None,
        "expectancy": float(total / Decimal(len(trades))),
        "avg_bars_held": sum(trade.bars_held for trade in trades) / len(trades),
    }


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
