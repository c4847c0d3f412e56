"""Lookahead check: recompute signals on truncated prefixes and report every signal that changes.

A strategy that only uses rows 0..t for bar t produces, on ``data[:e + 1]``, exactly the
signals it produces on the full data for bars 0..e. Any difference means the signal at that bar
depended on rows after it (the strategy peeks), and a backtest of it is not honest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from app.backtest.data import candle_arrays
from app.backtest.engine import StrategyLike, strategy_signals
from app.backtest.interfaces import SignalArrays
from app.core.time import format_ms

logger = logging.getLogger(__name__)

SIGNAL_NAMES: tuple[str, ...] = ("entries", "exits", "short_entries", "short_exits")


@dataclass(frozen=True, slots=True)
class SignalChange:
    """One signal that differs between the full run and a run on a prefix ending at ``seen_at``.

    ``full`` is the value with all data, ``prefix`` the value when the data ended at ``seen_at``.
    """

    time: int
    bar: int
    signal: str
    full: bool
    prefix: bool
    seen_at: int

    def describe(self) -> str:
        """One line for the CLI."""
        return (
            f"{format_ms(self.time)} {self.signal}: {self.full} with all data, {self.prefix} "
            f"with data up to {format_ms(self.seen_at)}"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "time": self.time,
            "signal": self.signal,
            "full": self.full,
            "prefix": self.prefix,
            "seen_at": self.seen_at,
        }


@dataclass(frozen=True, slots=True)
class LookaheadReport:
    """Result of :func:`check_lookahead`."""

    strategy: str
    prefixes_checked: int
    changes: tuple[SignalChange, ...]

    @property
    def peeks(self) -> bool:
        """True when any signal changed, i.e. the strategy uses future data."""
        return bool(self.changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "strategy": self.strategy,
            "prefixes_checked": self.prefixes_checked,
            "peeks": self.peeks,
            "changes": [change.to_dict() for change in self.changes],
        }


def check_lookahead(
    strategy: StrategyLike,
    candles: pd.DataFrame,
    *,
    max_prefixes: int = 500,
    spaced: int = 40,
) -> LookaheadReport:
    """Recompute signals on prefixes of ``candles`` and report every signal that changes.

    Prefixes end at bars where the full run has a signal (a signal that needs later data
    disappears when the data ends there) and at ``spaced`` evenly spaced bars (signals that
    appear only when the data is cut). At most ``max_prefixes`` prefixes are run, evenly
    sampled; prefixes shorter than the strategy's warm-up are skipped. Each change is reported
    once, at the first prefix that revealed it.

    Args:
        strategy: the strategy to check.
        candles: the data (as for :func:`app.backtest.run_backtest`).
        max_prefixes: most prefixes to recompute.
        spaced: evenly spaced prefix ends added to the signal bars.

    Returns:
        The report; ``report.peeks`` is True for a strategy that uses future data.

    Raises:
        BacktestError: invalid candles.
        StrategyError: the strategy failed.
    """
    arrays = candle_arrays(candles)
    n = len(arrays)
    full = strategy_signals(strategy, candles, n)
    warmup = int(getattr(strategy, "warmup_bars", 0) or 0)
    ends = [end for end in _prefix_ends(full, n, max_prefixes, spaced) if end >= warmup]
    found: dict[tuple[int, str], SignalChange] = {}
    for end in ends:
        prefix = strategy_signals(strategy, candles.iloc[: end + 1], end + 1)
        for name in SIGNAL_NAMES:
            whole = _values(full, name, n)
            part = _values(prefix, name, end + 1)
            for bar in np.flatnonzero(whole[: end + 1] != part).tolist():
                key = (bar, name)
                if key not in found:
                    found[key] = SignalChange(
                        time=int(arrays.timestamp[bar]),
                        bar=bar,
                        signal=name,
                        full=bool(whole[bar]),
                        prefix=bool(part[bar]),
                        seen_at=int(arrays.timestamp[end]),
                    )
    changes = tuple(sorted(found.values(), key=lambda change: (change.bar, change.signal)))
    logger.info(
        "lookahead check of %s: %d prefixes, %d changed signals",
        strategy.name,
        len(ends),
        len(changes),
    )
    return LookaheadReport(strategy.name, len(ends), changes)


def _values(signals: SignalArrays, name: str, n: int) -> np.ndarray:
    values = getattr(signals, name)
    return np.zeros(n, dtype=np.bool_) if values is None else np.asarray(values)


def _prefix_ends(full: SignalArrays, n: int, max_prefixes: int, spaced: int) -> list[int]:
    """Last bars of the prefixes to run (the full length itself is excluded)."""
    any_signal = np.zeros(n, dtype=np.bool_)
    for name in SIGNAL_NAMES:
        any_signal |= _values(full, name, n)
    signal_bars = np.flatnonzero(any_signal[: n - 1])
    even = np.linspace(1, n - 2, num=min(spaced, max(n - 2, 0))).astype(np.int64)
    ends = np.unique(np.concatenate((signal_bars, even)))
    ends = ends[(ends >= 1) & (ends < n - 1)]
    if ends.size > max_prefixes:
        ends = ends[np.linspace(0, ends.size - 1, max_prefixes).astype(np.int64)]
    result: list[int] = ends.tolist()
    return result
