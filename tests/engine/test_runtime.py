"""Engine thread and worker supervision."""

from __future__ import annotations

import asyncio
import threading

import pytest

from app.core.errors import EngineError
from app.core.events import Event, WorkerHealthChanged
from app.engine.runtime import EngineThread
from app.engine.supervisor import Supervisor


def test_engine_thread_runs_coroutines_on_its_own_thread() -> None:
    engine = EngineThread()
    engine.start()
    try:

        async def where() -> str:
            await asyncio.sleep(0)
            return threading.current_thread().name

        assert engine.run(where(), timeout=5) == "cryptobot-engine"
    finally:
        engine.stop()
    assert not engine.is_running
    with pytest.raises(EngineError, match="not running"):
        engine.submit(asyncio.sleep(0))


def test_stop_cancels_pending_tasks() -> None:
    engine = EngineThread()
    engine.start()
    cancelled = threading.Event()
    started = threading.Event()

    async def forever() -> None:
        started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    engine.submit(forever())
    assert started.wait(5)
    engine.stop(timeout=5)
    assert cancelled.wait(1)


async def test_crashing_worker_is_restarted_with_backoff_and_reported() -> None:
    events: list[Event] = []
    supervisor = Supervisor(events.append, base_delay=0.01, max_delay=0.05)
    runs = 0
    done = asyncio.Event()

    async def flaky() -> None:
        nonlocal runs
        runs += 1
        if runs < 3:
            raise ConnectionError(f"lost connection #{runs}")
        done.set()
        await asyncio.sleep(3600)

    supervisor.start("market-data", flaky)
    await asyncio.wait_for(done.wait(), 2)
    health = supervisor.health()["market-data"]
    assert health.status == "running" and health.restarts == 2
    assert health.last_error == "ConnectionError: lost connection #2"
    crashes = [e for e in events if isinstance(e, WorkerHealthChanged) and e.status == "backoff"]
    assert [c.error for c in crashes] == [
        "ConnectionError: lost connection #1",
        "ConnectionError: lost connection #2",
    ]
    await supervisor.stop_all()
    assert supervisor.health()["market-data"].status == "stopped"
