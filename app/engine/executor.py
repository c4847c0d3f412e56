"""Order executor: the one path by which an approved order reaches an exchange.

For every request the executor, in this order:

1. asks the exchange circuit breaker (an open breaker refuses without contacting the venue);
2. creates the client order id and PERSISTS the order (PENDING_SUBMIT, with its correlation id)
   and an audit record — a crash after this point leaves a row reconciliation resolves;
3. calls ``exchange.create_order`` exactly once (the adapter resolves an ambiguous outcome by
   client order id; submission is never repeated);
4. records the reply: the exchange's snapshot, REJECTED when the venue positively refused or
   never received it, or UNKNOWN when nobody can tell yet — UNKNOWN orders are resolved by
   reconciliation through the same client order id, never resubmitted.

Metrics: ``cryptobot_order_submissions_total{exchange,outcome}`` and the latency histogram
``cryptobot_order_submit_seconds{exchange}``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from app.core.enums import OrderStatus, OrderType, Side
from app.core.errors import (
    DuplicateOrder,
    EngineError,
    ExchangeError,
    OrderNotFound,
    OrderOutcomeUnknown,
    PermanentExchangeError,
    RateLimitExceeded,
    RiskRejected,
)
from app.core.ids import new_client_order_id, new_correlation_id
from app.core.models import Order
from app.core.time import now_ms
from app.engine.audit import AuditWriter, plain
from app.engine.exchange_breaker import ExchangeCircuitBreaker
from app.engine.tracker import TRADE_LOOKBACK_MS, OrderTracker
from app.observability.metrics import MetricsRegistry, default_registry

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """An order the risk manager approved, ready to be sent.

    ``correlation_id`` is created at the signal and ties signal, risk decisions, submission,
    replies and fills together (a new one is made for requests without it).
    """

    symbol: str
    side: Side
    order_type: OrderType
    amount: Decimal
    price: Decimal | None = None
    stop_price: Decimal | None = None
    strategy_id: str | None = None
    correlation_id: str | None = None
    reduce_only: bool = False


class OrderExecutor:
    """Submits and cancels orders on one exchange (see the module docstring).

    Args:
        tracker: owns the orders (persistence, events, fills); its exchange is used.
        breaker: the venue's circuit breaker.
        audit: writer of the audit records.
        clock: ms UTC source.
        metrics: registry for the submission metrics (the process-wide one by default).
        id_factory: makes client order ids (default :func:`app.core.ids.new_client_order_id`).
    """

    def __init__(
        self,
        tracker: OrderTracker,
        breaker: ExchangeCircuitBreaker,
        audit: AuditWriter,
        *,
        clock: Callable[[], int] = now_ms,
        metrics: MetricsRegistry | None = None,
        id_factory: Callable[[], str] = new_client_order_id,
    ) -> None:
        self.tracker = tracker
        self.exchange = tracker.exchange
        self.breaker = breaker
        self.audit = audit
        self._clock = clock
        self._new_id = id_factory
        self._in_flight: set[str] = set()
        self._idle = asyncio.Event()
        self._idle.set()
        exchange_id = self.exchange.exchange_id
        registry = metrics or default_registry()
        self._outcomes = registry.counter(
            "cryptobot_order_submissions_total",
            "Order submissions by outcome (status after the reply, or refused)",
            ("exchange", "outcome"),
        )
        self._latency = registry.histogram(
            "cryptobot_order_submit_seconds",
            "Seconds from sending an order to its recorded outcome",
            ("exchange",),
        ).labels(exchange=exchange_id)

    def is_in_flight(self, client_order_id: str) -> bool:
        """True while ``client_order_id``'s submission is awaiting the exchange."""
        return client_order_id in self._in_flight

    async def submit(self, request: OrderRequest) -> Order:
        """Send one approved order exactly once and return what became of it.

        Returns:
            The order after the reply: OPEN / PARTIALLY_FILLED / FILLED as the venue reports,
            REJECTED (with the reason) when refused or never received, UNKNOWN when the outcome
            is still open (reconciliation resolves it by client order id).

        Raises:
            RiskRejected: the exchange circuit breaker is open (nothing was stored or sent).
            StorageError: the order could not be persisted (nothing was sent).
        """
        correlation_id = request.correlation_id or new_correlation_id()
        try:
            is_probe = self.breaker.check()
        except RiskRejected as exc:
            self._outcomes.labels(exchange=self.exchange.exchange_id, outcome="refused").inc()
            self.audit.record(
                "order_refused",
                str(exc),
                correlation_id=correlation_id,
                component="executor",
                payload=plain(request),
            )
            raise
        try:
            return await self._submit(request, correlation_id)
        finally:
            if is_probe:
                self.breaker.release_probe()

    async def _submit(self, request: OrderRequest, correlation_id: str) -> Order:
        now = self._clock()
        order = Order(
            client_order_id=self._new_id(),
            symbol=request.symbol,
            side=request.side,
            type=request.order_type,
            amount=request.amount,
            price=request.price,
            stop_price=request.stop_price,
            status=OrderStatus.PENDING_SUBMIT,
            created_at=now,
            updated_at=now,
            strategy_id=request.strategy_id,
            correlation_id=correlation_id,
            reduce_only=request.reduce_only,
        )
        coid = order.client_order_id
        self.tracker.record(order)
        self.audit.write_now(
            "order_submitting",
            f"submitting {order.side} {order.type} {order.amount} {order.symbol}"
            f"{'' if order.price is None else f' at {order.price}'} as {coid}",
            correlation_id=correlation_id,
            component="executor",
            payload=plain(order),
        )
        self._in_flight.add(coid)
        self._idle.clear()
        started = time.perf_counter()
        try:
            result = await self._send(order)
        finally:
            self._in_flight.discard(coid)
            if not self._in_flight:
                self._idle.set()
            self._latency.observe(time.perf_counter() - started)
        self._outcomes.labels(exchange=self.exchange.exchange_id, outcome=result.status.value).inc()
        self.audit.record(
            "order_reply",
            f"order {coid}: {result.status}"
            + (f" ({result.reason})" if result.reason else "")
            + (f", filled {result.filled}" if result.filled else ""),
            correlation_id=correlation_id,
            component="executor",
            payload=plain(result),
        )
        if self.tracker.missing_fill_amount(result) > 0:
            await self._fetch_fills(result)
            return self.tracker.get(result.client_order_id) or result  # fees of those fills
        return result

    async def _send(self, order: Order) -> Order:
        """One create_order call; every outcome becomes a tracked order snapshot."""
        coid = order.client_order_id
        try:
            reply = await self.exchange.create_order(
                coid,
                order.symbol,
                order.side,
                order.type,
                order.amount,
                order.price,
                order.stop_price,
                order.time_in_force,
            )
        except OrderOutcomeUnknown as exc:
            self.breaker.record_failure(f"order outcome unknown: {exc}")
            return self._unknown(order, str(exc))
        except DuplicateOrder:
            self.breaker.record_success()
            return await self._adopt_existing(order)
        except RateLimitExceeded as exc:
            self.breaker.record_failure(f"rate limited: {exc}")
            return self._rejected(order, f"throttled by the exchange, not placed: {exc}")
        except PermanentExchangeError as exc:
            self.breaker.record_success()
            return self._rejected(order, str(exc))
        except ExchangeError as exc:
            self.breaker.record_failure(str(exc))
            return self._unknown(order, f"{type(exc).__name__}: {exc}")
        except asyncio.CancelledError:
            self._unknown(order, "the submission was interrupted while in flight")
            raise
        except Exception as exc:
            logger.exception("order %s: unexpected error while submitting", coid)
            self.breaker.record_failure(type(exc).__name__)
            return self._unknown(order, f"unexpected {type(exc).__name__}: {exc}")
        if reply.status is OrderStatus.REJECTED:
            self.breaker.record_failure(reply.reason or "not placed")
        else:
            self.breaker.record_success()
        return self.tracker.apply(reply.with_changes(client_order_id=coid))

    def _unknown(self, order: Order, reason: str) -> Order:
        logger.warning(
            "order %s: outcome unknown (%s); reconciliation will look it up",
            order.client_order_id,
            reason,
            extra={"client_order_id": order.client_order_id},
        )
        return self.tracker.apply(order.with_changes(status=OrderStatus.UNKNOWN, reason=reason))

    def _rejected(self, order: Order, reason: str) -> Order:
        logger.warning(
            "order %s rejected: %s",
            order.client_order_id,
            reason,
            extra={"client_order_id": order.client_order_id},
        )
        return self.tracker.apply(order.with_changes(status=OrderStatus.REJECTED, reason=reason))

    async def _adopt_existing(self, order: Order) -> Order:
        """The venue already holds this client id: track that order instead of placing one."""
        try:
            found = await self.exchange.fetch_order(order.symbol, order.client_order_id)
        except ExchangeError as exc:
            return self._unknown(order, f"duplicate client order id, lookup failed: {exc}")
        return self.tracker.apply(found)

    async def _fetch_fills(self, order: Order) -> None:
        since = max(order.created_at - TRADE_LOOKBACK_MS, 0)
        try:
            await self.tracker.sync_fills(order.symbol, since)
        except ExchangeError as exc:
            logger.warning(
                "order %s: fills not fetched yet (%s); the tracker will retry",
                order.client_order_id,
                exc,
            )

    async def _wait_for_in_flight(self, seconds: float) -> None:
        try:
            async with asyncio.timeout(seconds):
                await self._idle.wait()
        except TimeoutError:
            logger.error(
                "cancel all: %d submissions still unanswered after %.0f s: %s",
                len(self._in_flight),
                seconds,
                ", ".join(sorted(self._in_flight)),
            )

    # ------------------------------------------------------------------ cancels
    async def cancel(self, client_order_id: str) -> Order:
        """Cancel an order by client order id (sent once) and return its state afterwards.

        Raises:
            EngineError: the order is unknown.
            ExchangeError: the venue could not be asked (the order's state is unchanged).
        """
        order = self.tracker.get(client_order_id)
        if order is None:
            raise EngineError(f"order {client_order_id} is unknown; nothing to cancel")
        if order.status.is_terminal:
            return order
        self.audit.record(
            "cancel_requested",
            f"cancelling order {client_order_id}",
            correlation_id=order.correlation_id,
            component="executor",
        )
        try:
            reply = await self.exchange.cancel_order(order.symbol, client_order_id)
        except OrderNotFound:
            if order.status in (OrderStatus.PENDING_SUBMIT, OrderStatus.UNKNOWN):
                return order  # reconciliation decides whether it was ever placed
            raise
        except ExchangeError:
            self.breaker.record_failure(f"cancel of {client_order_id} failed")
            raise
        self.breaker.record_success()
        result = self.tracker.apply(reply)
        self.audit.record(
            "cancel_reply",
            f"order {client_order_id}: {result.status} after cancel",
            correlation_id=order.correlation_id,
            component="executor",
            payload=plain(result),
        )
        if self.tracker.missing_fill_amount(result) > 0:
            await self._fetch_fills(result)
            return self.tracker.get(result.client_order_id) or result  # fees of those fills
        return result

    async def cancel_all(
        self, symbol: str | None = None, *, in_flight_timeout: float = 10.0
    ) -> list[Order]:
        """Kill switch: cancel every open order (tracked ones and any the venue reports).

        Submissions still awaiting their reply are waited for first (up to
        ``in_flight_timeout`` seconds), so an order landing on the book right now is cancelled
        too. Every order is attempted even when some cancels fail; failures are logged and the
        affected orders are returned in their last known state.

        Returns:
            The orders after their cancel attempt.
        """
        await self._wait_for_in_flight(in_flight_timeout)
        targets = {
            order.client_order_id: order
            for order in self.tracker.active()
            if symbol is None or order.symbol == symbol
        }
        try:
            for order in await self.exchange.fetch_open_orders(symbol):
                known = self.tracker.apply(order)
                targets.setdefault(known.client_order_id, known)
        except ExchangeError as exc:
            logger.error("cancel all: open orders could not be listed (%s)", exc)
        results: list[Order] = []
        for client_order_id, order in targets.items():
            try:
                results.append(await self.cancel(client_order_id))
            except ExchangeError as exc:
                logger.error("cancel all: order %s not cancelled: %s", client_order_id, exc)
                results.append(self.tracker.get(client_order_id) or order)
        return results
