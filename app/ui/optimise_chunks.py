"""Partial results of an optimisation: scores sent in chunks as they finish (no Qt).

:func:`app.research.optimize.optimize` hands back nothing of a grid or random search that is
cancelled, so the worker gives it a :class:`ChunkedBackend`: every batch of parameter sets is
scored in chunks, and each finished chunk is passed on (to the UI) at once. Cancelled, the UI
ranks what arrived with :func:`partial_result`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any

from app.research.backends import Backend, SetupFn
from app.research.evaluator import Score
from app.research.objectives import objective_value
from app.research.optimize import OptimizationResult, RankedScore
from app.research.progress import Progress

#: Chunks a batch is cut into (more: finer partial results, less parallel overlap).
CHUNKS = 20
#: Smallest chunk per scoring process, so every process gets work in each chunk.
MIN_CHUNK_PER_WORKER = 2

ChunkFn = Callable[[list[Score]], None]


def chunk_size(items: int, workers: int) -> int:
    """Parameter sets per chunk: about ``items / CHUNKS``, at least two per worker."""
    return max(MIN_CHUNK_PER_WORKER * max(1, workers), math.ceil(items / CHUNKS))


class ChunkedBackend(Backend):
    """Runs each map on ``inner`` chunk by chunk and hands every finished chunk to ``on_chunk``.

    The inner backend keeps its workers and their state between chunks (same payload), so
    chunking costs only the wait at each chunk's end.

    Args:
        inner: the backend that does the work (closed by :meth:`close`).
        on_chunk: receives the scores of each finished chunk, in order.
    """

    def __init__(self, inner: Backend, on_chunk: ChunkFn) -> None:
        self._inner = inner
        self._on_chunk = on_chunk
        self._payload: Any = None

    @property
    def workers(self) -> int:
        """The inner backend's workers."""
        return self._inner.workers

    def _load(self, setup: SetupFn, shared: Any) -> None:
        self._payload = shared

    def _run(self, job: Any) -> list[Any] | None:
        items: Sequence[Any] = job.items
        size = chunk_size(len(items), self.workers)
        results: list[Any] = []
        for start in range(0, len(items), size):
            reported = 0

            def advance(report: Progress) -> None:
                nonlocal reported
                job.clock.advance(report.done - reported)
                reported = report.done

            found = self._inner.map(
                job.setup,
                self._payload,
                job.fn,
                items[start : start + size],
                progress=advance,
                cancel=job.cancel,
                label=job.clock.label,
            )
            if found is None:
                return None
            results.extend(found)
            self._on_chunk(list(found))
        return results

    def close(self) -> None:
        """Close the inner backend."""
        self._inner.close()
        self._payload = None
        self._shared = None


def partial_result(
    frame: OptimizationResult, scores: Sequence[Score], elapsed_s: float
) -> OptimizationResult:
    """The cancelled search's result: ``scores`` (in arrival order) ranked as optimize() would.

    Args:
        frame: the search's settings and labels, without rows.
        scores: the parameter sets scored before the cancel.
        elapsed_s: seconds the search ran.
    """
    rows = tuple(
        RankedScore(index, score, objective_value(score, frame.objective, frame.min_trades))
        for index, score in enumerate(scores)
    )
    return dataclasses.replace(frame, rows=rows, elapsed_s=elapsed_s, cancelled=True)
