"""Cost of one log record through the app's pipeline, and of metric updates.

The pipeline (correlation stamp, secret redaction, JSON-lines file, ring buffer) is measured
side by side with the anchor: the standard library's rotating file handler with a plain text
formatter, same records, same folder type, same run.
"""

from __future__ import annotations

import logging
import tempfile
from logging.handlers import RotatingFileHandler
from pathlib import Path

from app.observability.logging_config import configure_logging
from app.observability.metrics import MetricsRegistry
from app.observability.redaction import clear_secrets, register_secret
from tests.benchmarks.runner import Report, median_time

RECORDS = 20_000


def _emit(log: logging.Logger) -> None:
    for index in range(RECORDS):
        log.info(
            "order %s filled at %s",
            f"cb-{index}",
            "43000.5",
            extra={"symbol": "BTC/USDT", "qty": "0.01", "request": {"path": "/api/v3/order"}},
        )


def _pipeline_seconds(folder: Path) -> float:
    register_secret("AKIA-benchmark-key-0123456789")
    register_secret("benchmark/secret+value==")
    handle = configure_logging(folder / "app", console=False, max_bytes=50 * 1024 * 1024)
    log = logging.getLogger("bench.pipeline")
    try:
        return median_time(lambda: _emit(log), repeats=3)
    finally:
        handle.close()
        clear_secrets()


def _anchor_seconds(folder: Path) -> float:
    handler = RotatingFileHandler(
        folder / "anchor.log", maxBytes=50 * 1024 * 1024, backupCount=1, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log = logging.getLogger("bench.anchor")
    log.setLevel(logging.INFO)
    log.propagate = False
    log.addHandler(handler)
    try:
        return median_time(lambda: _emit(log), repeats=3)
    finally:
        log.removeHandler(handler)
        handler.close()


def run(report: Report) -> None:
    """Measure the per-record logging cost and metric update costs."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        anchor = _anchor_seconds(folder)
        pipeline = _pipeline_seconds(folder)
    report.figure(
        "log record: redact + JSON file + ring",
        pipeline / RECORDS * 1e6,
        "us",
        goal=100,  # 1,000 records/s would then cost under 10 % of one core
        anchor=anchor / RECORDS * 1e6,
        note=f"median of 3 x {RECORDS} records; anchor = stdlib RotatingFileHandler, text format",
    )

    registry = MetricsRegistry()
    counter = registry.counter("bench_orders_total", "x", ("exchange",))
    histogram = registry.histogram("bench_latency_seconds", "x", ("exchange",))
    updates = 100_000
    inc = median_time(
        lambda: [counter.labels(exchange="binance").inc() for _ in range(updates)], repeats=3
    )
    observe = median_time(
        lambda: [histogram.labels(exchange="binance").observe(0.01) for _ in range(updates)],
        repeats=3,
    )
    report.figure("labelled counter inc", inc / updates * 1e9, "ns", goal=5000, note="median of 3")
    report.figure(
        "labelled histogram observe", observe / updates * 1e9, "ns", goal=5000, note="median of 3"
    )
    for index in range(100):
        histogram.labels(exchange=f"venue{index}").observe(0.02)
    render = median_time(registry.render_prometheus, repeats=5)
    report.figure(
        "render 102 series (1024-sample windows)", render * 1e3, "ms", goal=50, note="median of 5"
    )
