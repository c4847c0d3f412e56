"""Where research work runs: in-process, a local process pool, or a Dask cluster.

Every job is "apply ``fn(state, item)`` to each item", where ``state = setup(shared)`` is built
once per worker from a shared payload (the candles and settings) - never once per task. The
local pool ships the payload once per worker through its initializer; Dask scatters it once to
every worker (``broadcast=True``). Results come back in the items' order whatever the backend,
so a seeded job gives identical results locally and on a cluster.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from app.core.errors import BacktestError
from app.research.progress import ProgressClock, ProgressFn

logger = logging.getLogger(__name__)

SetupFn = Callable[[Any], Any]
TaskFn = Callable[[Any, Any], Any]

_state_lock = threading.Lock()
_worker_states: dict[str, Any] = {}


@dataclass(frozen=True, slots=True)
class _Job:
    """One :meth:`Backend.map` call: the task, its items, the progress clock and cancel flag."""

    setup: SetupFn
    fn: TaskFn
    items: Sequence[Any]
    clock: ProgressClock
    cancel: threading.Event | None

    def cancelled(self) -> bool:
        """True once the cancel flag is set."""
        return self.cancel is not None and self.cancel.is_set()


class Backend(ABC):
    """Runs ``fn(state, item)`` for every item; ``state = setup(shared)`` once per worker.

    The workers keep the state of the last payload; :meth:`map` builds it again only when
    :func:`same_payload` says the payload changed.
    """

    _shared: Any = None
    """``(setup, shared)`` of the state the workers hold; None before the first map."""

    @property
    @abstractmethod
    def workers(self) -> int:
        """Parallel workers available."""

    def map(
        self,
        setup: SetupFn,
        shared: Any,
        fn: TaskFn,
        items: Sequence[Any],
        *,
        progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
        label: str = "",
    ) -> list[Any] | None:
        """Results in the order of ``items``, or None when ``cancel`` was set first."""
        if self._shared is None or not same_payload((setup, shared), self._shared):
            self._load(setup, shared)
            self._shared = (setup, shared)
        return self._run(_Job(setup, fn, items, ProgressClock(label, len(items), progress), cancel))

    @abstractmethod
    def _load(self, setup: SetupFn, shared: Any) -> None:
        """Give the workers ``setup(shared)`` as their state, replacing the one they hold."""

    @abstractmethod
    def _run(self, job: _Job) -> list[Any] | None:
        """Apply the job's task to its items with the workers' state; None when cancelled."""

    @abstractmethod
    def close(self) -> None:
        """Release the workers."""


def _run_batch(token: str, setup: SetupFn, shared: Any, fn: TaskFn, batch: list[Any]) -> list[Any]:
    """Apply ``fn`` to a batch with this worker's state for ``token`` (built on first use)."""
    with _state_lock:
        state = _worker_states.get(token)
        if state is None:
            _worker_states.clear()
            state = setup(shared)
            _worker_states[token] = state
    return [fn(state, item) for item in batch]


def _init_worker(token: str, setup: SetupFn, shared: Any) -> None:
    _worker_states[token] = setup(shared)


def _pool_batch(token: str, fn: TaskFn, batch: list[Any]) -> list[Any]:
    return [fn(_worker_states[token], item) for item in batch]


def same_payload(first: Any, second: Any) -> bool:
    """True when two shared payloads are the same data: identical arrays/frames, equal rest.

    Tuples compare item by item, so ``(candles, settings)`` built twice from the same frame and
    equal settings reuse the workers' state instead of shipping the candles again.
    """
    if first is second:
        return True
    if isinstance(first, tuple) and isinstance(second, tuple):
        return len(first) == len(second) and all(
            same_payload(a, b) for a, b in zip(first, second, strict=True)
        )
    if type(first) is not type(second) or hasattr(first, "shape"):
        return False
    try:
        return bool(first == second)
    except (TypeError, ValueError):
        return False


