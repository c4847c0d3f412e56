"""Log viewer on a 100 MB JSON-lines log: first rows, full read, filter, and UI-thread stalls.

The log is generated in the app's JSON layout (ts, ts_ms, level, component, message,
correlation_id, thread, extras), about 400,000 records. A real LogViewerPanel (offscreen) opens
it; a 5 ms QTimer on the UI thread records the longest gap between its ticks while the file is
read, which is the longest time the window could not repaint or react. Each figure is one run
(a 100 MB read is too long to repeat on a shared machine); the machine's load shows in them.

Anchor, same file, same run: the naive viewer, which reads and parses every line on the UI
thread before showing anything (``[json.loads(line) for line in file]``); its whole duration is
a UI stall.
"""

from __future__ import annotations

import json
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.runner import Report

TARGET_BYTES = 100 * 1024 * 1024
TICK_MS = 5
COMPONENTS = (
    "app.engine.executor",
    "app.engine.market_data",
    "app.exchange.ccxt_adapter",
    "app.risk.manager",
    "app.ui.bridge",
)
LEVELS = ("DEBUG", "INFO", "INFO", "INFO", "WARNING", "ERROR")


def write_log(path: Path, target_bytes: int = TARGET_BYTES) -> int:
    """Write a JSON-lines log of about ``target_bytes``; returns the number of records."""
    rng = random.Random(7)
    start_ms = 1_767_225_600_000
    written = 0
    count = 0
    with path.open("w", encoding="utf-8") as out:
        while written < target_bytes:
            lines = []
            for _ in range(10_000):
                ts_ms = start_ms + count * 250
                seconds, millis = divmod(ts_ms, 1000)
                stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
                record = {
                    "ts": f"{stamp}.{millis:03d}Z",
                    "ts_ms": ts_ms,
                    "level": rng.choice(LEVELS),
                    "component": rng.choice(COMPONENTS),
                    "message": f"order cb-{count:08d} update: filled {rng.randint(1, 99)} %",
                    "correlation_id": f"cb-{count // 12:08d}",
                    "thread": "engine",
                    "symbol": "BTC/USDT",
                    "qty": "0.01",
                    "price": f"{rng.uniform(20_000, 60_000):.2f}",
                }
                lines.append(json.dumps(record))
                count += 1
            chunk = "\n".join(lines) + "\n"
            out.write(chunk)
            written += len(chunk)
    return count


class StallMeter:
    """Longest gap between ticks of a fast UI-thread timer."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.longest = 0.0
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        """Start measuring from now."""
        self.longest = 0.0
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> float:
        """Stop and return the longest gap in ms (minus the tick interval)."""
        self.timer.stop()
        return max(0.0, self.longest * 1000 - TICK_MS)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self._last)
        self._last = now


def _wait(app: Any, condition: Any, timeout: float = 120.0) -> float:
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > timeout:
            raise TimeoutError("the log viewer did not finish in time")
        app.processEvents()
        time.sleep(0.001)
    return time.perf_counter() - started


def run(report: Report) -> None:
    """Measure the viewer on a generated 100 MB log."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.ui.log_reader import LEVELS as LEVEL_NUMBERS
    from app.ui.panels.log_viewer import LogViewerPanel

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        log_dir = Path(folder)
        records = write_log(log_dir / "cryptobot.jsonl")
        size_mb = (log_dir / "cryptobot.jsonl").stat().st_size / 1024 / 1024

        meter = StallMeter()
        finished: list[int] = []
        meter.start()
        started = time.perf_counter()
        panel = LogViewerPanel(log_dir)
        panel.scan_finished.connect(finished.append)
        panel.resize(1280, 700)
        panel.show()
        _wait(app, lambda: panel.model.rowCount() > 0)
        first_rows = time.perf_counter() - started
        _wait(app, lambda: bool(finished))
        full = time.perf_counter() - started
        open_stall = meter.stop()
        assert finished[0] == records, (finished, records)

        finished.clear()
        meter.start()
        filter_started = time.perf_counter()
        panel.level_box.setCurrentIndex(panel.level_box.findData(LEVEL_NUMBERS["WARNING"]))
        panel.apply_filter()
        _wait(app, lambda: bool(finished))
        filter_seconds = time.perf_counter() - filter_started
        filter_stall = meter.stop()

        finished.clear()
        meter.start()
        story_started = time.perf_counter()
        panel.clear_filters()
        panel.correlation_edit.setText("cb-00012345")
        panel.apply_filter()
        _wait(app, lambda: bool(finished))
        story_seconds = time.perf_counter() - story_started
        story_stall = meter.stop()
        panel.close()

        naive_started = time.perf_counter()
        with (log_dir / "cryptobot.jsonl").open(encoding="utf-8") as handle:
            parsed = [json.loads(line) for line in handle]
        naive = time.perf_counter() - naive_started
        assert len(parsed) == records

    note = f"{size_mb:.0f} MB, {records:,} records"
    report.figure("time to first rows shown", first_rows * 1000, "ms", goal=500, note=note)
    report.figure(
        "time to read the whole file (no filter)",
        full,
        "s",
        anchor=naive,
        note="anchor: naive json.loads of every line on the UI thread",
    )
    report.figure(
        "longest UI-thread stall while opening",
        open_stall,
        "ms",
        goal=100,
        anchor=naive * 1000,
        note="includes building and first paint of the panel; anchor: the naive viewer's read",
    )
    report.figure("filter level >= WARNING over the file", filter_seconds, "s", note=note)
    report.figure("longest UI-thread stall while filtering", filter_stall, "ms", goal=100)
    report.figure("one order's story (correlation id) over the file", story_seconds, "s")
    report.figure("longest UI-thread stall during the story search", story_stall, "ms", goal=100)
