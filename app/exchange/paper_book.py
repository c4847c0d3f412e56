"""The paper exchange's order book: its orders, their matching against prices, and the fills.

:class:`PaperBook` owns every simulated order and fill and the account's reservations; each
change is written to the :class:`~app.exchange.paper_ledger.PaperLedger` before the next one.
When a fill happens and at what price is decided by :mod:`app.exchange.paper_matching`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from decimal import Decimal

from app.core.enums import OrderStatus, OrderType, TimeInForce
from app.core.errors import OrderNotFound
from app.core.models import Balance, Fill, Market, Order
from app.core.money import quantize_quote
from app.exchange.paper_account import PaperAccount
from app.exchange.paper_ledger import PaperLedger
from app.exchange.paper_matching import Execution, execution_for, limit_crossed, stop_triggered

logger = logging.getLogger(__name__)

_IMMEDIATE = (TimeInForce.IOC, TimeInForce.FOK)


class PaperBook:
    """Orders, fills and reservations of one paper account.

    Args:
        ledger: persistence of orders, fills and balances (loaded at once).
        initial_balances: starting funds of a new account (ignored when the ledger has some).
        slippage: adverse fraction applied to taker fills at the market.
        venue: id of the account, named in errors and log lines.
    """

    def __init__(
        self,
        ledger: PaperLedger,
        initial_balances: Mapping[str, Decimal] | None,
        slippage: Decimal,
        venue: str,
    ) -> None:
        self._ledger = ledger
        self._slippage = slippage
        self._id = venue
        self._orders: dict[str, Order] = {}
        self._active: dict[str, dict[str, None]] = {}  # symbol -> active client ids, in order
        for stored_order in ledger.load_orders():
            self._index(stored_order)
        self._fills: list[Fill] = list(ledger.load_fills())
        self._taker: set[str] = set()
        stored = ledger.load_balances()
        if not stored:
            stored = {
                currency: Balance(currency, free=amount)
                for currency, amount in (initial_balances or {}).items()
            }
            ledger.save_balances(stored)
        self.account = PaperAccount(stored, venue, slippage)

    def __contains__(self, client_order_id: object) -> bool:
        return client_order_id in self._orders

    def __len__(self) -> int:
        return len(self._orders)

    def get(self, symbol: str, client_order_id: str) -> Order:
        """The order with ``client_order_id`` in ``symbol``.

        Raises:
            OrderNotFound: no such order.
        """
        order = self._orders.get(client_order_id)
        if order is None or order.symbol != symbol:
            raise OrderNotFound(f"{self._id}: no order {client_order_id} in {symbol}")
        return order

    def open_orders(self, symbol: str | None) -> list[Order]:
        """Active orders (of ``symbol``, or all), oldest first."""
        return [
            o
            for o in self._orders.values()
            if o.status.is_active and (symbol is None or o.symbol == symbol)
        ]

    def fills(self, symbol: str, since: int | None, limit: int | None) -> Sequence[Fill]:
        """Fills in ``symbol`` from ``since`` (ms UTC), oldest first, at most ``limit``."""
        fills = [
            f for f in self._fills if f.symbol == symbol and (since is None or f.timestamp >= since)
        ]
        return fills[:limit] if limit is not None else fills

    def place(self, order: Order, currency: str, needed: Decimal, *, taker: bool) -> None:
        """Record a new order and reserve ``needed`` of ``currency`` for it.

        Args:
            order: the accepted order (status OPEN).
            currency: the reserved currency.
            needed: the reserved amount.
            taker: the limit order crossed the last price when placed.
        """
        self._ledger.save_order(order)  # recorded before anything changes in memory
        self._index(order)
        self.account.hold(order.client_order_id, currency, needed)
        if taker:
            self._taker.add(order.client_order_id)
        self._ledger.save_balances(self.account.snapshot())

    def cancel(self, order: Order, market: Market, when: int) -> Order:
        """Cancel an active order and release its reservation; returns the cancelled order."""
        self._release(order, market)
        cancelled = order.with_changes(status=OrderStatus.CANCELED, updated_at=when)
        self._store(cancelled)
        self._ledger.save_balances(self.account.snapshot())
        return cancelled

    def match(self, symbol: str, price: Decimal, market: Market, when: int) -> list[Fill]:
        """Match the active orders of ``symbol`` against a new price.

        Returns:
            The fills this price produced, in order.
        """
        fills: list[Fill] = []
        for coid in list(self._active.get(symbol, ())):
            order = self._orders[coid]
            if order.type is OrderType.STOP_LIMIT and stop_triggered(order, price):
                order = self._trigger_stop_limit(order, price, when)
            execution = execution_for(
                order,
                price,
                market,
                self._slippage,
                taker=order.client_order_id in self._taker,
            )
            if execution is None:
                self._taker.discard(order.client_order_id)
                if order.type is OrderType.LIMIT and order.time_in_force in _IMMEDIATE:
                    self._expire(order, market, when)
                continue
            fill = self._execute(order, market, execution, when)
            if fill is not None:
                fills.append(fill)
        return fills

    # ------------------------------------------------------------------ internals
    def _store(self, order: Order) -> None:
        self._ledger.save_order(order)
        self._index(order)

    def _index(self, order: Order) -> None:
        self._orders[order.client_order_id] = order
        active = self._active.setdefault(order.symbol, {})
        if order.status.is_active:
            active[order.client_order_id] = None
        else:
            active.pop(order.client_order_id, None)

    def _release(self, order: Order, market: Market) -> None:
        self.account.release(order, market)
        self._taker.discard(order.client_order_id)

    def _expire(self, order: Order, market: Market, when: int) -> None:
        self._release(order, market)
        self._store(
            order.with_changes(
                status=OrderStatus.EXPIRED,
                updated_at=when,
                reason=f"{order.time_in_force} limit could not trade at once",
            )
        )
        self._ledger.save_balances(self.account.snapshot())

    def _trigger_stop_limit(self, order: Order, price: Decimal, when: int) -> Order:
        triggered = order.with_changes(type=OrderType.LIMIT, updated_at=when)
        if order.price is not None and limit_crossed(order.side, order.price, price):
            self._taker.add(order.client_order_id)
        self._store(triggered)
        return triggered

    def _execute(
        self, order: Order, market: Market, execution: Execution, when: int
    ) -> Fill | None:
        cost = execution.price * order.amount
        fee = quantize_quote(cost * (market.maker_fee if execution.is_maker else market.taker_fee))
        self._release(order, market)
        missing = self.account.shortfall(order, market, cost, fee)
        if missing > 0:
            rejected = order.with_changes(
                status=OrderStatus.REJECTED,
                updated_at=when,
                reason=f"{market.quote} balance short by {missing} at the fill price",
            )
            self._store(rejected)
            self._ledger.save_balances(self.account.snapshot())
            return None
        self.account.settle(order, market, cost, fee)
        fill = Fill(
            trade_id=f"paper-t{len(self._fills) + 1}",
            client_order_id=order.client_order_id,
            symbol=order.symbol,
            side=order.side,
            price=execution.price,
            amount=order.amount,
            fee=fee,
            fee_currency=market.quote,
            timestamp=when,
            exchange_order_id=order.exchange_order_id,
            is_maker=execution.is_maker,
        )
        filled = order.with_changes(
            status=OrderStatus.FILLED,
            filled=order.amount,
            average_price=execution.price,
            fee=fee,
            fee_currency=market.quote,
            updated_at=when,
        )
        self._fills.append(fill)
        self._store(filled)
        self._ledger.save_fill(fill)
        self._ledger.save_balances(self.account.snapshot())
        logger.info(
            "paper: filled %s %s %s at %s, fee %s %s",
            order.side,
            order.amount,
            order.symbol,
            execution.price,
            fee,
            market.quote,
            extra={"symbol": order.symbol, "client_order_id": order.client_order_id},
        )
        return fill

    def restore_reservations(self, markets: Mapping[str, Market], now: int) -> None:
        """Rebuild reservations of orders left active by a previous run.

        A market order still waiting for its first price when the app stopped cannot be priced
        consistently after the restart and is expired (nothing was bought or sold).

        Args:
            markets: the loaded markets (orders of unlisted symbols keep no reservation).
            now: current time in ms UTC.
        """
        active: list[tuple[Order, Market]] = []
        for symbol, coids in self._active.items():
            market = markets.get(symbol)
            for coid in list(coids):
                order = self._orders[coid]
                if market is None:
                    continue
                if order.type is OrderType.MARKET:
                    self._store(
                        order.with_changes(
                            status=OrderStatus.EXPIRED,
                            reason="the paper exchange restarted before the next price",
                            updated_at=max(order.updated_at, now),
                        )
                    )
                    continue
                active.append((order, market))
        self.account.rebuild(active)
        if self._orders:
            self._ledger.save_balances(self.account.snapshot())
