"""Run benchmarks: ``python -m tests.benchmarks.run [topic ...] [--list]``.

Discovers ``bench_<topic>.py`` modules next to this file; each defines ``run(report)``. With no
topic every benchmark runs. Prints the figures as a table (values are medians; ratios against
goals and anchors). Exit code 1 when a figure misses its goal or a benchmark raises, 2 for an
unknown topic.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time
import traceback
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


def run_topics(topics: Sequence[str]) -> tuple[Report, list[str]]:
    """Run the benchmarks of ``topics`` in order.

    Returns:
        The combined report and the topics that raised (their traceback is printed; the
        figures they recorded before failing are kept).
    """
    combined = Report()
    failed: list[str] = []
    for topic in topics:
        report = Report(topic=topic)
        print(f"[{topic}]", flush=True)
        started = time.perf_counter()
        try:
            module = importlib.import_module(f"{__package__}.{PREFIX}{topic}")
            module.run(report)
        except Exception:
            traceback.print_exc()
            failed.append(topic)
            print(f"[{topic}] FAILED after {time.perf_counter() - started:.1f} s", flush=True)
        else:
            print(f"[{topic}] done in {time.perf_counter() - started:.1f} s", flush=True)
        combined.figures.extend(report.figures)
    return combined, failed


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
    report, failed = run_topics(args.topics or topics)
    print()
    report.print_table()
    if failed:
        print(f"\nbenchmarks that raised: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed or report.failed_goals else 0


if __name__ == "__main__":
    sys.exit(main())
