"""Each built-in's trading rule against an independent computation (TA-Lib or numpy + a loop)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import talib

from app.core.errors import StrategyError
from app.strategies.builtin import MacdTrend, MeanReversion, RsiRevert
from tests.strategies.reference import reference_crosses


def test_rsi_revert_buys_on_oversold_cross_and_sells_on_overbought(btc_1h: pd.DataFrame) -> None:
    strategy = RsiRevert({"period": 10, "lower": 25, "upper": 75})
    signals = strategy.generate_signals(btc_1h)
    strength = talib.RSI(btc_1h["close"].to_numpy(), 10)
    _, entries = reference_crosses(strength, 25.0)
    exits, _ = reference_crosses(strength, 75.0)
    assert signals.entries.tolist() == entries
    assert signals.exits.tolist() == exits
    assert signals.entries.sum() > 10
    bars = np.flatnonzero(signals.entries)
    assert (strength[bars] < 25).all()
    assert (strength[bars - 1] >= 25).all()


def test_mean_reversion_uses_the_bollinger_z_score(btc_1h: pd.DataFrame) -> None:
    strategy = MeanReversion({"period": 20, "entry_z": 1.8, "exit_z": 0.5})
    signals = strategy.generate_signals(btc_1h)
    close = btc_1h["close"].to_numpy()
    windows = np.lib.stride_tricks.sliding_window_view(close, 20)
    z = np.full(len(close), np.nan)
    z[19:] = (close[19:] - windows.mean(axis=1)) / windows.std(axis=1)
    _, entries = reference_crosses(z, -1.8)
    exits, _ = reference_crosses(z, 0.5)
    assert signals.entries.tolist() == entries
    assert signals.exits.tolist() == exits
    assert signals.entries.sum() > 10


def test_mean_reversion_ignores_flat_windows() -> None:
    close = np.concatenate([np.full(30, 100.0), [90.0], np.full(30, 100.0)])
    data = pd.DataFrame({"close": close})
    signals = MeanReversion({"period": 5, "entry_z": 1.0}).generate_signals(data)
    # The drop at bar 30 is the first bar with any spread: no earlier z-score, so no cross.
    assert not signals.entries.any()


@pytest.mark.parametrize("above_zero", [False, True])
def test_macd_trend_follows_signal_line_crosses(btc_1h: pd.DataFrame, above_zero: bool) -> None:
    strategy = MacdTrend({"fast": 8, "slow": 21, "signal": 5, "above_zero": above_zero})
    signals = strategy.generate_signals(btc_1h)
    line, signal, _ = talib.MACD(btc_1h["close"].to_numpy(), 8, 21, 5)
    entries, exits = reference_crosses(line, signal)
    expected = np.array(entries) & (line > 0) if above_zero else np.array(entries)
    assert signals.entries.tolist() == expected.tolist()
    assert signals.exits.tolist() == exits
    assert signals.entries.sum() > 10


@pytest.mark.parametrize(
    ("strategy", "params", "message"),
    [
        (RsiRevert, {"lower": 70, "upper": 30}, "'lower' must be less than 'upper'"),
        (MeanReversion, {"entry_z": 1.0, "exit_z": -1.5}, "'exit_z' must be greater than"),
        (MacdTrend, {"fast": 26, "slow": 12}, "'fast' must be less than 'slow'"),
    ],
)
def test_cross_field_rules(strategy: type, params: dict[str, object], message: str) -> None:
    with pytest.raises(StrategyError, match=message):
        strategy(params)
