"""Supervised workers: a crashing worker is logged, surfaced and restarted with backoff.

A worker is an ``async`` function that runs until cancelled. If it raises, the supervisor logs the
traceback, publishes :class:`~app.core.events.WorkerHealthChanged` with the error, waits
(exponential backoff, reset after a stable run) and starts it again. Nothing is silently lost:
the health snapshot always says which workers run, back off or stopped, and why.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from app.core.events import Event, WorkerHealthChanged
from app.core.time import now_ms

logger = logging.getLogger(__name__)

WorkerFactory = Callable[[], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class WorkerHealth:
    """Health of one supervised worker."""

    name: str
    status: str  # running | backoff | finished | stopped
    restarts: int = 0
    last_error: str | None = None
    started_at: int = 0


class Supervisor:
    """Runs named workers on the current event loop and restarts them when they crash."""

    def __init__(
        self,
        publish: Callable[[Event], None],
        *,
        base_delay: float = 0.5,
        max_delay: float = 30.0,
        stable_after: float = 60.0,
        clock: Callable[[], int] = now_ms,
    ) -> None:
        self._publish = publish
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._stable_after_ms = int(stable_after * 1000)
        self._clock = clock
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._health: dict[str, WorkerHealth] = {}

    def start(self, name: str, factory: WorkerFactory) -> None:
        """Start supervising ``factory`` under ``name`` (must be called on the engine loop)."""
        if name in self._tasks and not self._tasks[name].done():
            raise ValueError(f"worker {name!r} is already running")
        self._health[name] = WorkerHealth(name, "running", started_at=self._clock())
        self._tasks[name] = asyncio.get_running_loop().create_task(
            self._supervise(name, factory), name=f"worker:{name}"
        )

    async def _supervise(self, name: str, factory: WorkerFactory) -> None:
        failures_in_a_row = 0
        while True:
            started = self._clock()
            self._set(name, status="running", started_at=started)
            try:
                await factory()
            except asyncio.CancelledError:
                self._set(name, status="stopped")
                raise
            except Exception as exc:
                if self._clock() - started >= self._stable_after_ms:
                    failures_in_a_row = 0
                failures_in_a_row += 1
                delay = min(self._max_delay, self._base_delay * 2 ** (failures_in_a_row - 1))
                error = f"{type(exc).__name__}: {exc}"
                logger.exception(
                    "worker %s crashed; restarting in %.1f s", name, delay, extra={"worker": name}
                )
                health = self._set(
                    name,
                    status="backoff",
                    restarts=self._health[name].restarts + 1,
                    last_error=error,
                )
                await asyncio.sleep(delay)
                logger.info("restarting worker %s (restart %d)", name, health.restarts)
                continue
            self._set(name, status="finished")
            return

    def _set(self, name: str, **changes: object) -> WorkerHealth:
        health = replace(self._health[name], **changes)  # type: ignore[arg-type]
        self._health[name] = health
        self._publish(
            WorkerHealthChanged(
                timestamp=self._clock(),
                worker=name,
                status=health.status,
                restarts=health.restarts,
                error=health.last_error,
            )
        )
        return health

    async def stop(self, name: str) -> None:
        """Cancel one worker and wait for it to finish."""
        task = self._tasks.pop(name, None)
        if task is None:
            return
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    async def stop_all(self) -> None:
        """Cancel every worker and wait for all of them."""
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def health(self) -> dict[str, WorkerHealth]:
        """Snapshot of every worker's health, by name."""
        return dict(self._health)
