"""Built-in: MACD trend following."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from app.indicators import macd
from app.strategies.base import BaseStrategy, SignalFrame
from app.strategies.crossing import crossings
from app.strategies.parameters import Parameter, protective_stop_parameters


class MacdTrend(BaseStrategy):
    """Long when the MACD line crosses above its signal line; exit when it crosses below."""

    name = "macd_trend"
    title = "MACD trend"
    description = (
        "Buys when the MACD line (fast EMA minus slow EMA) crosses above its signal line and "
        "sells when it crosses back below; optionally buys only while the MACD is above zero."
    )

    @classmethod
    def get_parameters(cls) -> tuple[Parameter, ...]:
        """EMA lengths, signal length, the zero-line filter and the optional protective exits."""
        return (
            Parameter(
                "fast", "int", 12, min=2, max=100, step=1,
                description="Bars in the fast EMA (must be less than slow).",
            ),
            Parameter(
                "slow", "int", 26, min=3, max=300, step=1,
                description="Bars in the slow EMA.",
            ),
            Parameter(
                "signal", "int", 9, min=1, max=100, step=1,
                description="Bars in the signal line's EMA of the MACD line.",
            ),
            Parameter(
                "above_zero", "bool", False,
                description="Only buy while the MACD line is above zero (an uptrend).",
            ),
            *protective_stop_parameters(),
        )  # fmt: skip

    @classmethod
    def check_params(cls, params: Mapping[str, Any]) -> list[str]:
        """The fast EMA must be shorter than the slow one."""
        if params["fast"] >= params["slow"]:
            return [
                "parameter 'fast' must be less than 'slow', "
                f"got fast={params['fast']}, slow={params['slow']}"
            ]
        return []

    @property
    def warmup_bars(self) -> int:
        """MACD and signal start at bar ``slow + signal - 2``; a cross needs one earlier value."""
        return int(self.params["slow"]) + int(self.params["signal"]) - 1

    def generate_signals(self, data: pd.DataFrame) -> SignalFrame:
        """Entries where MACD crosses above its signal (see ``above_zero``), exits below."""
        line, signal, _ = macd(
            self.column(data, "close"),
            self.params["fast"],
            self.params["slow"],
            self.params["signal"],
        )
        entries, exits = crossings(line, signal)
        if self.params["above_zero"]:
            entries &= line > 0
        return SignalFrame(entries=entries, exits=exits)
