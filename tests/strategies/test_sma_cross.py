"""sma_cross against a straightforward bar-by-bar reimplementation."""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.strategies.builtin import SmaCross


def loop_signals(close: np.ndarray, fast: int, slow: int) -> tuple[list[bool], list[bool]]:
    entries, exits = [], []
    side = 0
    for t in range(len(close)):
        if t < slow - 1:
            entries.append(False)
            exits.append(False)
            continue
        f = close[t - fast + 1 : t + 1].mean()
        s = close[t - slow + 1 : t + 1].mean()
        diff = f - s
        if abs(diff) < 1e-9 * s:
            diff = 0.0
        entries.append(diff > 0 and side < 0)
        exits.append(diff < 0 and side > 0)
        if diff != 0:
            side = 1 if diff > 0 else -1
    return entries, exits


def test_matches_loop_on_real_candles(btc_1h: pd.DataFrame) -> None:
    data = btc_1h.iloc[:3000]
    signals = SmaCross({"fast": 7, "slow": 25}).generate_signals(data)
    entries, exits = loop_signals(data["close"].to_numpy(), 7, 25)
    assert signals.entries.tolist() == entries
    assert signals.exits.tolist() == exits
    assert 20 < signals.entries.sum() < 200
    # Long-only alternation: entries and exits take turns.
    events = np.sort(
        np.concatenate([np.flatnonzero(signals.entries), np.flatnonzero(signals.exits)])
    )
    kinds = signals.entries[events]
    assert not (kinds[1:] == kinds[:-1]).any()
