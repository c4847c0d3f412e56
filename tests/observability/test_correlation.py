"""Correlation ids follow one decision through awaits and stay apart between tasks."""

from __future__ import annotations

import asyncio

from app.observability.correlation import correlation_scope, current_correlation_id


def test_scope_binds_and_restores() -> None:
    assert current_correlation_id() is None
    with correlation_scope("outer") as outer:
        assert outer == "outer"
        with correlation_scope() as inner:
            assert len(inner) == 16
            assert current_correlation_id() == inner
        assert current_correlation_id() == "outer"
    assert current_correlation_id() is None


async def test_id_follows_awaits_and_tasks_are_isolated() -> None:
    seen: dict[str, list[str | None]] = {}

    async def decision(name: str) -> None:
        with correlation_scope(f"cid-{name}"):
            seen[name] = [current_correlation_id()]
            await asyncio.sleep(0)
            seen[name].append(current_correlation_id())
            await asyncio.sleep(0.001)
            seen[name].append(current_correlation_id())

    await asyncio.gather(decision("a"), decision("b"))
    assert seen == {"a": ["cid-a"] * 3, "b": ["cid-b"] * 3}
    assert current_correlation_id() is None
