"""The optional Prometheus endpoint serves the metrics registry on 127.0.0.1 only."""

from __future__ import annotations

import urllib.request

import pytest

from app.engine.prometheus import MetricsServer
from app.observability.metrics import MetricsRegistry


def test_metrics_endpoint_serves_the_registry_on_loopback() -> None:
    registry = MetricsRegistry()
    registry.counter("cryptobot_test_orders_total", "Orders in the test").inc(3)
    server = MetricsServer(0, registry)
    server.start()
    try:
        assert server.port > 0
        url = f"http://127.0.0.1:{server.port}/metrics"
        with urllib.request.urlopen(url, timeout=5) as response:
            body = response.read().decode()
            assert response.headers["Content-Type"].startswith("text/plain")
        assert "cryptobot_test_orders_total 3" in body
    finally:
        server.stop()
    with pytest.raises(OSError):
        urllib.request.urlopen(url, timeout=2)


def test_an_invalid_port_is_refused_with_the_option_named() -> None:
    with pytest.raises(ValueError, match="--metrics-port"):
        MetricsServer(70_000)
