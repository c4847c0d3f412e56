"""Built-in: RSI mean reversion."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from app.indicators import rsi
from app.strategies.base import BaseStrategy, SignalFrame
from app.strategies.crossing import crossed_above, crossed_below
from app.strategies.parameters import Parameter, protective_stop_parameters


class RsiRevert(BaseStrategy):
    """Buy when the RSI crosses below ``lower`` (oversold); sell when it crosses above ``upper``."""

    name = "rsi_revert"
    title = "RSI reversion"
    description = (
        "Buys when the relative strength index falls through the oversold level and sells when "
        "it rises through the overbought level."
    )

    @classmethod
    def get_parameters(cls) -> tuple[Parameter, ...]:
        """RSI length, oversold and overbought levels plus the optional protective exits."""
        return (
            Parameter(
                "period", "int", 14, min=2, max=100, step=1,
                description="Bars in the RSI (Wilder's smoothing).",
            ),
            Parameter(
                "lower", "float", 30.0, min=1.0, max=99.0, step=1.0,
                description="Oversold level: buy when the RSI crosses below it.",
            ),
            Parameter(
                "upper", "float", 70.0, min=1.0, max=99.0, step=1.0,
                description="Overbought level: sell when the RSI crosses above it.",
            ),
            *protective_stop_parameters(),
        )  # fmt: skip

    @classmethod
    def check_params(cls, params: Mapping[str, Any]) -> list[str]:
        """The oversold level must be below the overbought level."""
        if params["lower"] >= params["upper"]:
            return [
                "parameter 'lower' must be less than 'upper', "
                f"got lower={params['lower']}, upper={params['upper']}"
            ]
        return []

    @property
    def warmup_bars(self) -> int:
        """The RSI starts at bar ``period``; a cross needs one earlier value."""
        return int(self.params["period"]) + 1

    def generate_signals(self, data: pd.DataFrame) -> SignalFrame:
        """Entries where RSI crosses below ``lower``, exits where it crosses above ``upper``."""
        strength = rsi(self.column(data, "close"), self.params["period"])
        return SignalFrame(
            entries=crossed_below(strength, self.params["lower"]),
            exits=crossed_above(strength, self.params["upper"]),
        )
