"""Built-in: simple moving-average crossover."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from app.indicators import sma
from app.strategies.base import BaseStrategy, SignalFrame
from app.strategies.crossing import crossings
from app.strategies.parameters import Parameter, protective_stop_parameters


class SmaCross(BaseStrategy):
    """Long when the fast SMA crosses above the slow SMA; exit when it crosses below."""

    name = "sma_cross"
    title = "SMA crossover"
    description = (
        "Buys when the fast simple moving average of the close crosses above the slow one and "
        "sells when it crosses back below."
    )

    @classmethod
    def get_parameters(cls) -> tuple[Parameter, ...]:
        """Fast and slow SMA lengths plus the optional protective exits."""
        return (
            Parameter(
                "fast", "int", 10, min=2, max=200, step=1,
                description="Bars in the fast moving average (must be less than slow).",
            ),
            Parameter(
                "slow", "int", 30, min=3, max=500, step=1,
                description="Bars in the slow moving average.",
            ),
            *protective_stop_parameters(),
        )  # fmt: skip

    @classmethod
    def check_params(cls, params: Mapping[str, Any]) -> list[str]:
        """The fast average must be shorter than the slow one."""
        if params["fast"] >= params["slow"]:
            return [
                f"parameter 'fast' must be less than 'slow', "
                f"got fast={params['fast']}, slow={params['slow']}"
            ]
        return []

    @property
    def warmup_bars(self) -> int:
        """The slow SMA needs ``slow`` bars and a cross needs one earlier bar."""
        return int(self.params["slow"])

    def generate_signals(self, data: pd.DataFrame) -> SignalFrame:
        """Entries where SMA(fast) crosses above SMA(slow), exits where it crosses below."""
        close = self.column(data, "close")
        fast = sma(close, self.params["fast"])
        slow = sma(close, self.params["slow"])
        entries, exits = crossings(fast, slow)
        return SignalFrame(entries=entries, exits=exits)
