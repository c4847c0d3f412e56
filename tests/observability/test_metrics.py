"""Metrics registry: counters, gauges, histograms and the Prometheus text output."""

from __future__ import annotations

import math
import threading
import time

import numpy as np
import pytest

from app.observability.metrics import (
    Counter,
    Histogram,
    MetricsRegistry,
    default_registry,
    render_prometheus,
)
from app.observability.series import quantile_of


@pytest.fixture()
def registry() -> MetricsRegistry:
    return MetricsRegistry()


def test_counter_with_labels_counts_per_series(registry: MetricsRegistry) -> None:
    orders = registry.counter("cryptobot_orders_total", "Orders sent", ("exchange", "side"))
    orders.labels(exchange="binance", side="buy").inc()
    orders.labels(side="buy", exchange="binance").inc(2)
    orders.labels(exchange="kraken", side="sell").inc()
    assert orders.labels(exchange="binance", side="buy").value == 3
    assert orders.labels(exchange="kraken", side="sell").value == 1


def test_counter_never_goes_down(registry: MetricsRegistry) -> None:
    errors = registry.counter("cryptobot_errors_total", "Errors")
    with pytest.raises(ValueError, match="only goes up"):
        errors.inc(-1)
    with pytest.raises(ValueError, match="only goes up"):
        errors.inc(math.nan)
    assert errors.value == 0


def test_labels_must_match_the_declaration(registry: MetricsRegistry) -> None:
    orders = registry.counter("orders_total", "Orders", ("exchange",))
    with pytest.raises(ValueError, match="expected labels"):
        orders.labels(venue="binance")
    with pytest.raises(ValueError, match=r"use \.labels"):
        orders.inc()


def test_gauge_moves_both_ways(registry: MetricsRegistry) -> None:
    depth = registry.gauge("cryptobot_queue_depth", "Events waiting")
    depth.set(5)
    depth.inc()
    depth.dec(3)
    assert depth.value == 3


def test_histogram_quantiles_match_numpy(registry: MetricsRegistry) -> None:
    latency = registry.histogram("latency_seconds", "Round trip")
    values = [0.001 * (i * 37 % 101) for i in range(1, 501)]
    for value in values:
        latency.observe(value)
    snap = latency.snapshot()
    assert snap.count == 500
    assert snap.sum == pytest.approx(sum(values))
    for q, got in ((50, snap.p50), (95, snap.p95), (99, snap.p99)):
        assert got == pytest.approx(float(np.percentile(values, q)))


def test_histogram_window_is_bounded_but_count_is_exact(registry: MetricsRegistry) -> None:
    latency = registry.histogram("window_seconds", "Recent", window=100)
    for _ in range(1000):
        latency.observe(10.0)
    for _ in range(100):
        latency.observe(1.0)  # the window now holds only these
    snap = latency.snapshot()
    assert snap.count == 1100
    assert snap.sum == pytest.approx(10_100.0)
    assert snap.p99 == 1.0


def test_empty_histogram_reports_nan(registry: MetricsRegistry) -> None:
    snap = registry.histogram("idle_seconds", "Idle").snapshot()
    assert snap.count == 0
    assert math.isnan(snap.p50)


