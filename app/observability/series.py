"""One labelled series of a metric: the values behind counters, gauges and histograms.

A series shares its family's lock, so a family with many series needs one lock, not many.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

QUANTILES = (0.5, 0.95, 0.99)


class CounterSeries:
    """One labelled series of a counter."""

    def __init__(self, lock: threading.Lock) -> None:
        self._lock = lock
        self._value = 0.0

    def inc(self, amount: float = 1.0) -> None:
        """Add ``amount`` (>= 0).

        Raises:
            ValueError: ``amount`` is negative or not finite.
        """
        if not math.isfinite(amount) or amount < 0:
            raise ValueError(f"a counter only goes up: cannot add {amount}")
        with self._lock:
            self._value += amount

    @property
    def value(self) -> float:
        """Current total."""
        with self._lock:
            return self._value


class GaugeSeries:
    """One labelled series of a gauge."""

    def __init__(self, lock: threading.Lock) -> None:
        self._lock = lock
        self._value = 0.0

    def set(self, value: float) -> None:
        """Set the current value."""
        with self._lock:
            self._value = float(value)

    def inc(self, amount: float = 1.0) -> None:
        """Add ``amount`` (may be negative)."""
        with self._lock:
            self._value += amount

    def dec(self, amount: float = 1.0) -> None:
        """Subtract ``amount``."""
        with self._lock:
            self._value -= amount

    @property
    def value(self) -> float:
        """Current value."""
        with self._lock:
            return self._value


@dataclass(frozen=True, slots=True)
class HistogramSnapshot:
    """Count and sum of every observation, quantiles of the recent window (NaN when empty)."""

    count: int
    sum: float
    p50: float
    p95: float
    p99: float


class HistogramSeries:
    """One labelled series of a histogram."""

    def __init__(self, lock: threading.Lock, window: int) -> None:
        self._lock = lock
        self._recent: deque[float] = deque(maxlen=window)
        self._count = 0
        self._sum = 0.0

    def observe(self, value: float) -> None:
        """Record one observation (e.g. a latency in seconds).

        Raises:
            ValueError: ``value`` is not finite.
        """
        if not math.isfinite(value):
            raise ValueError(f"cannot observe {value}")
        with self._lock:
            self._recent.append(float(value))
            self._count += 1
            self._sum += value

    @contextmanager
    def time(self) -> Iterator[None]:
        """Observe the seconds spent inside a ``with`` block (also when it raises)."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.observe(time.perf_counter() - start)

    def quantile(self, q: float) -> float:
        """The ``q`` quantile (0..1) of the recent window, linearly interpolated; NaN if empty."""
        with self._lock:
            ordered = sorted(self._recent)
        return quantile_of(ordered, q)

    def snapshot(self) -> HistogramSnapshot:
        """Count, sum and p50/p95/p99 taken together."""
        with self._lock:
            ordered = sorted(self._recent)
            count, total = self._count, self._sum
        p50, p95, p99 = (quantile_of(ordered, q) for q in QUANTILES)
        return HistogramSnapshot(count=count, sum=total, p50=p50, p95=p95, p99=p99)


def quantile_of(ordered: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) of sorted values, linearly interpolated; NaN when empty.

    Raises:
        ValueError: ``q`` is outside 0..1.
    """
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"quantile must be between 0 and 1, got {q}")
    if not ordered:
        return math.nan
    position = q * (len(ordered) - 1)
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    fraction = position - lower
    return ordered[lower] + (ordered[upper] - ordered[lower]) * fraction
