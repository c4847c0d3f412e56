"""Order tracker: the one owner of the live order set, its fills and their accounting.

Every order snapshot (our PENDING_SUBMIT record, the exchange's replies, polls, reconciliation)
goes through :meth:`OrderTracker.apply`, which merges it into the known order (late or stale
snapshots never move an order back), persists it and publishes an
:class:`~app.core.events.OrderUpdated` copy. Fills go through :meth:`OrderTracker.apply_fills`:
stored once per trade id (the database's unique key decides), booked in the
:class:`~app.engine.portfolio.Portfolio` exactly once, published as
:class:`~app.core.events.FillReceived`.

:meth:`OrderTracker.run` polls the resting orders (reads are retried by the adapter) and fetches
missing fills. Orders in PENDING_SUBMIT / UNKNOWN belong to reconciliation, which resolves them
by client order id.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from decimal import Decimal

from app.core.enums import OrderStatus
from app.core.errors import ExchangeError, OrderNotFound
from app.core.events import Event, FillReceived, OrderUpdated, PositionUpdated
from app.core.models import Fill, Order
from app.core.money import ZERO
from app.core.ports import ExchangePort
from app.core.time import now_ms
from app.engine.portfolio import Portfolio
from app.observability.metrics import MetricsRegistry, default_registry
from app.storage.repositories import FillRepository, OrderRepository

logger = logging.getLogger(__name__)

TRADE_LOOKBACK_MS = 10_000
"""Trades are fetched from this long before an order's creation (exchange clock skew)."""
TRADE_PAGE = 1000
"""Trades asked for per request when paging through an account's history."""
TRADE_WINDOW_MS = 86_400_000
"""Longest time span one trade-history request covers (Binance spot: 24 hours)."""

RECENT_ORDERS = 5000
"""Finished orders checked on start for fills that were never stored."""

_EXCHANGE_OWNED = ("symbol", "amount", "status", "exchange_order_id", "filled", "average_price")