def batches(items: Sequence[Any], workers: int) -> list[list[Any]]:
    """Split ``items`` into contiguous batches: about 8 per worker, at most 64 items each."""
    size = max(1, min(64, len(items) // max(1, workers * 8)))
    return [list(items[start : start + size]) for start in range(0, len(items), size)]


class InlineBackend(Backend):
    """Runs everything in the calling thread (tests, tiny jobs, one-core machines)."""

    workers = 1

    def __init__(self) -> None:
        self._state: Any = None

    def _load(self, setup: SetupFn, shared: Any) -> None:
        self._state = setup(shared)

    def _run(self, job: _Job) -> list[Any] | None:
        results = []
        for item in job.items:
            if job.cancelled():
                return None
            results.append(job.fn(self._state, item))
            job.clock.advance(1)
        return results

    def close(self) -> None:
        """Drop the cached state."""
        self._state = None
        self._shared = None


class LocalBackend(Backend):
    """A pool of worker processes on this machine (spawned: safe next to threads and Qt).

    Args:
        workers: processes (default: every core).
    """

    def __init__(self, workers: int | None = None) -> None:
        self._workers = max(1, workers or multiprocessing.cpu_count())
        self._pool: ProcessPoolExecutor | None = None
        self._token = ""

    @property
    def workers(self) -> int:
        """Worker processes."""
        return self._workers

    def _load(self, setup: SetupFn, shared: Any) -> None:
        self.close()
        self._token = uuid.uuid4().hex
        self._pool = ProcessPoolExecutor(
            max_workers=self._workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(self._token, setup, shared),
        )

    def _run(self, job: _Job) -> list[Any] | None:
        pool = self._pool
        assert pool is not None  # map loads the pool first
        chunks = batches(job.items, self._workers)
        futures = [pool.submit(_pool_batch, self._token, job.fn, chunk) for chunk in chunks]
        return _collect(futures, [len(chunk) for chunk in chunks], job)

    def close(self) -> None:
        """Shut the worker processes down."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            self._shared = None

    def __enter__(self) -> LocalBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DaskBackend(Backend):
    """Runs the work on a Dask distributed cluster.

    Args:
        address: the scheduler, e.g. ``"tcp://10.0.0.5:8786"``; or pass ``client``.
        client: an existing ``distributed.Client`` (not closed by :meth:`close`).
        connect_timeout: seconds to wait for the scheduler.

    Raises:
        BacktestError: the ``distributed`` package is missing or the scheduler is unreachable.
    """

    def __init__(
        self, address: str | None = None, *, client: Any = None, connect_timeout: float = 10.0
    ) -> None:
        try:
            import distributed
        except ImportError as exc:
            raise BacktestError(
                "--cluster needs the Dask 'distributed' package; install the research extras "
                "(pip install 'cryptobot[research]') or run without --cluster"
            ) from exc
        self._owns_client = client is None
        if client is None:
            try:
                client = distributed.Client(address, timeout=connect_timeout)  # type: ignore[no-untyped-call]
            except (OSError, TimeoutError) as exc:
                raise BacktestError(
                    f"--cluster {address}: cannot reach the Dask scheduler ({exc}); check the "
                    "address and that `dask scheduler` runs there"
                ) from exc
        self._client = client
        self._shared_future: Any = None
        self._token = ""

    @property
    def workers(self) -> int:
        """Worker threads in the cluster (at least 1)."""
        info = self._client.scheduler_info()
        threads = sum(int(worker.get("nthreads", 1)) for worker in info["workers"].values())
        return max(1, threads)

    def _load(self, setup: SetupFn, shared: Any) -> None:
        self._token = uuid.uuid4().hex
        self._shared_future = self._client.scatter(shared, broadcast=True, hash=False)

    def _run(self, job: _Job) -> list[Any] | None:
        chunks = batches(job.items, self.workers)
        futures = [
            self._client.submit(
                _run_batch, self._token, job.setup, self._shared_future, job.fn, chunk, pure=False
            )
            for chunk in chunks
        ]
        return _collect(futures, [len(chunk) for chunk in chunks], job)

    def close(self) -> None:
        """Release the scattered data; close the client if this backend opened it."""
        self._shared = None
        self._shared_future = None
        if self._owns_client:
            self._client.close()


def _collect(futures: Sequence[Any], sizes: Sequence[int], job: _Job) -> list[Any] | None:
    """Wait for the futures (concurrent or Dask), reporting progress; None when cancelled."""
    clock = job.clock
    size_of = {id(future): size for future, size in zip(futures, sizes, strict=True)}
    pending = set(futures)
    while pending:
        if job.cancelled():
            for future in pending:
                future.cancel()
            logger.info("%s cancelled with %d of %d done", clock.label, clock.done, clock.total)
            return None
        finished = _wait_some(pending)
        for future in finished:
            pending.discard(future)
            clock.advance(size_of[id(future)])
    results: list[Any] = []
    for future in futures:
        results.extend(future.result())
    return results


def _wait_some(pending: set[Any]) -> set[Any]:
    """The futures among ``pending`` that finish within 0.2 s (cancel is polled in between)."""
    sample = next(iter(pending))
    if isinstance(sample, Future):
        done, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
        return set(done)
    from distributed import wait as dask_wait

    try:
        done, _ = dask_wait(  # type: ignore[no-untyped-call]
            list(pending), timeout=0.2, return_when="FIRST_COMPLETED"
        )
    except TimeoutError:
        return set()
    return set(done)
