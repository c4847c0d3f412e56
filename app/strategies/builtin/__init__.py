"""Strategies that ship with the app."""

from app.strategies.base import BaseStrategy
from app.strategies.builtin.macd_trend import MacdTrend
from app.strategies.builtin.mean_reversion import MeanReversion, zscore
from app.strategies.builtin.rsi_revert import RsiRevert
from app.strategies.builtin.sma_cross import SmaCross

BUILTIN_STRATEGIES: tuple[type[BaseStrategy], ...] = (SmaCross, RsiRevert, MeanReversion, MacdTrend)

__all__ = ["BUILTIN_STRATEGIES", "MacdTrend", "MeanReversion", "RsiRevert", "SmaCross", "zscore"]
