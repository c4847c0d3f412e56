"""Backtest engine, metrics and reports.

``run_backtest(strategy, candles, ...)`` is the Python API (see :mod:`app.backtest.engine`);
``check_lookahead`` flags strategies that peek at future bars; ``write_html_report`` writes a
self-contained report of a result.
"""

from app.backtest.config import BacktestConfig
from app.backtest.engine import run_backtest
from app.backtest.lookahead import LookaheadReport, check_lookahead
from app.backtest.metrics import Metrics
from app.backtest.report import render_html, write_html_report
from app.backtest.result import BacktestResult
from app.backtest.sizing import RiskSizerRule, SizeRule
from app.backtest.trades import OpenTrade, RejectedOrder, Trade

__all__ = [
    "BacktestConfig",
    "BacktestResult",
    "LookaheadReport",
    "Metrics",
    "OpenTrade",
    "RejectedOrder",
    "RiskSizerRule",
    "SizeRule",
    "Trade",
    "check_lookahead",
    "render_html",
    "run_backtest",
    "write_html_report",
]
