"""Vectorised technical indicators on numpy arrays (TA-Lib conventions).

Every function takes 1-D series (numpy arrays, pandas Series or sequences), returns float64
arrays of the same length with NaN during the warm-up, and never looks ahead: the value at bar t
uses bars 0..t only. A bar with a missing (NaN) input gets NaN output and is skipped.
"""

from app.indicators._series import BoolArray, FloatArray
from app.indicators.momentum import macd, rsi, stochastic
from app.indicators.moving import ema, sma
from app.indicators.trend import adx, dmi
from app.indicators.volatility import atr, bollinger, stddev, true_range
from app.indicators.volume import obv, vwap

__all__ = [
    "BoolArray",
    "FloatArray",
    "adx",
    "atr",
    "bollinger",
    "dmi",
    "ema",
    "macd",
    "obv",
    "rsi",
    "sma",
    "stddev",
    "stochastic",
    "true_range",
    "vwap",
]
