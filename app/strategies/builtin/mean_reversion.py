"""Built-in: Bollinger z-score mean reversion."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from app.indicators import FloatArray, sma, stddev
from app.strategies.base import BaseStrategy, SignalFrame
from app.strategies.crossing import crossed_above, crossed_below
from app.strategies.parameters import Parameter, protective_stop_parameters

# A window whose spread is below this fraction of its mean is treated as flat (no z-score).
_FLAT = 1e-12


def zscore(close: FloatArray, period: int) -> FloatArray:
    """(close - SMA) / population standard deviation over ``period`` bars.

    NaN during the warm-up and where the window is flat (no spread to measure against).
    """
    middle = sma(close, period)
    spread = stddev(close, period)
    flat = ~(spread > _FLAT * np.abs(middle))
    with np.errstate(invalid="ignore", divide="ignore"):
        score: FloatArray = (close - middle) / spread
    score[flat] = np.nan
    return score


class MeanReversion(BaseStrategy):
    """Buy when the close falls ``entry_z`` deviations below its mean; sell on the way back."""

    name = "mean_reversion"
    title = "Bollinger mean reversion"
    description = (
        "Buys when the close's z-score (distance from its moving average in standard "
        "deviations, as in Bollinger bands) falls through -entry_z and sells when it rises "
        "through exit_z."
    )

    @classmethod
    def get_parameters(cls) -> tuple[Parameter, ...]:
        """Window length, entry and exit z-scores plus the optional protective exits."""
        return (
            Parameter(
                "period", "int", 20, min=5, max=200, step=1,
                description="Bars in the moving average and standard deviation.",
            ),
            Parameter(
                "entry_z", "float", 2.0, min=0.5, max=4.0, step=0.1,
                description="Buy when the z-score crosses below minus this many deviations.",
            ),
            Parameter(
                "exit_z", "float", 0.0, min=-2.0, max=3.0, step=0.1,
                description="Sell when the z-score crosses above this level (0 = the mean).",
            ),
            *protective_stop_parameters(),
        )  # fmt: skip

    @classmethod
    def check_params(cls, params: Mapping[str, Any]) -> list[str]:
        """The exit level must lie above the entry level (-entry_z)."""
        if params["exit_z"] <= -params["entry_z"]:
            return [
                "parameter 'exit_z' must be greater than -entry_z, "
                f"got exit_z={params['exit_z']}, entry_z={params['entry_z']}"
            ]
        return []

    @property
    def warmup_bars(self) -> int:
        """The z-score starts at bar ``period - 1``; a cross needs one earlier value."""
        return int(self.params["period"])

    def generate_signals(self, data: pd.DataFrame) -> SignalFrame:
        """Entries where z crosses below -entry_z, exits where it crosses above exit_z."""
        score = zscore(self.column(data, "close"), self.params["period"])
        return SignalFrame(
            entries=crossed_below(score, -self.params["entry_z"]),
            exits=crossed_above(score, self.params["exit_z"]),
        )
