"""Read retry: exponential backoff with full jitter, Retry-After, permanent errors not retried."""

from __future__ import annotations

import random

import pytest

from app.core.errors import (
    AuthenticationError,
    ExchangeUnavailable,
    NetworkError,
    RateLimitExceeded,
)
from app.exchange.retry import RetryPolicy, call_with_retry


class FakeSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


class Flaky:
    """Raises the given errors in order, then returns "ok"."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


async def test_temporary_errors_are_retried_until_success() -> None:
    sleep = FakeSleep()
    op = Flaky(NetworkError("reset"), ExchangeUnavailable("503"))
    result = await call_with_retry(
        op, policy=RetryPolicy(attempts=4), description="t", sleep=sleep, rng=random.Random(1)
    )
    assert result == "ok"
    assert op.calls == 3
    assert len(sleep.delays) == 2


async def test_gives_up_after_the_last_attempt_with_the_last_error() -> None:
    sleep = FakeSleep()
    op = Flaky(*(NetworkError(f"n{i}") for i in range(10)))
    with pytest.raises(NetworkError, match="n2"):
        await call_with_retry(op, policy=RetryPolicy(attempts=3), description="t", sleep=sleep)
    assert op.calls == 3
    assert len(sleep.delays) == 2


async def test_permanent_errors_are_never_retried() -> None:
    sleep = FakeSleep()
    op = Flaky(AuthenticationError("bad key"))
    with pytest.raises(AuthenticationError):
        await call_with_retry(op, policy=RetryPolicy(attempts=5), description="t", sleep=sleep)
    assert op.calls == 1
    assert sleep.delays == []


async def test_backoff_is_full_jitter_under_a_doubling_cap() -> None:
    policy = RetryPolicy(attempts=10, base_delay=0.5, max_delay=4.0)
    rng = random.Random(42)
    for index, cap in enumerate([0.5, 1.0, 2.0, 4.0, 4.0, 4.0]):
        draws = [policy.backoff(index, rng) for _ in range(200)]
        assert all(0.0 <= d <= cap for d in draws)
        assert max(draws) > cap * 0.9  # the whole range is used, not a fixed delay


async def test_retry_after_is_a_lower_bound_on_the_wait() -> None:
    sleep = FakeSleep()
    op = Flaky(RateLimitExceeded("429", retry_after=9.0))
    policy = RetryPolicy(attempts=3, base_delay=0.1, max_delay=0.2)
    assert await call_with_retry(op, policy=policy, description="t", sleep=sleep) == "ok"
    assert sleep.delays == [9.0]


async def test_a_wait_longer_than_allowed_propagates_instead_of_blocking() -> None:
    sleep = FakeSleep()
    op = Flaky(RateLimitExceeded("418 banned", retry_after=3600.0))
    policy = RetryPolicy(attempts=3, max_retry_after=60.0)
    with pytest.raises(RateLimitExceeded) as info:
        await call_with_retry(op, policy=policy, description="t", sleep=sleep)
    assert info.value.retry_after == 3600.0
    assert op.calls == 1
    assert sleep.delays == []


def test_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=0)
