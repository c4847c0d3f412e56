"""Golden test: our crossings agree with backtrader's CrossOver on real candles."""

from __future__ import annotations

import backtrader as bt
import numpy as np
import pandas as pd

from app.strategies.builtin import SmaCross


class _CrossProbe(bt.Strategy):
    params = (("fast", 10), ("slow", 30))

    def __init__(self) -> None:
        fast = bt.indicators.SMA(self.data.close, period=self.p.fast)
        slow = bt.indicators.SMA(self.data.close, period=self.p.slow)
        self.cross = bt.indicators.CrossOver(fast, slow)
        self.seen: dict[int, float] = {}

    def next(self) -> None:
        self.seen[len(self) - 1] = float(self.cross[0])


def backtrader_crosses(data: pd.DataFrame, fast: int, slow: int) -> np.ndarray:
    """CrossOver output per bar (0 where backtrader has not started yet)."""
    feed = data.assign(datetime=pd.to_datetime(data["timestamp"], unit="ms")).set_index("datetime")
    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(bt.feeds.PandasData(dataname=feed[["open", "high", "low", "close", "volume"]]))
    cerebro.addstrategy(_CrossProbe, fast=fast, slow=slow)
    probe = cerebro.run()[0]
    result = np.zeros(len(data))
    for bar, value in probe.seen.items():
        result[bar] = value
    return result


def test_sma_cross_matches_backtrader_crossover(btc_1h: pd.DataFrame) -> None:
    data = btc_1h.iloc[:2500].reset_index(drop=True)
    reference = backtrader_crosses(data, 8, 21)
    signals = SmaCross({"fast": 8, "slow": 21}).generate_signals(data)
    assert (reference != 0).sum() > 40
    np.testing.assert_array_equal(signals.entries, reference > 0)
    np.testing.assert_array_equal(signals.exits, reference < 0)
