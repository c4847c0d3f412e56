"""Retry policy for exchange READS: exponential backoff with full jitter, honouring Retry-After.

Only :class:`~app.core.errors.TemporaryExchangeError` is retried. Order submission never goes
through here (see ``CcxtExchange.create_order``).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from app.core.errors import RateLimitExceeded, TemporaryExchangeError

logger = logging.getLogger(__name__)

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to wait between attempts of a read request.

    Attributes:
        attempts: total attempts including the first (1 disables retrying).
        base_delay: seconds; the backoff cap doubles from here each attempt.
        max_delay: seconds; upper bound of the backoff cap.
        max_retry_after: seconds; a venue asking to wait longer than this is not retried
            (the error propagates so the worker's supervisor can back off instead).
    """

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 20.0
    max_retry_after: float = 120.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"RetryPolicy.attempts: must be at least 1, got {self.attempts}")
        if self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("RetryPolicy delays: must not be negative")

    def backoff(self, retry_index: int, rng: random.Random) -> float:
        """Full-jitter delay before retry number ``retry_index`` (0-based).

        Args:
            retry_index: 0 for the first retry, 1 for the second, ...
            rng: source of jitter.

        Returns:
            A delay drawn uniformly from [0, min(max_delay, base_delay * 2**retry_index)].
        """
        cap = min(self.max_delay, self.base_delay * (2**retry_index))
        return rng.uniform(0.0, cap)

    def delay_for(
        self, error: TemporaryExchangeError, retry_index: int, rng: random.Random
    ) -> float:
        """Delay before the next attempt after ``error``: backoff, at least the Retry-After.

        Args:
            error: the temporary error the last attempt raised.
            retry_index: 0 for the first retry.
            rng: source of jitter.
        """
        delay = self.backoff(retry_index, rng)
        if isinstance(error, RateLimitExceeded) and error.retry_after is not None:
            delay = max(delay, error.retry_after)
        return delay


NO_RETRY = RetryPolicy(attempts=1)
"""A policy that tries once (tests, and callers that run their own loop)."""


async def call_with_retry(
    operation: Callable[[], Awaitable[T]],
    *,
    policy: RetryPolicy,
    description: str,
    sleep: Sleep = asyncio.sleep,
    rng: random.Random | None = None,
) -> T:
    """Await ``operation()``, retrying temporary exchange errors per ``policy``.

    Args:
        operation: makes one attempt; raises project errors (already mapped).
        policy: attempts and delays.
        description: what is being done, for the log ("binance fetch_ohlcv BTC/USDT").
        sleep: awaitable sleep (injected by tests).
        rng: jitter source (injected by tests).

    Returns:
        The first successful result.

    Raises:
        TemporaryExchangeError: the last attempt's error, or a rate limit asking for a longer
            wait than ``policy.max_retry_after``.
        CryptobotError: any permanent error, immediately.
    """
    jitter = rng if rng is not None else random.Random()  # noqa: S311 - jitter, not crypto
    for attempt in range(policy.attempts - 1):
        try:
            return await operation()
        except TemporaryExchangeError as exc:
            delay = policy.delay_for(exc, attempt, jitter)
            if delay > policy.max_retry_after:
                logger.warning(
                    "%s: exchange asks to wait %.0f s, not retrying now", description, delay
                )
                raise
            logger.warning(
                "%s failed (%s), retry %d/%d in %.2f s",
                description,
                type(exc).__name__,
                attempt + 1,
                policy.attempts - 1,
                delay,
            )
            await sleep(delay)
    return await operation()
