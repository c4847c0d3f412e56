"""Indicator studies the chart can show: price overlays (SMA, EMA, Bollinger) and sub-panes
(RSI, MACD), computed with :mod:`app.indicators`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from app import indicators
from app.ui.chart.pyramid import FloatArray

_TAIL_MIN_BARS = 2_000
_TAIL_PERIODS = 50


class StudyKind(StrEnum):
    """Which indicator a study draws."""

    SMA = "sma"
    EMA = "ema"
    BOLLINGER = "bollinger"
    RSI = "rsi"
    MACD = "macd"

    @property
    def is_overlay(self) -> bool:
        """True for studies drawn over the candles (same price scale)."""
        return self in (StudyKind.SMA, StudyKind.EMA, StudyKind.BOLLINGER)


@dataclass(frozen=True, slots=True)
class Study:
    """One indicator with its parameters.

    ``period`` is the length for SMA/EMA/Bollinger/RSI and the fast length for MACD;
    ``deviations`` is Bollinger's band width k; ``slow`` and ``signal`` are MACD's other lengths.
    """

    kind: StudyKind
    period: int = 20
    deviations: float = 2.0
    slow: int = 26
    signal: int = 9

    @property
    def label(self) -> str:
        """Short name with parameters, e.g. 'SMA(20)', 'BB(20, 2)', 'MACD(12, 26, 9)'."""
        if self.kind is StudyKind.BOLLINGER:
            return f"BB({self.period}, {self.deviations:g})"
        if self.kind is StudyKind.MACD:
            return f"MACD({self.period}, {self.slow}, {self.signal})"
        return f"{self.kind.value.upper()}({self.period})"

    @property
    def line_names(self) -> tuple[str, ...]:
        """Readout names of the lines :meth:`compute` returns, in order."""
        if self.kind is StudyKind.BOLLINGER:
            return (f"{self.label} up", f"{self.label} mid", f"{self.label} low")
        if self.kind is StudyKind.MACD:
            return (self.label, "signal", "hist")
        return (self.label,)

    @property
    def tail_bars(self) -> int:
        """Bars to recompute after a live update so the new values match a full computation."""
        longest = max(self.period, self.slow + self.signal if self.kind is StudyKind.MACD else 0)
        return max(_TAIL_MIN_BARS, _TAIL_PERIODS * longest)

    def compute(self, close: FloatArray) -> tuple[FloatArray, ...]:
        """The study's lines for ``close`` (float64 arrays of the same length, NaN warm-up).

        Raises:
            ValueError: a period is not a whole number >= 1 (from :mod:`app.indicators`).
        """
        if self.kind is StudyKind.SMA:
            return (indicators.sma(close, self.period),)
        if self.kind is StudyKind.EMA:
            return (indicators.ema(close, self.period),)
        if self.kind is StudyKind.BOLLINGER:
            return tuple(indicators.bollinger(close, self.period, self.deviations))
        if self.kind is StudyKind.RSI:
            return (indicators.rsi(close, self.period),)
        return tuple(indicators.macd(close, self.period, self.slow, self.signal))

    def compute_tail(
        self, close: FloatArray, first_changed: int
    ) -> tuple[int, tuple[FloatArray, ...]]:
        """Values from bar ``first_changed`` on, computed over a warm-up window before it.

        Returns:
            ``(first_changed, lines)`` where each line holds the values of bars
            ``first_changed .. len(close) - 1``.
        """
        begin = max(0, first_changed - self.tail_bars)
        lines = self.compute(np.ascontiguousarray(close[begin:]))
        offset = first_changed - begin
        return first_changed, tuple(line[offset:] for line in lines)