class OrderTracker:
    """Owns orders and fills of one venue (see the module docstring).

    Args:
        exchange: the venue.
        orders: order repository.
        fills: fill repository.
        venue: storage label of the venue/account, e.g. "binance:testnet".
        portfolio: books every new fill exactly once (optional).
        publish: receives OrderUpdated / FillReceived / PositionUpdated (the bus's publish).
        clock: ms UTC source.
        metrics: registry for the order counters (the process-wide one by default).
    """

    def __init__(
        self,
        exchange: ExchangePort,
        orders: OrderRepository,
        fills: FillRepository,
        venue: str,
        *,
        portfolio: Portfolio | None = None,
        publish: Callable[[Event], None] | None = None,
        clock: Callable[[], int] = now_ms,
        metrics: MetricsRegistry | None = None,
    ) -> None:
        self.exchange = exchange
        self.venue = venue
        self.portfolio = portfolio
        self._orders_repo = orders
        self._fills_repo = fills
        self._publish = publish
        self._clock = clock
        self._orders: dict[str, Order] = {}
        self._by_exchange_id: dict[str, str] = {}
        self._fill_ids: set[str] = set()
        self._fills: list[Fill] = []
        self._filled_by_fills: dict[str, Decimal] = {}
        self._fees_by_fills: dict[str, tuple[Decimal, str | None]] = {}
        registry = metrics or default_registry()
        self._status_counter = registry.counter(
            "cryptobot_order_status_total",
            "Order status transitions recorded by the tracker",
            ("exchange", "status"),
        )
        self._fill_counter = registry.counter(
            "cryptobot_fills_total", "New fills booked", ("exchange",)
        ).labels(exchange=exchange.exchange_id)

    # ------------------------------------------------------------------ state
    def load(self) -> None:
        """Read active orders and every stored fill (call once, on start, before trading).

        Fills are replayed into the portfolio, so positions match the store exactly.

        Raises:
            StorageError: the database failed.
        """
        for order in self._orders_repo.list_open(self.venue):
            self._remember(order)
        stored = self._fills_repo.list(self.venue)
        for fill in stored:
            self._note_fill(fill)
        for order in self._orders_repo.list_all(self.venue, limit=RECENT_ORDERS):
            if order.client_order_id not in self._orders and self.missing_fill_amount(order) > 0:
                self._remember(order)  # filled before a crash, fills not yet stored
        if self.portfolio is not None:
            self.portfolio.replay(stored)
        logger.info(
            "%s: %d active orders and %d fills loaded", self.venue, len(self._orders), len(stored)
        )

    def get(self, client_order_id: str) -> Order | None:
        """The latest snapshot of an order (memory, then the store)."""
        order = self._orders.get(client_order_id)
        if order is None:
            order = self._orders_repo.get(client_order_id)
            if order is not None:
                self._remember(order)
        return order

    def orders(self) -> list[Order]:
        """Orders seen in this session (active ones from earlier sessions included)."""
        return list(self._orders.values())

    def active(self, *statuses: OrderStatus) -> list[Order]:
        """Orders that may still fill (only the given statuses, when some are given)."""
        wanted = statuses or tuple(s for s in OrderStatus if s.is_active)
        return [order for order in self._orders.values() if order.status in wanted]

    def fills(self) -> list[Fill]:
        """Fills booked in this session and loaded on start, oldest first."""
        return list(self._fills)

    def missing_fill_amount(self, order: Order) -> Decimal:
        """How much of ``order.filled`` has no stored fill yet."""
        return order.filled - self._filled_by_fills.get(order.client_order_id, ZERO)

    # ------------------------------------------------------------------ orders
    def record(self, order: Order) -> Order:
        """Persist a brand-new order (our PENDING_SUBMIT record) and publish it.

        Raises:
            StorageError: the database failed (the order must not be sent).
        """
        self._orders_repo.upsert(self.venue, order)
        self._remember(order)
        self._changed(order)
        return order

    def apply(self, update: Order) -> Order:
        """Merge an exchange snapshot into the known order, persist and publish the result.

        Our own fields (strategy, correlation id, type, time in force, creation time) are kept;
        a stale snapshot (less filled, or active after a terminal state) is ignored. An order
        unknown here (placed outside the app) is adopted as reported.

        Returns:
            The order as now known.

        Raises:
            StorageError: the database failed.
        """
        current = self.get(update.client_order_id)
        merged = self._with_fill_fees(update if current is None else _merge(current, update))
        if merged is None or (current is not None and _same(current, merged)):
            return current if current is not None else update
        stamp = self._clock() if current is None else max(self._clock(), current.updated_at)
        merged = merged.with_changes(updated_at=stamp)
        self._orders_repo.upsert(self.venue, merged)
        self._remember(merged)
        self._changed(merged)
        return merged

    # ------------------------------------------------------------------ fills
    def apply_fills(self, fills: Iterable[Fill]) -> list[Fill]:
        """Store new fills (once per trade id), book them, publish them.

        Fills without a client order id get the id of their order found by exchange order id.

        Returns:
            The fills that were new, in the given order.

        Raises:
            StorageError: the database failed (nothing of this batch is booked).
        """
        candidates = [self._with_client_id(f) for f in fills if f.trade_id not in self._fill_ids]
        if not candidates:
            return []
        new: list[Fill] = []
        for fill in candidates:
            if fill.trade_id in self._fill_ids:
                continue  # the same trade twice in one batch
            if self._fills_repo.add(self.venue, fill):
                new.append(fill)
            self._fill_ids.add(fill.trade_id)
        for fill in new:
            self._book(fill)
        for client_order_id in dict.fromkeys(fill.client_order_id for fill in new):
            order = self._orders.get(client_order_id)
            if order is not None:
                self.apply(order)  # the order's fee becomes the sum of its fills' fees
        return new

    async def sync_fills(self, symbol: str, since: int) -> list[Fill]:
        """Fetch our trades in ``symbol`` from ``since`` (paging) and apply the new ones.

        Venues answer at most one time window per request (Binance spot: 24 hours from the
        start time), so after a short page the next window is asked for until now.

        Raises:
            ExchangeError: a read failed after its retries.
            StorageError: the database failed.
        """
        new: list[Fill] = []
        cursor = since
        while True:
            page = await self.exchange.fetch_my_trades(symbol, cursor, TRADE_PAGE)
            new.extend(self.apply_fills(page))
            last = max((fill.timestamp for fill in page), default=cursor)
            if len(page) >= TRADE_PAGE and last > cursor:
                cursor = last
            elif self._clock() - cursor > TRADE_WINDOW_MS:
                cursor = max(last, cursor + TRADE_WINDOW_MS)
            else:
                return new

    async def sync_missing_fills(self) -> list[Fill]:
        """Fetch fills of every known order whose filled amount has no stored fills yet.

        Raises:
            ExchangeError: a read failed after its retries.
            StorageError: the database failed.
        """
        oldest: dict[str, int] = {}
        for order in self._orders.values():
            if self.missing_fill_amount(order) > 0:
                start = order.created_at - TRADE_LOOKBACK_MS
                oldest[order.symbol] = min(oldest.get(order.symbol, start), start)
        new: list[Fill] = []
        for symbol, since in oldest.items():
            new.extend(await self.sync_fills(symbol, max(since, 0)))
        return new

    # ------------------------------------------------------------------ polling
    async def poll_once(self) -> int:
        """Refresh every resting order from the exchange and fetch missing fills.

        One open-orders request per symbol refreshes the orders still resting; only those
        that left the book are looked up one by one (to learn whether they filled or were
        cancelled).

        Returns:
            How many orders changed.
        """
        changed = 0
        by_symbol: dict[str, list[Order]] = {}
        for order in self.active(OrderStatus.OPEN, OrderStatus.PARTIALLY_FILLED):
            by_symbol.setdefault(order.symbol, []).append(order)
        for symbol, resting in by_symbol.items():
            try:
                open_now = await self.exchange.fetch_open_orders(symbol)
            except ExchangeError as exc:
                logger.warning("%s: polling open %s orders failed: %s", self.venue, symbol, exc)
                continue
            listed = {o.client_order_id: o for o in open_now}
            for order in resting:
                fresh = listed.get(order.client_order_id) or await self._look_up(order)
                if fresh is not None and self.apply(fresh) is not order:
                    changed += 1
        try:
            await self.sync_missing_fills()
        except ExchangeError as exc:
            logger.warning("%s: fetching fills failed: %s", self.venue, exc)
        return changed

    async def _look_up(self, order: Order) -> Order | None:
        try:
            return await self.exchange.fetch_order(order.symbol, order.client_order_id)
        except OrderNotFound:
            logger.warning(
                "%s: open order %s is unknown to the exchange; reconciliation will check it",
                self.venue,
                order.client_order_id,
            )
        except ExchangeError as exc:
            logger.warning("%s: polling %s failed: %s", self.venue, order.client_order_id, exc)
        return None

    async def run(self, interval: float = 2.0) -> None:
        """Worker: poll every ``interval`` seconds until cancelled."""
        while True:
            await self.poll_once()
            await asyncio.sleep(interval)

    # ------------------------------------------------------------------ internals
    def _remember(self, order: Order) -> None:
        self._orders[order.client_order_id] = order
        if order.exchange_order_id:
            self._by_exchange_id[order.exchange_order_id] = order.client_order_id

    def _changed(self, order: Order) -> None:
        self._status_counter.labels(
            exchange=self.exchange.exchange_id, status=order.status.value
        ).inc()
        if self._publish is not None:
            self._publish(OrderUpdated(timestamp=order.updated_at, order=order))

    def _with_client_id(self, fill: Fill) -> Fill:
        if fill.client_order_id or not fill.exchange_order_id:
            return fill
        client_id = self._by_exchange_id.get(fill.exchange_order_id)
        if client_id is None:
            stored = self._orders_repo.get_by_exchange_id(self.venue, fill.exchange_order_id)
            if stored is None:
                logger.warning(
                    "%s: trade %s belongs to exchange order %s, which the app did not place",
                    self.venue,
                    fill.trade_id,
                    fill.exchange_order_id,
                )
                return fill
            self._remember(stored)
            client_id = stored.client_order_id
        return replace(fill, client_order_id=client_id)

    def _note_fill(self, fill: Fill) -> None:
        self._fill_ids.add(fill.trade_id)
        self._fills.append(fill)
        total = self._filled_by_fills.get(fill.client_order_id, ZERO)
        self._filled_by_fills[fill.client_order_id] = total + fill.amount
        fee, currency = self._fees_by_fills.get(fill.client_order_id, (ZERO, fill.fee_currency))
        same = currency == fill.fee_currency
        self._fees_by_fills[fill.client_order_id] = (fee + fill.fee, currency if same else None)

    def _with_fill_fees(self, order: Order | None) -> Order | None:
        """``order`` with the fee its stored fills add up to (replies carry one fill's fee
        at most; fees in several currencies are left as the venue reported them)."""
        summed = None if order is None else self._fees_by_fills.get(order.client_order_id)
        if order is None or summed is None or summed[1] is None:
            return order
        return order.with_changes(fee=summed[0], fee_currency=summed[1])

    def _book(self, fill: Fill) -> None:
        self._note_fill(fill)
        self._fill_counter.inc()
        order = self._orders.get(fill.client_order_id)
        correlation_id = order.correlation_id if order is not None else None
        position = None
        if self.portfolio is not None:
            position = self.portfolio.apply_fill(fill)
        if self._publish is not None:
            now = self._clock()
            self._publish(FillReceived(timestamp=now, fill=fill, correlation_id=correlation_id))
            if position is not None:
                self._publish(PositionUpdated(timestamp=now, position=position))


def _merge(current: Order, update: Order) -> Order | None:
    """``update`` merged into ``current``; None when the update is stale."""
    if current.status.is_terminal and update.status is not current.status:
        late_landing = (
            current.status is OrderStatus.REJECTED
            and current.exchange_order_id is None
            and update.exchange_order_id is not None
        )
        if not late_landing:
            return None
    if update.filled < current.filled:
        return None
    if update.status is OrderStatus.UNKNOWN and current.exchange_order_id is not None:
        return None  # we already know where it stands on the exchange
    changes: dict[str, object] = {name: getattr(update, name) for name in _EXCHANGE_OWNED}
    if update.price is not None:
        changes["price"] = update.price
    if update.fee or update.fee_currency:
        changes["fee"] = update.fee
        changes["fee_currency"] = update.fee_currency
    changes["reason"] = update.reason or (
        current.reason if update.status is current.status else None
    )
    changes["exchange_order_id"] = update.exchange_order_id or current.exchange_order_id
    return current.with_changes(**changes)


def _same(a: Order, b: Order) -> bool:
    return a.with_changes(updated_at=0) == b.with_changes(updated_at=0)
