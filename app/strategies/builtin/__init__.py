"""Strategies that ship with the app."""

from app.strategies.base import BaseStrategy
from app.strategies.builtin.sma_cross import SmaCross

BUILTIN_STRATEGIES: tuple[type[BaseStrategy], ...] = (SmaCross,)

__all__ = ["BUILTIN_STRATEGIES", "SmaCross"]
