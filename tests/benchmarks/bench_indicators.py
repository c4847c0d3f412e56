"""Indicators and built-in strategy signals on 1,000,000 bars.

Candles: /work/shared/data/btc_usdt_5m.csv replayed end to end (each copy rescaled to continue
from the previous close) until 1,000,000 bars, so the series has real 5-minute texture.

Anchor for every indicator, measured in the same run on the same arrays: TA-Lib's C function
(``talib.SMA``, ``EMA``, ...). Strategy figures are whole ``generate_signals`` calls (indicators,
crossings, SignalFrame) in bars per second; the goal leaves the backtest's 1M bars/s end-to-end
target most of its budget for the simulation.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import talib

from app import indicators
from app.strategies import default_registry
from tests.benchmarks.runner import Report, median_time
from tests.conftest import shared_data_dir

BARS = 1_000_000
REPEATS = 5
INDICATOR_GOAL_S = 0.1
STRATEGY_GOAL_BARS_PER_S = 5_000_000.0


def replayed_candles(count: int) -> pd.DataFrame:
    """``count`` bars built by replaying btc_usdt_5m.csv, prices rescaled per copy."""
    frame = pd.read_csv(shared_data_dir() / "btc_usdt_5m.csv")
    copies = -(-count // len(frame))
    columns: dict[str, list[np.ndarray]] = {name: [] for name in frame.columns}
    scale = 1.0
    first_close = float(frame["close"].iloc[0])
    last_close = float(frame["close"].iloc[-1])
    span = int(frame["timestamp"].iloc[-1] - frame["timestamp"].iloc[0]) + 300_000
    for copy in range(copies):
        columns["timestamp"].append(frame["timestamp"].to_numpy(np.int64) + copy * span)
        for name in ("open", "high", "low", "close"):
            columns[name].append(frame[name].to_numpy(np.float64) * scale)
        columns["volume"].append(frame["volume"].to_numpy(np.float64))
        scale *= last_close / first_close
    return pd.DataFrame({name: np.concatenate(parts)[:count] for name, parts in columns.items()})


def run(report: Report) -> None:
    """Time each indicator against TA-Lib and each built-in strategy's signal generation."""
    data = replayed_candles(BARS)
    h, lo = data["high"].to_numpy(), data["low"].to_numpy()
    c, v = data["close"].to_numpy(), data["volume"].to_numpy()
    cases: dict[str, tuple[Callable[[], object], Callable[[], object]]] = {
        "sma(50)": (lambda: indicators.sma(c, 50), lambda: talib.SMA(c, 50)),
        "ema(50)": (lambda: indicators.ema(c, 50), lambda: talib.EMA(c, 50)),
        "rsi(14)": (lambda: indicators.rsi(c, 14), lambda: talib.RSI(c, 14)),
        "macd(12,26,9)": (lambda: indicators.macd(c), lambda: talib.MACD(c, 12, 26, 9)),
        "bollinger(20,2)": (
            lambda: indicators.bollinger(c, 20, 2.0),
            lambda: talib.BBANDS(c, 20, 2.0, 2.0, 0),
        ),
        "atr(14)": (lambda: indicators.atr(h, lo, c, 14), lambda: talib.ATR(h, lo, c, 14)),
        "stochastic(14,3,3)": (
            lambda: indicators.stochastic(h, lo, c, 14, 3, 3),
            lambda: talib.STOCH(h, lo, c, 14, 3, 0, 3, 0),
        ),
        "obv": (lambda: indicators.obv(c, v), lambda: talib.OBV(c, v)),
        "adx(14)": (lambda: indicators.adx(h, lo, c, 14), lambda: talib.ADX(h, lo, c, 14)),
    }
    for name, (ours, anchor) in cases.items():
        ours()
        report.figure(
            f"{name} on 1M bars",
            median_time(ours, REPEATS),
            "s",
            goal=INDICATOR_GOAL_S,
            anchor=median_time(anchor, REPEATS),
            note=f"median of {REPEATS}; anchor: TA-Lib C",
        )
    stamps = data["timestamp"].to_numpy()
    report.figure(
        "vwap daily on 1M bars",
        median_time(lambda: indicators.vwap(h, lo, c, v, timestamps=stamps), REPEATS),
        "s",
        goal=INDICATOR_GOAL_S,
        note=f"median of {REPEATS}; TA-Lib has no VWAP",
    )
    registry = default_registry()
    for name in registry.names():
        strategy = registry.create(name)
        seconds = median_time(lambda strategy=strategy: strategy.generate_signals(data), REPEATS)
        report.figure(
            f"{name} signals",
            BARS / seconds,
            "bars/s",
            goal=STRATEGY_GOAL_BARS_PER_S,
            note=f"default parameters, median of {REPEATS}",
            lower_is_better=False,
        )
