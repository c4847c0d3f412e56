"""A small thread-safe metrics registry rendered in the Prometheus text format.

Counters only go up, gauges hold a current value, histograms keep exact counts and sums plus
the most recent observations (a bounded sliding window) for p50/p95/p99. Histograms are exposed
to Prometheus as ``summary`` families (quantiles, ``_sum``, ``_count``).

Usage::

    ORDERS = default_registry().counter("cryptobot_orders_total", "Orders sent", ("exchange",))
    ORDERS.labels(exchange="binance").inc()
    with default_registry().histogram("cryptobot_order_latency_seconds", "Order RTT").time():
        ...
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Generic, TypeVar

from app.observability.series import (
    QUANTILES,
    CounterSeries,
    GaugeSeries,
    HistogramSeries,
    HistogramSnapshot,
)

_NAME_RE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_LABEL_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
DEFAULT_WINDOW = 1024


SeriesT = TypeVar("SeriesT", CounterSeries, GaugeSeries, HistogramSeries)


class _Metric(Generic[SeriesT]):
    """A metric family: a name, help text, label names and one series per label combination."""

    kind = ""

    def __init__(
        self,
        name: str,
        help_text: str,
        labelnames: Sequence[str],
        factory: Callable[[threading.Lock], SeriesT],
    ) -> None:
        if not _NAME_RE.match(name):
            raise ValueError(f"metric name {name!r}: use letters, digits, '_' and ':'")
        for label in labelnames:
            if not _LABEL_RE.match(label) or label.startswith("__") or label == "quantile":
                raise ValueError(f"metric {name}: label name {label!r} is not allowed")
        if len(set(labelnames)) != len(labelnames):
            raise ValueError(f"metric {name}: label names repeat: {tuple(labelnames)}")
        self.name = name
        self.help = help_text
        self.labelnames = tuple(labelnames)
        self._lock = threading.Lock()
        self._factory: Callable[[threading.Lock], SeriesT] = factory
        self._series: dict[tuple[str, ...], SeriesT] = {}
        if not self.labelnames:
            self._series[()] = factory(self._lock)

    def labels(self, **labels: str) -> SeriesT:
        """The series for one combination of label values (created on first use).

        Raises:
            ValueError: the label names differ from the family's.
        """
        if set(labels) != set(self.labelnames):
            raise ValueError(
                f"metric {self.name}: expected labels {self.labelnames}, got {tuple(labels)}"
            )
        key = tuple(str(labels[name]) for name in self.labelnames)
        with self._lock:
            series = self._series.get(key)
            if series is None:
                series = self._series[key] = self._factory(self._lock)
            return series

    def _unlabelled(self) -> SeriesT:
        if self.labelnames:
            raise ValueError(f"metric {self.name} has labels {self.labelnames}: use .labels()")
        return self._series[()]

    def series(self) -> list[tuple[dict[str, str], SeriesT]]:
        """Every series with its labels, sorted by label values."""
        with self._lock:
            items = sorted(self._series.items())
        return [(dict(zip(self.labelnames, key, strict=True)), value) for key, value in items]


class Counter(_Metric[CounterSeries]):
    """A total that only goes up (orders sent, errors, reconnects)."""

    kind = "counter"

    def __init__(self, name: str, help_text: str, labelnames: Sequence[str] = ()) -> None:
        super().__init__(name, help_text, labelnames, CounterSeries)

    def inc(self, amount: float = 1.0) -> None:
        """Add ``amount`` to the unlabelled counter (see :meth:`labels` otherwise)."""
        self._unlabelled().inc(amount)

    @property
    def value(self) -> float:
        """Total of the unlabelled counter."""
        return self._unlabelled().value


class Gauge(_Metric[GaugeSeries]):
    """A value that goes up and down (open orders, queue depth, equity)."""

    kind = "gauge"

    def __init__(self, name: str, help_text: str, labelnames: Sequence[str] = ()) -> None:
        super().__init__(name, help_text, labelnames, GaugeSeries)

    def set(self, value: float) -> None:
        """Set the unlabelled gauge."""
        self._unlabelled().set(value)

    def inc(self, amount: float = 1.0) -> None:
        """Add to the unlabelled gauge."""
        self._unlabelled().inc(amount)

    def dec(self, amount: float = 1.0) -> None:
        """Subtract from the unlabelled gauge."""
        self._unlabelled().dec(amount)

    @property
    def value(self) -> float:
        """Value of the unlabelled gauge."""
        return self._unlabelled().value


class Histogram(_Metric[HistogramSeries]):
    """A distribution (latencies, sizes): exact count and sum, p50/p95/p99 of recent values."""

    kind = "summary"

    def __init__(
        self,
        name: str,
        help_text: str,
        labelnames: Sequence[str] = (),
        window: int = DEFAULT_WINDOW,
    ) -> None:
        if window < 1:
            raise ValueError(f"metric {name}: window must be at least 1, got {window}")
        self.window = window
        super().__init__(name, help_text, labelnames, lambda lock: HistogramSeries(lock, window))

    def observe(self, value: float) -> None:
        """Record one observation on the unlabelled histogram."""
        self._unlabelled().observe(value)

    def time(self) -> AbstractContextManager[None]:
        """Observe the seconds spent in a ``with`` block on the unlabelled histogram."""
        return self._unlabelled().time()

    def snapshot(self) -> HistogramSnapshot:
        """Count, sum and quantiles of the unlabelled histogram."""
        return self._unlabelled().snapshot()


Metric = Counter | Gauge | Histogram
MetricT = TypeVar("MetricT", Counter, Gauge, Histogram)


class MetricsRegistry:
    """The metric families of one process, by name. Thread-safe.

    Asking again for a name returns the existing family when its type and labels match, so
    modules can declare the metrics they use without coordinating.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._metrics: dict[str, Metric] = {}

    def counter(self, name: str, help_text: str, labelnames: Sequence[str] = ()) -> Counter:
        """Get or create a counter.

        Raises:
            ValueError: bad name/labels, or the name is taken by another type or label set.
        """
        return self._get_or_create(
            Counter, name, labelnames, lambda: Counter(name, help_text, labelnames)
        )

    def gauge(self, name: str, help_text: str, labelnames: Sequence[str] = ()) -> Gauge:
        """Get or create a gauge.

        Raises:
            ValueError: bad name/labels, or the name is taken by another type or label set.
        """
        return self._get_or_create(
            Gauge, name, labelnames, lambda: Gauge(name, help_text, labelnames)
        )

    def histogram(
        self,
        name: str,
        help_text: str,
        labelnames: Sequence[str] = (),
        window: int = DEFAULT_WINDOW,
    ) -> Histogram:
        """Get or create a histogram keeping the last ``window`` observations per series.

        Raises:
            ValueError: bad name/labels, or the name is taken by another type or label set.
        """
        return self._get_or_create(
            Histogram, name, labelnames, lambda: Histogram(name, help_text, labelnames, window)
        )

    def get(self, name: str) -> Metric | None:
        """The family registered under ``name``, if any."""
        with self._lock:
            return self._metrics.get(name)

    def metrics(self) -> list[Metric]:
        """Every family, sorted by name."""
        with self._lock:
            return [self._metrics[name] for name in sorted(self._metrics)]

    def unregister(self, name: str) -> None:
        """Forget a family (unknown names are ignored)."""
        with self._lock:
            self._metrics.pop(name, None)

    def render_prometheus(self) -> str:
        """Every family in the Prometheus text exposition format (version 0.0.4)."""
        return render_families(self.metrics())

    def _get_or_create(
        self,
        kind: type[MetricT],
        name: str,
        labelnames: Sequence[str],
        create: Callable[[], MetricT],
    ) -> MetricT:
        with self._lock:
            existing = self._metrics.get(name)
            if existing is None:
                metric = create()
                self._metrics[name] = metric
                return metric
        if isinstance(existing, kind) and existing.labelnames == tuple(labelnames):
            return existing
        raise ValueError(
            f"metric {name} is already registered as a {existing.kind} with labels "
            f"{existing.labelnames}"
        )


