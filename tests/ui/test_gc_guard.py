"""The app collects garbage on the GUI thread only."""

from __future__ import annotations

import gc
import threading

from pytestqt.qtbot import QtBot

from app.config.schema import Theme
from app.ui.app import create_application
from app.ui.gc_guard import GuiThreadGarbageCollector


class _Cycle:
    def __init__(self) -> None:
        self.me = self
        self.collected_on: list[str] = []


def test_cycles_are_collected_by_the_gui_timer_on_the_gui_thread(qtbot: QtBot) -> None:
    app = create_application((), Theme.DARK)
    guard = app.findChild(GuiThreadGarbageCollector)
    assert isinstance(guard, GuiThreadGarbageCollector)
    assert not gc.isenabled()
    threads: list[str] = []

    class Probe(_Cycle):
        def __del__(self) -> None:
            threads.append(threading.current_thread().name)

    def make_garbage() -> None:
        for _ in range(2000):  # enough allocations to pass the generation-0 threshold
            Probe()

    worker = threading.Thread(target=make_garbage, name="engine-like")
    worker.start()
    worker.join()
    assert threads == []  # nothing collected on the worker thread
    qtbot.waitUntil(lambda: len(threads) > 0, timeout=3000)
    assert set(threads) == {"MainThread"}
