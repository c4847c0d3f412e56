"""Benchmark reporting: figures with goals and anchors, medians over repeats, a readable table.

A benchmark module ``tests/benchmarks/bench_<topic>.py`` defines ``run(report: Report) -> None``
and records what it measured with :meth:`Report.figure`. Time things with :func:`median_time`
(several repeats, median quoted) and measure the anchor (the reference you compare against) in
the same run, side by side, so machine load affects both alike.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO


@dataclass(frozen=True, slots=True)
class Figure:
    """One measured value.

    ``goal`` is the target (a ceiling for time-like units, see :attr:`lower_is_better`);
    ``anchor`` is a reference value measured in the same run (e.g. the same job done by a
    baseline library) in the same unit.
    """

    topic: str
    name: str
    value: float
    unit: str
    goal: float | None = None
    anchor: float | None = None
    note: str = ""
    lower_is_better: bool = True

    @property
    def meets_goal(self) -> bool | None:
        """True/False against the goal, None when there is no goal."""
        if self.goal is None:
            return None
        return self.value <= self.goal if self.lower_is_better else self.value >= self.goal

    @property
    def goal_ratio(self) -> float | None:
        """value / goal (<= 1 meets a lower-is-better goal), None without a goal."""
        if self.goal is None or self.goal == 0:
            return None
        return self.value / self.goal

    @property
    def anchor_ratio(self) -> float | None:
        """value / anchor, None without an anchor."""
        if self.anchor is None or self.anchor == 0:
            return None
        return self.value / self.anchor


@dataclass
class Report:
    """Collects the figures of a benchmark run and prints them as a table."""

    topic: str = ""
    figures: list[Figure] = field(default_factory=list)

    def figure(
        self,
        name: str,
        value: float,
        unit: str,
        goal: float | None = None,
        anchor: float | None = None,
        note: str = "",
        *,
        lower_is_better: bool = True,
    ) -> Figure:
        """Record one figure and return it.

        Args:
            name: what was measured ("load 1M candles").
            value: the measured value (quote a median).
            unit: "s", "ms", "rows/s", ...
            goal: target value; a ceiling unless ``lower_is_better`` is False.
            anchor: reference value measured in the same run, same unit.
            note: free text shown next to the figure (method, repeats, anchor description).
            lower_is_better: False for throughput-like figures.
        """
        result = Figure(
            topic=self.topic,
            name=name,
            value=float(value),
            unit=unit,
            goal=None if goal is None else float(goal),
            anchor=None if anchor is None else float(anchor),
            note=note,
            lower_is_better=lower_is_better,
        )
        self.figures.append(result)
        print(f"  {name}: {_number(result.value)} {unit}", flush=True)
        return result

    @property
    def failed_goals(self) -> list[Figure]:
        """Figures that have a goal and miss it."""
        return [item for item in self.figures if item.meets_goal is False]

    def print_table(self, out: TextIO | None = None) -> None:
        """Print every figure with its goal, anchor and ratios."""
        headers = ("topic", "figure", "value", "goal", "vs goal", "anchor", "vs anchor", "note")
        rows = [headers]
        for item in self.figures:
            status = {True: " ok", False: " MISS", None: ""}[item.meets_goal]
            rows.append(
                (
                    item.topic,
                    item.name,
                    f"{_number(item.value)} {item.unit}",
                    "" if item.goal is None else f"{_number(item.goal)} {item.unit}",
                    _ratio(item.goal_ratio) + status,
                    "" if item.anchor is None else f"{_number(item.anchor)} {item.unit}",
                    _ratio(item.anchor_ratio),
                    item.note,
                )
            )
        widths = [max(len(row[col]) for row in rows) for col in range(len(headers))]
        lines = []
        for index, row in enumerate(rows):
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            lines.append("  ".join(cells))
            if index == 0:
                lines.append("  ".join("-" * width for width in widths))
        print("\n".join(line.rstrip() for line in lines), file=out, flush=True)


def median_time(
    action: Callable[[], object],
    repeats: int = 5,
    setup: Callable[[], object] | None = None,
) -> float:
    """Median wall-clock seconds of ``action`` over ``repeats`` runs.

    Args:
        action: the code to time.
        repeats: how many timed runs.
        setup: run (untimed) before each timed run, e.g. to create a fresh database.
    """
    samples = []
    for _ in range(repeats):
        if setup is not None:
            setup()
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}x"
