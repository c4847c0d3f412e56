"""Progress reports of long research jobs: done/total, elapsed time and an ETA."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a job is: ``done`` of ``total`` units, seconds elapsed and the estimated rest."""

    label: str
    done: int
    total: int
    elapsed_s: float
    eta_s: float | None

    @property
    def fraction(self) -> float:
        """Share done, 0..1."""
        return self.done / self.total if self.total else 1.0


ProgressFn = Callable[[Progress], None]


class ProgressClock:
    """Turns "n more units done" into :class:`Progress` reports for a callback.

    Args:
        label: what is running, e.g. ``"optimize"``.
        total: units of work.
        callback: receives each report (None: reports are dropped).
    """

    def __init__(self, label: str, total: int, callback: ProgressFn | None) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self._callback = callback
        self._started = time.monotonic()

    def advance(self, units: int) -> None:
        """Record ``units`` more finished and report."""
        self.done += units
        if self._callback is None:
            return
        elapsed = time.monotonic() - self._started
        eta = None
        if self.done:
            eta = elapsed / self.done * max(self.total - self.done, 0)
        self._callback(Progress(self.label, self.done, self.total, elapsed, eta))


def progress_bar(report: Progress, width: int = 30) -> str:
    """One-line text bar, e.g. ``optimize [#####.....] 50.0 % 5/10 ETA 3 s``."""
    filled = int(report.fraction * width)
    eta = "" if report.eta_s is None else f" ETA {report.eta_s:,.0f} s"
    return (
        f"{report.label} [{'#' * filled}{'.' * (width - filled)}] "
        f"{report.fraction * 100:5.1f} % {report.done:,}/{report.total:,}{eta}"
    )
