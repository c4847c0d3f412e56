"""UI responsiveness: event-loop lag while the engine streams 10,000 events/s, and start-up time.

Lag: the real main window (offscreen, 1600x1000) on a real offline engine; a producer thread puts
10,000 events/s into the engine's coalescing queue (70 % tickers over 20 symbols, 20 % order
updates over 500 orders, 5 % forming-candle updates, 4 % equity, 1 % fills), the bridge drains
it at ~30 Hz into the panels. A 5 ms precise QTimer probe records how late each tick fires
(scheduling delay); p50/p99 over STREAM_SECONDS. Anchor: the same probe on the same window with
no events, measured just before.

Start-up: ``app.main.main(["--smoke"])`` in a fresh interpreter (offscreen) prints the time from
entering ``main`` to the shown main window, and to the engine attached (it is built on a worker
thread meanwhile); medians of STARTUP_RUNS after one warm-up run (which creates and migrates the
databases). Anchor: a bare ``QApplication`` + ``QMainWindow.show()`` in
a fresh interpreter, timed the same way (the Qt floor on this machine, same load).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

from tests.benchmarks.runner import Report

EVENTS_PER_SECOND = 10_000
STREAM_SECONDS = 5.0
PROBE_MS = 5
STARTUP_RUNS = 3
REPO = Path(__file__).resolve().parents[2]


def run(report: Report) -> None:
    """Measure the lag under load (with its idle anchor) and the start-up time."""
    previous = os.environ.get("CRYPTOBOT_HOME")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as home:
        os.environ["CRYPTOBOT_HOME"] = home
        try:
            _lag(report)
            _startup(report, Path(home) / "startup")
        finally:
            if previous is None:
                os.environ.pop("CRYPTOBOT_HOME", None)
            else:
                os.environ["CRYPTOBOT_HOME"] = previous


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _probe(app: object, seconds: float) -> list[float]:
    from PySide6.QtCore import QElapsedTimer, Qt, QTimer

    lags: list[float] = []
    clock = QElapsedTimer()
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(PROBE_MS)
    last = [0.0]

    def tick() -> None:
        now = clock.nsecsElapsed() / 1e6
        if last[0]:
            lags.append(max(0.0, now - last[0] - PROBE_MS))
        last[0] = now

    timer.timeout.connect(tick)
    clock.start()
    timer.start()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.0005)
    timer.stop()
    return lags


def _lag(report: Report) -> None:
    from PySide6.QtWidgets import QApplication

    from app.config.paths import resolve_paths
    from app.config.schema import Settings
    from app.engine.builder import build_engine
    from app.strategies.registry import default_registry
    from app.ui.app import configure_qsettings, create_application
    from app.ui.main_window import MainWindow

    app = create_application()
    paths = resolve_paths()
    paths.ensure()
    configure_qsettings(paths)
    settings = Settings()
    facade = build_engine(settings, paths)
    window = MainWindow(facade, settings=settings, paths=paths, registry=default_registry())
    window.resize(1600, 1000)
    window.show()
    try:
        QApplication.processEvents()
        idle = _probe(app, 2.0)
        stop = threading.Event()
        sent = [0]
        producer = threading.Thread(target=_produce, args=(facade.events, stop, sent))
        producer.start()
        busy = _probe(app, STREAM_SECONDS)
        stop.set()
        producer.join()
        rate = sent[0] / STREAM_SECONDS
    finally:
        window.close()
        facade.shutdown()
    idle_p99 = _percentile(idle, 0.99)
    report.figure(
        "event-loop lag p99, 10k events/s",
        _percentile(busy, 0.99),
        "ms",
        goal=30,
        anchor=idle_p99,
        note=f"{rate:,.0f} events/s sent; anchor: same window, no events",
    )
    report.figure(
        "event-loop lag p50, 10k events/s",
        statistics.median(busy),
        "ms",
        anchor=statistics.median(idle),
        note=f"{window.bridge.events_handled:,} events reached the panels (after coalescing)",
    )


def _produce(queue: object, stop: threading.Event, sent: list[int]) -> None:
    from app.core.enums import OrderStatus, OrderType, Side
    from app.core.events import (
        CandleUpdated,
        EquityUpdated,
        FillReceived,
        OrderUpdated,
        TickerUpdated,
    )
    from app.core.models import Candle, Fill, Order

    put = queue.put  # type: ignore[attr-defined]
    symbols = [f"C{n}/USDT" for n in range(20)]
    orders = [
        Order(f"o{n}", "BTC/USDT", Side.BUY, OrderType.LIMIT, Decimal("0.5"), Decimal("19000"),
              status=OrderStatus.OPEN)
        for n in range(500)
    ]  # fmt: skip
    equity = Decimal("10000")
    batch = 100
    interval = batch / EVENTS_PER_SECOND
    started = time.perf_counter()
    number = 0
    while not stop.is_set():
        for _ in range(batch):
            number += 1
            kind = number % 100
            now = number
            if kind < 70:
                put(TickerUpdated(timestamp=now, exchange="x", symbol=symbols[number % 20],
                                  last=Decimal(19000 + number % 50)))  # fmt: skip
            elif kind < 90:
                order = orders[number % 500]
                put(OrderUpdated(timestamp=now, order=order.with_changes(updated_at=now)))
            elif kind < 95:
                candle = Candle(1_600_000_000_000, 19000.0, 19100.0, 18900.0, 19050.0, 1.0)
                put(CandleUpdated(timestamp=now, exchange="x", symbol="BTC/USDT",
                                  timeframe="1h", candle=candle))  # fmt: skip
            elif kind < 99:
                put(EquityUpdated(timestamp=now, equity=equity, realised_pnl=Decimal(0),
                                  unrealised_pnl=Decimal(0), daily_pnl=Decimal(0),
                                  drawdown_pct=Decimal(0)))  # fmt: skip
            else:
                put(FillReceived(timestamp=now, fill=Fill(
                    f"t{number}", "o1", "BTC/USDT", Side.BUY, Decimal("19000"), Decimal("0.01"),
                    Decimal("0.019"), "USDT", now)))  # fmt: skip
        sent[0] += batch
        delay = started + sent[0] / EVENTS_PER_SECOND - time.perf_counter()
        if delay > 0:
            time.sleep(min(delay, interval))


def _run_output(home: Path, code: str) -> str:
    env = {**os.environ, "CRYPTOBOT_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=180, check=True,
    )  # fmt: skip
    return result.stdout


def _timed_run(home: Path, code: str) -> float:
    return _reported_ms(_run_output(home, code), "window shown in")


def _reported_ms(output: str, marker: str) -> float:
    line = next(row for row in output.splitlines() if marker in row)
    return float(line.rsplit(marker, 1)[1].split()[0])


_MAIN = "import sys; from app.main import main; sys.exit(main(['--smoke']))"
_BARE = (
    "import time; t = time.perf_counter()\n"
    "from PySide6.QtWidgets import QApplication, QMainWindow\n"
    "app = QApplication([]); w = QMainWindow(); w.resize(1600, 1000); w.show()\n"
    "app.processEvents()\n"
    "print(f'bare window shown in {(time.perf_counter() - t) * 1000:.0f} ms')\n"
)


def _startup(report: Report, home: Path) -> None:
    _timed_run(home, _MAIN)  # warm-up: creates and migrates the databases
    app_times, ready_times, bare_times = [], [], []
    for _ in range(STARTUP_RUNS):
        bare_times.append(_timed_run(home, _BARE))
        output = _run_output(home, _MAIN)
        app_times.append(_reported_ms(output, "window shown in"))
        ready_times.append(_reported_ms(output, "engine ready in"))
    report.figure(
        "start-up to shown main window",
        statistics.median(app_times) / 1000,
        "s",
        goal=2,
        anchor=statistics.median(bare_times) / 1000,
        note=f"median of {STARTUP_RUNS}, fresh interpreter; anchor: bare QMainWindow",
    )
    report.figure(
        "start-up to engine attached",
        statistics.median(ready_times) / 1000,
        "s",
        note="engine built on a worker thread while the window shows (database, ccxt imports)",
    )