_DEFAULT_REGISTRY = MetricsRegistry()


def default_registry() -> MetricsRegistry:
    """The process-wide registry the app's modules record into."""
    return _DEFAULT_REGISTRY


def render_prometheus(registry: MetricsRegistry | None = None) -> str:
    """Render a registry (the default one when omitted) in the Prometheus text format.

    Args:
        registry: the registry to render.

    Returns:
        The exposition text, ending with a newline (empty when nothing is registered).
    """
    return (registry or _DEFAULT_REGISTRY).render_prometheus()


def render_families(metrics: Iterable[Metric]) -> str:
    """Prometheus text format (0.0.4) for ``metrics``: HELP, TYPE and one line per sample."""
    lines: list[str] = []
    for metric in metrics:
        lines.append(f"# HELP {metric.name} {_escape_help(metric.help)}")
        lines.append(f"# TYPE {metric.name} {metric.kind}")
        if isinstance(metric, Histogram):
            for labels, series in metric.series():
                snap = series.snapshot()
                for q, value in zip(QUANTILES, (snap.p50, snap.p95, snap.p99), strict=True):
                    quantile_labels = {**labels, "quantile": _format_value(q)}
                    lines.append(_sample(metric.name, quantile_labels, value))
                lines.append(_sample(f"{metric.name}_sum", labels, snap.sum))
                lines.append(_sample(f"{metric.name}_count", labels, float(snap.count)))
        else:
            for labels, plain in metric.series():
                lines.append(_sample(metric.name, labels, plain.value))
    return "\n".join(lines) + "\n" if lines else ""


def _sample(name: str, labels: dict[str, str], value: float) -> str:
    if not labels:
        return f"{name} {_format_value(value)}"
    rendered = ",".join(f'{key}="{_escape_label(item)}"' for key, item in labels.items())
    return f"{name}{{{rendered}}} {_format_value(value)}"


def _format_value(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _escape_label(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
