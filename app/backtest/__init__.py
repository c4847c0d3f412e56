"""Backtest engine, metrics and reports.

``run_backtest(strategy, candles, ...)`` is the Python API; see :mod:`app.backtest.engine`.
"""

from app.backtest.config import BacktestConfig
from app.backtest.engine import run_backtest
from app.backtest.metrics import Metrics
from app.backtest.result import BacktestResult
from app.backtest.sizing import RiskSizerRule, SizeRule
from app.backtest.trades import OpenTrade, RejectedOrder, Trade

__all__ = [
    "BacktestConfig",
    "BacktestResult",
    "Metrics",
    "OpenTrade",
    "RejectedOrder",
    "RiskSizerRule",
    "SizeRule",
    "Trade",
    "run_backtest",
]
