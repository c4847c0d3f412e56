"""Deterministic matching and accounting of the emulated spot venue.

Orders fill in order id order at prices the test sets: a market order (or a limit order that
crosses when it arrives) fills at the current price as taker; a resting limit order fills at its
own price as maker when :meth:`Venue.set_price` crosses it; stop orders wait for their trigger.
Each matching event fills an order completely unless :attr:`Venue.fill_limits` caps the
quantity per event for the symbol (partial fills: a limit order keeps resting, a market/IOC
remainder expires, a FOK that cannot fill completely expires untouched). The fee is
``fee_rate`` of the traded amount, charged in the quote asset, or with :attr:`Venue.fee_asset`
``"received"`` in the asset the order receives (Binance without BNB: a BUY pays in the base
coin, rounded to 8 places, and is credited the quantity minus the fee; a SELL pays in quote).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_DOWN, Decimal

from app.core.money import ONE, ZERO, is_multiple_of, quantize_quote, round_amount
from tests.emulator.errors import (
    DUPLICATE_ORDER,
    BinanceError,
    bad_request,
    filter_failure,
    invalid_symbol,
    mandatory,
    order_rejected,
)
from tests.emulator.ledger import Ledger
from tests.emulator.markets import MarketSpec
from tests.emulator.orders import (
    LIMIT_TYPES,
    STOP_TYPES,
    EmuOrder,
    EmuTrade,
    NewOrder,
    OrderUpdate,
)

ORDER_NOT_FOUND = "Order does not exist."
UNKNOWN_ORDER = "Unknown order sent."
TIMES_IN_FORCE = frozenset({"GTC", "IOC", "FOK"})
EIGHT_PLACES = Decimal("0.00000001")
FEE_ASSETS = frozenset({"quote", "received"})
"""Where fees are charged: always the quote asset, or the asset the order receives."""
MARKET_TYPES = frozenset({"MARKET", "STOP_LOSS", "TAKE_PROFIT"})
"""Types that fill at any price once working (stop-market after their trigger)."""


def _crosses(order: EmuOrder, price: Decimal) -> bool:
    """True when a limit order at ``order.price`` trades against the market at ``price``."""
    return order.price >= price if order.side == "BUY" else order.price <= price


def _stop_hit(side: str, order_type: str, stop: Decimal, price: Decimal) -> bool:
    """Binance trigger rule: stop-loss buys/sells on a rise/fall, take-profit the opposite."""
    rising = price >= stop
    falling = price <= stop
    if order_type.startswith("STOP_LOSS"):
        return rising if side == "BUY" else falling
    return falling if side == "BUY" else rising


class Venue:
    """Orders, trades, balances and last prices of one emulated account (not thread-safe).

    Args:
        markets: listed symbols.
        balances: starting free balance per asset.
        fee_rate: fee as a fraction of notional (0.001 = 0.1 %), charged in the quote asset.
        clock: returns the venue time in ms.
    """

    def __init__(
        self,
        markets: list[MarketSpec],
        balances: dict[str, Decimal],
        fee_rate: Decimal,
        clock: Callable[[], int],
    ) -> None:
        self.markets = {spec.market_id: spec for spec in markets}
        self.ledger = Ledger(balances)
        self.fee_rate = fee_rate
        self.fee_asset = "quote"
        """One of :data:`FEE_ASSETS`."""
        self.prices: dict[str, Decimal] = {}
        self.fill_limits: dict[str, Decimal] = {}
        self.updates: list[OrderUpdate] = []
        """Order events not yet published (drained by the server after each change)."""
        self.orders: dict[int, EmuOrder] = {}
        self.trades: list[EmuTrade] = []
        self._clock = clock
        self._by_client: dict[str, int] = {}
        self._next_order_id = 1
        self._next_trade_id = 1

    # ------------------------------------------------------------------ queries
    def market(self, market_id: str) -> MarketSpec:
        """The listed symbol ``market_id``.

        Raises:
            BinanceError: -1121 when the symbol is not listed.
        """
        try:
            return self.markets[market_id]
        except KeyError:
            raise invalid_symbol() from None

    def find(self, symbol: str, order_id: int | None, client_id: str | None) -> EmuOrder:
        """The order with ``order_id`` or ``client_id`` on ``symbol``.

        Raises:
            BinanceError: -1102 when neither id is given, -2013 when no such order exists.
        """
        self.market(symbol)
        if order_id is None and client_id is None:
            raise mandatory("orderId")
        if order_id is None:
            order_id = self._by_client.get(client_id or "")
        order = self.orders.get(order_id) if order_id is not None else None
        if order is None or order.symbol != symbol:
            raise bad_request(-2013, ORDER_NOT_FOUND)
        if client_id is not None and order.client_order_id != client_id:
            raise bad_request(-2013, ORDER_NOT_FOUND)
        return order

    def open_orders(self, symbol: str | None = None) -> list[EmuOrder]:
        """Open orders (of ``symbol`` when given), oldest first."""
        return [o for o in self.orders.values() if o.is_open and symbol in (None, o.symbol)]

    def by_client_id(self) -> dict[str, EmuOrder]:
        """Every order keyed by its client order id."""
        return {client: self.orders[order_id] for client, order_id in self._by_client.items()}

    # ------------------------------------------------------------------ commands
    def place(self, request: NewOrder) -> tuple[EmuOrder, list[EmuTrade]]:
        """Validate, accept and (when marketable) fill a new order.

        Returns:
            The stored order and the trades it made immediately.

        Raises:
            BinanceError: -1121 unknown symbol, -1102 missing parameter, -1013 filter
                failure, -2010 duplicate client order id / insufficient balance / stop that
                would trigger immediately / LIMIT_MAKER that would take.
        """
        spec = self.market(request.symbol)
        if request.client_order_id is not None and request.client_order_id in self._by_client:
            raise order_rejected(DUPLICATE_ORDER)
        now_price = self.prices.get(spec.market_id)
        quantity = self._quantity(spec, request, now_price)
        reference = self._reference_price(spec, request, now_price)
        self._check_lot(spec, quantity)
        if quantity * reference < spec.min_notional:
            raise filter_failure("NOTIONAL")
        self._check_marketability(request, now_price)
        order_id = self._next_order_id
        now = self._clock()
        order = EmuOrder(
            order_id=order_id,
            client_order_id=request.client_order_id or f"emu{order_id:010d}",
            symbol=spec.market_id,
            side=request.side,
            type=request.type,
            time_in_force=request.time_in_force or "GTC",
            quantity=quantity,
            price=request.price or ZERO,
            stop_price=request.stop_price or ZERO,
            time=now,
            update_time=now,
            orig_quote_qty=request.quote_order_qty or ZERO,
        )
        order = self._lock(spec, order, reference)
        self._next_order_id += 1
        self._store(order)
        self._by_client[order.client_order_id] = order.order_id
        self.updates.append(OrderUpdate("NEW", order))
        if order.type in STOP_TYPES:
            return order, []
        return self._activate(order, now_price)

    def cancel(self, symbol: str, order_id: int | None, client_id: str | None) -> EmuOrder:
        """Cancel an open order and release what it reserved.

        Raises:
            BinanceError: -2011 when the order is unknown or no longer open.
        """
        try:
            order = self.find(symbol, order_id, client_id)
        except BinanceError as exc:
            if exc.code == -2013:
                raise bad_request(-2011, UNKNOWN_ORDER) from None
            raise
        if not order.is_open:
            raise bad_request(-2011, UNKNOWN_ORDER)
        return self._close(order, "CANCELED")

    def cancel_all(self, symbol: str) -> list[EmuOrder]:
        """Cancel every open order of ``symbol``.

        Raises:
            BinanceError: -2011 when there is none (as Binance answers).
        """
        self.market(symbol)
        orders = self.open_orders(symbol)
        if not orders:
            raise bad_request(-2011, UNKNOWN_ORDER)
        return [self._close(order, "CANCELED") for order in orders]

    def set_price(self, symbol: str, price: Decimal) -> list[EmuTrade]:
        """Move the market to ``price``: trigger stops and fill crossed orders, oldest first.

        Returns:
            The trades this move produced.
        """
        self.market(symbol)
        self.prices[symbol] = price
        trades: list[EmuTrade] = []
        for order in self.open_orders(symbol):
            if order.type in STOP_TYPES and not order.triggered:
                if not _stop_hit(order.side, order.type, order.stop_price, price):
                    continue
                order = self._store(order.with_changes(triggered=True, update_time=self._clock()))
                _, made = self._activate(order, price)
                trades.extend(made)
            elif _crosses(order, price):
                trades.extend(self._fill(order, order.price, is_maker=True))
        return trades

    # ------------------------------------------------------------------ internals
    def _quantity(self, spec: MarketSpec, request: NewOrder, now_price: Decimal | None) -> Decimal:
        if request.quantity is not None:
            return request.quantity
        if request.type == "MARKET" and request.quote_order_qty is not None:
            if now_price is None:
                raise order_rejected("Market is closed.")
            return round_amount(request.quote_order_qty / now_price, spec.step_size)
        raise mandatory("quantity")

    def _reference_price(
        self, spec: MarketSpec, request: NewOrder, now_price: Decimal | None
    ) -> Decimal:
        """Price used for the notional filter and the balance reservation."""
        if request.type in LIMIT_TYPES:
            if request.price is None:
                raise mandatory("price")
            self._check_price(spec, request.price)
            if request.time_in_force is None and request.type != "LIMIT_MAKER":
                raise mandatory("timeInForce")
            if request.time_in_force is not None and request.time_in_force not in TIMES_IN_FORCE:
                raise bad_request(-1115, "Invalid timeInForce.")
        if request.type in STOP_TYPES:
            if request.stop_price is None:
                raise mandatory("stopPrice")
            self._check_price(spec, request.stop_price)
        if request.type in LIMIT_TYPES and request.price is not None:
            return request.price
        if request.type in STOP_TYPES and request.stop_price is not None:
            return request.stop_price
        if now_price is None:
            raise order_rejected("Market is closed.")
        return now_price

    @staticmethod
    def _check_price(spec: MarketSpec, price: Decimal) -> None:
        if price < spec.lowest_price or price > spec.max_price:
            raise filter_failure("PRICE_FILTER")
        if not is_multiple_of(price, spec.tick_size):
            raise filter_failure("PRICE_FILTER")

    @staticmethod
    def _check_lot(spec: MarketSpec, quantity: Decimal) -> None:
        if quantity < spec.min_qty or quantity > spec.max_qty:
            raise filter_failure("LOT_SIZE")
        if not is_multiple_of(quantity, spec.step_size):
            raise filter_failure("LOT_SIZE")

    @staticmethod
    def _check_marketability(request: NewOrder, now_price: Decimal | None) -> None:
        if now_price is None:
            return
        stop = request.stop_price
        if (
            request.type in STOP_TYPES
            and stop is not None
            and _stop_hit(request.side, request.type, stop, now_price)
        ):
            raise order_rejected("Stop price would trigger immediately.")
        if request.type == "LIMIT_MAKER" and request.price is not None:
            buy_crosses = request.side == "BUY" and request.price >= now_price
            sell_crosses = request.side == "SELL" and request.price <= now_price
            if buy_crosses or sell_crosses:
                raise order_rejected("Order would immediately match and take.")

    def _lock(self, spec: MarketSpec, order: EmuOrder, reference: Decimal) -> EmuOrder:
        if order.side == "BUY":
            amount = order.quantity * reference * (ONE + self.fee_rate)
            self.ledger.lock(spec.quote, amount)
            return order.with_changes(locked_asset=spec.quote, locked=amount)
        self.ledger.lock(spec.base, order.quantity)
        return order.with_changes(locked_asset=spec.base, locked=order.quantity)

    def _store(self, order: EmuOrder) -> EmuOrder:
        self.orders[order.order_id] = order
        return order

    def _close(self, order: EmuOrder, status: str) -> EmuOrder:
        self.ledger.unlock(order.locked_asset, order.locked)
        closed = order.with_changes(status=status, locked=ZERO, update_time=self._clock())
        self.updates.append(OrderUpdate(status, closed))
        return self._store(closed)

    def _activate(self, order: EmuOrder, price: Decimal | None) -> tuple[EmuOrder, list[EmuTrade]]:
        """Fill a newly working order when it is marketable; expire what may not rest."""
        takes_any_price = order.type in MARKET_TYPES
        marketable = price is not None and (takes_any_price or _crosses(order, price))
        cannot_rest = takes_any_price or order.time_in_force in ("IOC", "FOK")
        if marketable and price is not None:
            cap = self.fill_limits.get(order.symbol)
            if order.time_in_force == "FOK" and cap is not None and cap < order.quantity:
                return self._close(order, "EXPIRED"), []
            trades = self._fill(order, price, is_maker=False)
            current = self.orders[order.order_id]
            if current.is_open and cannot_rest:
                current = self._close(current, "EXPIRED")
            return current, trades
        if cannot_rest:
            return self._close(order, "EXPIRED"), []
        return order, []

    def _fill(self, order: EmuOrder, price: Decimal, *, is_maker: bool) -> list[EmuTrade]:
        """Fill the remaining quantity (up to the symbol's fill limit) at ``price``.

        The order's reservation is released in proportion; an order the account can no
        longer pay for expires.
        """
        spec = self.markets[order.symbol]
        remaining = order.quantity - order.executed_qty
        cap = self.fill_limits.get(order.symbol)
        qty = remaining if cap is None else min(remaining, cap)
        quote_qty = qty * price
        fee_in_base = order.side == "BUY" and self.fee_asset == "received"
        fee = quantize_quote((qty if fee_in_base else quote_qty) * self.fee_rate)
        release = order.locked
        if qty < remaining:
            release = (order.locked * qty / remaining).quantize(EIGHT_PLACES, rounding=ROUND_DOWN)
        self.ledger.unlock(order.locked_asset, release)
        order = self._store(order.with_changes(locked=order.locked - release))
        try:
            if fee_in_base:
                self.ledger.debit_free(spec.quote, quote_qty)
                self.ledger.credit(spec.base, qty - fee)
            elif order.side == "BUY":
                self.ledger.debit_free(spec.quote, quote_qty + fee)
                self.ledger.credit(spec.base, qty)
            else:
                self.ledger.debit_free(spec.base, qty)
                self.ledger.credit(spec.quote, quote_qty - fee)
        except BinanceError:
            self._close(order, "EXPIRED")
            return []
        now = self._clock()
        trade = EmuTrade(
            trade_id=self._next_trade_id,
            order_id=order.order_id,
            client_order_id=order.client_order_id,
            symbol=order.symbol,
            side=order.side,
            price=price,
            qty=qty,
            quote_qty=quote_qty,
            commission=fee,
            commission_asset=spec.base if fee_in_base else spec.quote,
            time=now,
            is_maker=is_maker,
        )
        self._next_trade_id += 1
        self.trades.append(trade)
        executed = order.executed_qty + qty
        filled = self._store(
            order.with_changes(
                status="FILLED" if executed == order.quantity else "PARTIALLY_FILLED",
                executed_qty=executed,
                cumulative_quote=order.cumulative_quote + quote_qty,
                update_time=now,
            )
        )
        self.updates.append(OrderUpdate("TRADE", filled, trade))
        return [trade]
