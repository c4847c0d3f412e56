"""Vectorised technical indicators on numpy arrays (TA-Lib conventions).

Every function takes 1-D series (numpy arrays, pandas Series or sequences), returns float64
arrays of the same length with NaN during the warm-up, and never looks ahead: the value at bar t
uses bars 0..t only. A bar with a missing (NaN) input gets NaN output and is skipped.
"""

from app.indicators._series import BoolArray, FloatArray
from app.indicators.moving import ema, sma

__all__ = ["BoolArray", "FloatArray", "ema", "sma"]
