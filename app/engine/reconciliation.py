"""Reconciliation: make the store agree with the exchange, on start and periodically.

One pass (:meth:`Reconciler.reconcile`):

1. every active stored order (PENDING_SUBMIT, UNKNOWN, OPEN, PARTIALLY_FILLED) not currently
   in flight is looked up by client order id; the exchange's record is applied. A
   PENDING_SUBMIT/UNKNOWN order the exchange positively answers "unknown order" for is marked
   REJECTED ("not received by the exchange"); a lookup that fails leaves it for the next pass;
2. open orders the exchange reports but the store lacks are adopted (and reported);
3. our recent trades are fetched and missing fills inserted (idempotent by trade id);
4. balances are compared with the last stored snapshot plus the fills recorded since; the new
   snapshot is stored.

Every difference is fixed, reported in the returned :class:`ReconciliationReport` and written to
the audit log. A mismatch above ``mismatch_threshold`` (0.1 %) of notional raises an
:class:`~app.core.events.Alert`: a balance off by more than that share of its total, or an order
the store considered final whose filled quantity the exchange reports differently.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select

from app.core.enums import OrderStatus
from app.core.errors import ExchangeError, OrderNotFound, StorageError
from app.core.events import Alert, Event
from app.core.models import Order
from app.core.money import ZERO
from app.core.time import now_ms
from app.engine.audit import AuditWriter, plain
from app.engine.reconciliation_balances import BalanceDifference, explain_balances
from app.engine.tracker import TRADE_LOOKBACK_MS, OrderTracker
from app.storage.database import Database
from app.storage.models import BalanceRecord
from app.storage.repositories import BalanceRepository, FillRepository

logger = logging.getLogger(__name__)

NOT_RECEIVED = "not received by the exchange"
DEFAULT_MISMATCH_THRESHOLD = Decimal("0.001")
CLOCK_MARGIN_MS = 1_000
"""Fills this close to the balance read may or may not be reflected in it (clock skew)."""


@dataclass(frozen=True, slots=True)
class ReconciliationReport:
    """What one reconciliation pass found and fixed."""

    started_at: int
    finished_at: int
    orders_checked: int = 0
    fixed: tuple[str, ...] = ()
    rejected: tuple[str, ...] = ()
    adopted: tuple[str, ...] = ()
    unresolved: tuple[str, ...] = ()
    fills_added: int = 0
    balances: tuple[BalanceDifference, ...] = ()
    alerts: tuple[str, ...] = field(default=())

    @property
    def is_clean(self) -> bool:
        """True when nothing had to be fixed and nothing is left unresolved."""
        return not (
            self.fixed
            or self.rejected
            or self.adopted
            or self.unresolved
            or self.fills_added
            or self.balances
            or self.alerts
        )

    def summary(self) -> str:
        """One line for logs and the audit record."""
        return (
            f"{self.orders_checked} orders checked, {len(self.fixed)} fixed, "
            f"{len(self.rejected)} marked not received, {len(self.adopted)} adopted, "
            f"{len(self.unresolved)} unresolved, {self.fills_added} fills added, "
            f"{len(self.balances)} balance differences, {len(self.alerts)} alerts"
        )


@dataclass(slots=True)
class _Pass:
    """Mutable findings of the running pass."""

    started_at: int
    checked: int = 0
    fixed: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    adopted: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    fills_added: int = 0
    balances: list[BalanceDifference] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)


class Reconciler:
    """Compares the store with the exchange and fixes the store (see the module docstring).

    Args:
        tracker: the order tracker (its exchange, venue and repositories are used).
        audit: audit writer for the findings.
        database: the database (balance snapshots and their time).
        publish: receives :class:`Alert` events.
        in_flight: tells whether a client order id's submission is still awaiting its reply
            (those orders are left to the executor).
        symbols: symbols whose trades are always checked (besides those of known orders).
        balance_venue: storage label of the reconciled balance snapshot (default: the venue).
        mismatch_threshold: share of notional above which a difference raises an alert.
        clock: ms UTC source.
    """

    def __init__(
        self,
        tracker: OrderTracker,
        audit: AuditWriter,
        database: Database,
        *,
        publish: Callable[[Event], None] | None = None,
        in_flight: Callable[[str], bool] = lambda _client_order_id: False,
        symbols: Sequence[str] = (),
        balance_venue: str | None = None,
        mismatch_threshold: Decimal = DEFAULT_MISMATCH_THRESHOLD,
        clock: Callable[[], int] = now_ms,
    ) -> None:
        self.tracker = tracker
        self.exchange = tracker.exchange
        self.audit = audit
        self._db = database
        self._balances = BalanceRepository(database)
        self._fills = FillRepository(database)
        self._publish = publish
        self._in_flight = in_flight
        self._symbols = set(symbols)
        self._balance_venue = balance_venue or tracker.venue
        self._threshold = mismatch_threshold
        self._clock = clock
        self._last_pass: int | None = None
        self.last_report: ReconciliationReport | None = None

    async def reconcile(self) -> ReconciliationReport:
        """Run one pass and return what it found (also audited; alerts published).

        Raises:
            StorageError: the database failed (the pass stops; nothing half-written).
        """
        found = _Pass(started_at=self._clock())
        symbols = set(self._symbols)
        for order in self.tracker.active():
            symbols.add(order.symbol)
            if not self._in_flight(order.client_order_id):
                await self._check_order(order, found)
        await self._adopt_open_orders(found, symbols)
        await self._sync_fills(found, symbols)
        await self._check_balances(found, symbols)
        report = ReconciliationReport(
            started_at=found.started_at,
            finished_at=self._clock(),
            orders_checked=found.checked,
            fixed=tuple(found.fixed),
            rejected=tuple(found.rejected),
            adopted=tuple(found.adopted),
            unresolved=tuple(found.unresolved),
            fills_added=found.fills_added,
            balances=tuple(found.balances),
            alerts=tuple(found.alerts),
        )
        self._last_pass = found.started_at
        self.last_report = report
        log = logger.info if report.is_clean else logger.warning
        log("reconciliation of %s: %s", self.tracker.venue, report.summary())
        self.audit.record(
            "reconciliation",
            report.summary(),
            component="reconciliation",
            payload=plain(report),
        )
        return report

    async def run(self, interval: float = 60.0) -> None:
        """Worker: reconcile every ``interval`` seconds until cancelled."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.reconcile()
            except StorageError:
                logger.exception("reconciliation stopped: the database failed")
                raise

    # ------------------------------------------------------------------ orders
    async def _check_order(self, order: Order, found: _Pass) -> None:
        coid = order.client_order_id
        found.checked += 1
        try:
            remote = await self.exchange.fetch_order(order.symbol, coid)
        except OrderNotFound:
            if order.status in (OrderStatus.PENDING_SUBMIT, OrderStatus.UNKNOWN):
                rejected = order.with_changes(status=OrderStatus.REJECTED, reason=NOT_RECEIVED)
                self.tracker.apply(rejected)
                found.rejected.append(coid)
                self._audit_fix(order, f"order {coid}: {NOT_RECEIVED}; marked rejected")
            else:
                self._alert(
                    found,
                    f"order {coid} is {order.status} in the store but unknown to "
                    f"{self.exchange.exchange_id}",
                    order.correlation_id,
                )
            return
        except ExchangeError as exc:
            found.unresolved.append(coid)
            logger.warning("reconciliation: order %s could not be looked up: %s", coid, exc)
            return
        updated = self.tracker.apply(remote)
        if updated.status is not order.status or updated.filled != order.filled:
            found.fixed.append(coid)
            self._audit_fix(
                updated,
                f"order {coid}: {order.status} -> {updated.status}, "
                f"filled {order.filled} -> {updated.filled}",
            )

    async def _adopt_open_orders(self, found: _Pass, symbols: set[str]) -> None:
        try:
            remote = await self.exchange.fetch_open_orders(None)
        except ExchangeError as exc:
            found.unresolved.append("open orders")
            logger.warning("reconciliation: open orders could not be listed: %s", exc)
            return
        for order in remote:
            symbols.add(order.symbol)
            known = self.tracker.get(order.client_order_id)
            if known is None:
                self.tracker.apply(order.with_changes(reason="found on the exchange"))
                found.adopted.append(order.client_order_id)
                self._audit_fix(order, f"open order {order.client_order_id} adopted from the venue")
            elif known.status is OrderStatus.REJECTED and known.exchange_order_id is None:
                revived = self.tracker.apply(order)
                found.fixed.append(order.client_order_id)
                self._alert(
                    found,
                    f"order {order.client_order_id} was recorded as not placed ({known.reason}) "
                    f"but is {revived.status} on {self.exchange.exchange_id}; it is tracked again",
                    known.correlation_id,
                )
            elif known.status.is_terminal and known.filled != order.filled:
                self._order_mismatch(known, order, found)

    def _order_mismatch(self, stored: Order, remote: Order, found: _Pass) -> None:
        reference = remote.average_price or remote.price or stored.price
        amount = max(stored.amount, remote.amount)
        delta = abs(remote.filled - stored.filled)
        share = delta / amount if amount else ZERO
        if share > self._threshold:
            value = "" if reference is None else f" ({delta * reference} in quote currency)"
            self._alert(
                found,
                f"order {stored.client_order_id} is {stored.status} with {stored.filled} filled "
                f"in the store, but the exchange reports {remote.filled}{value}",
                stored.correlation_id,
            )

    # ------------------------------------------------------------------ fills
    async def _sync_fills(self, found: _Pass, symbols: set[str]) -> None:
        before = {o.client_order_id: o for o in self.tracker.orders() if o.status.is_terminal}
        try:
            new = await self.tracker.sync_missing_fills()
            for symbol in sorted(symbols):
                new.extend(await self.tracker.sync_fills(symbol, self._fill_window_start()))
        except ExchangeError as exc:
            found.unresolved.append("trades")
            logger.warning("reconciliation: trades could not be fetched: %s", exc)
            new = []
        found.fills_added += len(new)
        if new:
            self.audit.record(
                "reconciliation_fills",
                f"{len(new)} fills recovered from the exchange",
                component="reconciliation",
                payload={"trade_ids": [fill.trade_id for fill in new]},
            )
        for coid, order in before.items():
            booked = order.filled - self.tracker.missing_fill_amount(order)
            if booked > order.filled and booked - order.filled > order.amount * self._threshold:
                self._alert(
                    found,
                    f"order {coid} is {order.status} with {order.filled} filled, but the "
                    f"exchange reports fills of {booked}",
                    order.correlation_id,
                )

    def _fill_window_start(self) -> int:
        if self._last_pass is not None:
            return max(self._last_pass - TRADE_LOOKBACK_MS, 0)
        latest = max((fill.timestamp for fill in self.tracker.fills()), default=None)
        oldest_active = min((o.created_at for o in self.tracker.active()), default=None)
        candidates = [t for t in (latest, oldest_active) if t is not None]
        start = min(candidates) if candidates else self._clock()
        return max(start - TRADE_LOOKBACK_MS, 0)

    # ------------------------------------------------------------------ balances
    async def _check_balances(self, found: _Pass, symbols: set[str]) -> None:
        since = max(found.started_at - TRADE_LOOKBACK_MS, 0)
        try:
            asked_at = self._clock()
            actual = await self.exchange.fetch_balance()
            answered_at = self._clock()
            for symbol in sorted(symbols):  # trades made while the balance was being read
                found.fills_added += len(await self.tracker.sync_fills(symbol, since))
        except ExchangeError as exc:
            found.unresolved.append("balances")
            logger.warning("reconciliation: balances could not be fetched: %s", exc)
            return
        stored = self._balances.get(self._balance_venue)
        snapshot_at = self._snapshot_time()
        covered_until = answered_at
        if stored and snapshot_at is not None:
            fills = self._fills.list(self.tracker.venue, since=snapshot_at + 1)
            differences, covered_until = explain_balances(
                stored, fills, actual, asked_at - CLOCK_MARGIN_MS, answered_at + CLOCK_MARGIN_MS
            )
            covered_until = max(covered_until, snapshot_at)  # a later read covers no less
            for difference in differences:
                found.balances.append(difference)
                if difference.relative > self._threshold:
                    self._alert(
                        found,
                        f"{difference.currency} balance on {self.exchange.exchange_id} is "
                        f"{difference.actual}, the store expects {difference.expected} "
                        f"(difference {difference.difference})",
                        None,
                    )
        self._balances.set(self._balance_venue, actual.values(), covered_until, replace=True)

    def _snapshot_time(self) -> int | None:
        query = select(func.max(BalanceRecord.updated_at)).where(
            BalanceRecord.venue == self._balance_venue
        )
        with self._db.session(readonly=True) as session:
            value = session.scalar(query)
        return None if value is None else int(value)

    # ------------------------------------------------------------------ reporting
    def _audit_fix(self, order: Order, message: str) -> None:
        self.audit.record(
            "reconciliation_fix",
            message,
            correlation_id=order.correlation_id,
            component="reconciliation",
            payload=plain(order),
        )

    def _alert(self, found: _Pass, message: str, correlation_id: str | None) -> None:
        found.alerts.append(message)
        logger.error("reconciliation mismatch: %s", message)
        self.audit.record(
            "reconciliation_alert",
            message,
            correlation_id=correlation_id,
            component="reconciliation",
        )
        if self._publish is not None:
            self._publish(
                Alert(
                    timestamp=self._clock(),
                    level="error",
                    title="Reconciliation mismatch",
                    message=message,
                    correlation_id=correlation_id,
                )
            )
