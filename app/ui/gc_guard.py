"""Python's cyclic garbage collector, run on the GUI thread only.

With automatic collection a cycle can be collected on whichever thread happens to allocate
(the engine thread, a worker), finalising Qt objects off the GUI thread: PySide6 then crashes.
The guard turns automatic collection off and runs the same generational collections from a
GUI-thread timer, using the interpreter's own thresholds.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class GuiThreadGarbageCollector(QObject):
    """Collects garbage generation by generation, on the GUI thread, when thresholds are passed."""

    def __init__(self, parent: QObject, interval_ms: int = 500) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> None:
        """Run the collections the automatic collector would have run by now."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self._thresholds[generation]:
                gc.collect(generation)
                return


def install_gc_guard(app: QObject) -> GuiThreadGarbageCollector:
    """Start the GUI-thread collector once for ``app`` (idempotent)."""
    existing = app.findChild(GuiThreadGarbageCollector)
    if isinstance(existing, GuiThreadGarbageCollector):
        return existing
    return GuiThreadGarbageCollector(app)