def test_quantile_edges() -> None:
    assert quantile_of([1.0, 2.0, 3.0, 4.0], 0.0) == 1.0
    assert quantile_of([1.0, 2.0, 3.0, 4.0], 1.0) == 4.0
    assert quantile_of([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    with pytest.raises(ValueError, match="between 0 and 1"):
        quantile_of([1.0], 1.5)


def test_timer_observes_elapsed_seconds_even_on_error(registry: MetricsRegistry) -> None:
    latency = registry.histogram("step_seconds", "Step")
    with latency.time():
        time.sleep(0.01)
    with pytest.raises(RuntimeError), latency.time():
        raise RuntimeError("failed step")
    snap = latency.snapshot()
    assert snap.count == 2
    assert snap.sum >= 0.01


def test_get_or_create_returns_the_same_family(registry: MetricsRegistry) -> None:
    first = registry.counter("fills_total", "Fills", ("exchange",))
    assert registry.counter("fills_total", "Fills", ("exchange",)) is first
    assert registry.get("fills_total") is first
    with pytest.raises(ValueError, match="already registered as a counter"):
        registry.gauge("fills_total", "Fills")
    with pytest.raises(ValueError, match="already registered"):
        registry.counter("fills_total", "Fills", ("symbol",))
    registry.unregister("fills_total")
    assert registry.get("fills_total") is None


@pytest.mark.parametrize(
    ("name", "labels"),
    [("bad-name", ()), ("1starts_with_digit", ()), ("ok", ("__reserved",)), ("ok", ("quantile",))],
)
def test_invalid_names_are_refused(name: str, labels: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match=r"not allowed|use letters"):
        Counter(name, "x", labels)


def test_render_prometheus_text_format(registry: MetricsRegistry) -> None:
    orders = registry.counter("cryptobot_orders_total", "Orders sent\nper venue", ("exchange",))
    orders.labels(exchange="binance").inc(3)
    orders.labels(exchange='we"ird\\name').inc()
    registry.gauge("cryptobot_equity", "Equity in quote currency").set(10250.5)
    latency = registry.histogram("cryptobot_order_seconds", "Order round trip", ("exchange",))
    for value in (0.1, 0.2, 0.3, 0.4, 0.5):
        latency.labels(exchange="binance").observe(value)
    assert registry.render_prometheus() == (
        "# HELP cryptobot_equity Equity in quote currency\n"
        "# TYPE cryptobot_equity gauge\n"
        "cryptobot_equity 10250.5\n"
        "# HELP cryptobot_order_seconds Order round trip\n"
        "# TYPE cryptobot_order_seconds summary\n"
        'cryptobot_order_seconds{exchange="binance",quantile="0.5"} 0.3\n'
        'cryptobot_order_seconds{exchange="binance",quantile="0.95"} 0.48\n'
        'cryptobot_order_seconds{exchange="binance",quantile="0.99"} 0.496\n'
        'cryptobot_order_seconds_sum{exchange="binance"} 1.5\n'
        'cryptobot_order_seconds_count{exchange="binance"} 5\n'
        "# HELP cryptobot_orders_total Orders sent\\nper venue\n"
        "# TYPE cryptobot_orders_total counter\n"
        'cryptobot_orders_total{exchange="binance"} 3\n'
        'cryptobot_orders_total{exchange="we\\"ird\\\\name"} 1\n'
    )


def test_render_special_values(registry: MetricsRegistry) -> None:
    registry.gauge("g_inf", "x").set(math.inf)
    registry.histogram("h_empty", "x")
    text = registry.render_prometheus()
    assert "g_inf +Inf\n" in text
    assert 'h_empty{quantile="0.5"} NaN\n' in text
    assert "h_empty_count 0\n" in text


def test_empty_registry_renders_nothing(registry: MetricsRegistry) -> None:
    assert registry.render_prometheus() == ""


def test_module_level_render_uses_the_default_registry() -> None:
    name = "cryptobot_test_default_registry_total"
    counter = default_registry().counter(name, "Default registry check")
    try:
        counter.inc()
        assert f"{name} 1\n" in render_prometheus()
        assert render_prometheus(MetricsRegistry()) == ""
    finally:
        default_registry().unregister(name)


def test_concurrent_updates_are_not_lost(registry: MetricsRegistry) -> None:
    ticks = registry.counter("ticks_total", "Ticks", ("symbol",))
    latency: Histogram = registry.histogram("tick_seconds", "Tick", window=10_000)

    def worker(symbol: str) -> None:
        for _ in range(2000):
            ticks.labels(symbol=symbol).inc()
            latency.observe(0.5)

    threads = [threading.Thread(target=worker, args=(s,)) for s in ("BTC/USDT", "ETH/USDT") * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ticks.labels(symbol="BTC/USDT").value == 4000
    assert ticks.labels(symbol="ETH/USDT").value == 4000
    assert latency.snapshot().count == 8000
