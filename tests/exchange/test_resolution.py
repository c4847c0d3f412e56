"""The ambiguous-submission rule: found / never placed / cannot tell."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

import pytest

from app.core.enums import OrderStatus, OrderType, Side
from app.core.errors import (
    AuthenticationError,
    ExchangeUnavailable,
    OrderNotFound,
    OrderOutcomeUnknown,
)
from app.core.models import Order
from app.exchange.resolution import resolve_by_client_id
from tests.exchange.conftest import RecordingSleep

REQUEST = Order("c-1", "BTC/USDT", Side.BUY, OrderType.MARKET, Decimal("0.1"))


def answers(*results: Order | Exception) -> tuple[Callable[[], Awaitable[Order]], list[int]]:
    calls = [0]
    queue = list(results)

    async def lookup() -> Order:
        calls[0] += 1
        result = queue.pop(0)
        if isinstance(result, Exception):
            raise result
        return result

    return lookup, calls


async def resolve(lookup: Callable[[], Awaitable[Order]], sleep: RecordingSleep) -> Order:
    return await resolve_by_client_id(
        REQUEST, TimeoutError("t"), lookup=lookup, lookups=3, delay=0.5, sleep=sleep, venue="x"
    )


async def test_found_on_a_later_lookup(fake_sleep: RecordingSleep) -> None:
    placed = REQUEST.with_changes(status=OrderStatus.OPEN, exchange_order_id="9")
    lookup, calls = answers(OrderNotFound("no"), placed)
    assert await resolve(lookup, fake_sleep) == placed
    assert calls == [2]
    assert fake_sleep.delays == [0.5]


async def test_consistently_unknown_means_never_placed(fake_sleep: RecordingSleep) -> None:
    lookup, calls = answers(*(OrderNotFound("no") for _ in range(3)))
    order = await resolve(lookup, fake_sleep)
    assert order.status is OrderStatus.REJECTED
    assert "never placed" in (order.reason or "")
    assert calls == [3]


@pytest.mark.parametrize(
    "results",
    [
        (OrderNotFound("no"), ExchangeUnavailable("503"), OrderNotFound("no")),
        (AuthenticationError("key revoked"),),
    ],
)
async def test_cannot_tell_raises_outcome_unknown(
    fake_sleep: RecordingSleep, results: tuple[Exception, ...]
) -> None:
    lookup, _ = answers(*results)
    with pytest.raises(OrderOutcomeUnknown) as info:
        await resolve(lookup, fake_sleep)
    assert info.value.client_order_id == "c-1"
