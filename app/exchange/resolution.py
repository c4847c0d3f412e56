"""Resolve an order submission whose outcome is unknown by looking up its client order id.

The rule (documented on ``CcxtExchange.create_order``), applied after a timeout, a dropped
connection, a 5xx answer or an unreadable reply — the request is never sent again:

- the exchange knows the client order id: its record of the order is returned;
- every lookup answered "no such order": the request never reached the book and the order is
  returned REJECTED with the reason;
- a lookup could not be completed: :class:`~app.core.errors.OrderOutcomeUnknown` is raised and
  the order executor reconciles it later by the same id.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from app.core.enums import OrderStatus
from app.core.errors import (
    ExchangeError,
    OrderNotFound,
    OrderOutcomeUnknown,
    TemporaryExchangeError,
)
from app.core.models import Order
from app.exchange.retry import Sleep

logger = logging.getLogger(__name__)


async def resolve_by_client_id(
    request: Order,
    cause: BaseException,
    *,
    lookup: Callable[[], Awaitable[Order]],
    lookups: int,
    delay: float,
    sleep: Sleep,
    venue: str,
) -> Order:
    """Find out what became of ``request`` after an ambiguous submission.

    Args:
        request: the order as submitted (its client order id is the key).
        cause: the error that made the outcome unknown.
        lookup: one lookup of the order by client order id (raises project errors).
        lookups: how many lookups at most.
        delay: seconds between lookups (lets a queued request land).
        sleep: awaitable sleep.
        venue: exchange id, for messages.

    Returns:
        The exchange's record of the order, or ``request`` marked REJECTED.

    Raises:
        OrderOutcomeUnknown: the exchange could not be asked.
    """
    coid = request.client_order_id
    logger.warning(
        "%s: outcome of order %s unknown (%s); looking it up by client order id",
        venue,
        coid,
        type(cause).__name__,
        extra={"client_order_id": coid},
    )
    not_found = 0
    for attempt in range(lookups):
        if attempt:
            await sleep(delay)
        try:
            found = await lookup()
        except OrderNotFound:
            not_found += 1
            continue
        except TemporaryExchangeError as exc:
            logger.warning("%s: lookup of order %s failed: %s", venue, coid, exc)
            continue
        except ExchangeError as exc:
            raise OrderOutcomeUnknown(
                f"{venue}: order {coid} may have been placed and cannot be looked up "
                f"({exc}); it will be reconciled by client order id",
                coid,
            ) from cause
        logger.info("%s: order %s found after an ambiguous submit", venue, coid)
        return found
    if not_found == lookups:
        logger.warning("%s: order %s is not on the exchange; marked rejected", venue, coid)
        return request.with_changes(
            status=OrderStatus.REJECTED,
            reason=(
                f"the request failed ({type(cause).__name__}) and the exchange has no order "
                f"with client id {coid} after {not_found} lookups: it was never placed"
            ),
        )
    raise OrderOutcomeUnknown(
        f"{venue}: order {coid} may have been placed and the exchange could not be asked; "
        "it will be reconciled by client order id",
        coid,
    ) from cause
