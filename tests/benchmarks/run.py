"""Run benchmarks: ``python -m tests.benchmarks.run [topic ...] [--list]``.

Discovers ``bench_<topic>.py`` modules next to this file; each defines ``run(report)``. With no
topic every benchmark runs. Prints the figures as a table (values are medians; ratios against
goals and anchors). Exit code 1 when a figure misses its goal, 2 for an unknown topic.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from tests.benchmarks.runner import Report

PREFIX = "bench_"


def available_topics() -> list[str]:
    """Topics of the ``bench_<topic>.py`` modules in this folder, sorted."""
    folder = Path(__file__).resolve().parent
    return sorted(
        info.name.removeprefix(PREFIX)
        for info in pkgutil.iter_modules([str(folder)])
        if info.name.startswith(PREFIX)
    )


def run_topics(topics: Sequence[str]) -> Report:
    """Run the benchmarks of ``topics`` in order and return the combined report."""
    combined = Report()
    for topic in topics:
        module = importlib.import_module(f"{__package__}.{PREFIX}{topic}")
        report = Report(topic=topic)
        print(f"[{topic}]", flush=True)
        started = time.perf_counter()
        module.run(report)
        print(f"[{topic}] done in {time.perf_counter() - started:.1f} s", flush=True)
        combined.figures.extend(report.figures)
    return combined


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    topics = available_topics()
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.run", description=__doc__)
    parser.add_argument("topics", nargs="*", metavar="TOPIC", help=f"any of: {', '.join(topics)}")
    parser.add_argument("--list", action="store_true", help="list the topics and exit")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(topics))
        return 0
    unknown = [name for name in args.topics if name not in topics]
    if unknown:
        print(
            f"unknown benchmark topic(s): {', '.join(unknown)}; available: {', '.join(topics)}",
            file=sys.stderr,
        )
        return 2
    report = run_topics(args.topics or topics)
    print()
    report.print_table()
    return 1 if report.failed_goals else 0


if __name__ == "__main__":
    sys.exit(main())
