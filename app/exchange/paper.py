"""Paper exchange: the ExchangePort with simulated fills and Decimal balances.

Prices come from a market-data source (live ccxt prices in paper mode, the replay feed in
offline mode). Every price the exchange sees — through ``fetch_ticker``/``watch_ticker`` or pushed
with :meth:`PaperExchange.on_price` — is matched against the active orders of that symbol
(rules in :mod:`app.exchange.paper_matching`). Orders, fills and balances are written to a
:class:`~app.exchange.paper_ledger.PaperLedger` on every change, so they survive a restart.

Limit orders marked IOC/FOK that cannot trade at the next price expire (orders always fill
completely); a post-only limit that would trade at once is refused. Funds are reserved when an
order is placed (buys: quote for amount x price x (1 + fee);
sells: the base amount) and released when it fills or is cancelled. Fees are charged in the
quote currency.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Protocol

from app.core.enums import OrderStatus, OrderType, Side, TimeInForce
from app.core.errors import DuplicateOrder, InvalidOrder, OrderNotFound
from app.core.models import Balance, Candle, Fill, Market, Order
from app.core.money import quantize_quote
from app.core.ports import Clock
from app.exchange.paper_account import PaperAccount
from app.exchange.paper_ledger import PaperLedger
from app.exchange.paper_matching import Execution, execution_for, limit_crossed, stop_triggered
from app.exchange.validation import check_order, market_for

logger = logging.getLogger(__name__)

DEFAULT_SLIPPAGE = Decimal("0.0005")
_IMMEDIATE = (TimeInForce.IOC, TimeInForce.FOK)


class MarketDataSource(Protocol):
    """The read-only half of an exchange the paper exchange takes its prices from."""

    @property
    def exchange_id(self) -> str:
        """Venue id of the prices."""
        ...

    async def load_markets(self, reload: bool = False) -> Mapping[str, Market]:
        """Markets by symbol."""
        ...

    async def fetch_ohlcv(
        self, symbol: str, timeframe: str, since: int | None = None, limit: int | None = None
    ) -> Sequence[Candle]:
        """Candles, oldest first."""
        ...

    async def fetch_ticker(self, symbol: str) -> Decimal:
        """Last price."""
        ...

    async def watch_ticker(self, symbol: str) -> Decimal:
        """Next last price."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


class PaperExchange:
    """Simulated account on real (or replayed) prices.

    Args:
        market_data: where prices, candles and markets come from.
        ledger: persistence of orders, fills and balances.
        clock: current time in ms UTC (the replay clock in offline mode).
        initial_balances: starting funds of a new account (ignored when the ledger has some).
        slippage: adverse fraction applied to taker fills at the market (0.0005 = 5 bps).
        fee_rate: fee fraction for maker and taker fills; None keeps each market's own fees.
        match_on_reads: match orders against prices read through ``fetch_ticker`` and
            ``watch_ticker`` (False when the source pushes every price to :meth:`on_price`).
        exchange_id: id reported by ``exchange_id``.
    """

    def __init__(
        self,
        market_data: MarketDataSource,
        ledger: PaperLedger,
        clock: Clock,
        *,
        initial_balances: Mapping[str, Decimal] | None = None,
        slippage: Decimal = DEFAULT_SLIPPAGE,
        fee_rate: Decimal | None = None,
        match_on_reads: bool = True,
        exchange_id: str = "paper",
    ) -> None:
        self._data = market_data
        self._ledger = ledger
        self._clock = clock
        self._slippage = slippage
        self._fee_rate = fee_rate
        self._match_on_reads = match_on_reads
        self._id = exchange_id
        self._markets: dict[str, Market] = {}
        self._last: dict[str, Decimal] = {}
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
        self._account = PaperAccount(stored, exchange_id, slippage)
        self._restored = False

    @property
    def exchange_id(self) -> str:
        """Id of this paper account ("paper")."""
        return self._id

    @property
    def market_data(self) -> MarketDataSource:
        """The price source (in offline mode the :class:`~app.exchange.replay.ReplayFeed`,
        whose ``subscribe`` delivers candle events)."""
        return self._data

    # ------------------------------------------------------------------ market data
    async def load_markets(self, reload: bool = False) -> Mapping[str, Market]:
        """Markets of the price source (cached); restores reservations on first load."""
        if not self._markets or reload:
            markets = await self._data.load_markets(reload)
            fee = self._fee_rate
            self._markets = {
                symbol: market if fee is None else replace(market, maker_fee=fee, taker_fee=fee)
                for symbol, market in markets.items()
            }
        if not self._restored:
            self._restore_reservations()
        return self._markets

    async def fetch_ohlcv(
        self, symbol: str, timeframe: str, since: int | None = None, limit: int | None = None
    ) -> Sequence[Candle]:
        """Candles of the price source."""
        return await self._data.fetch_ohlcv(symbol, timeframe, since, limit)

    async def fetch_ticker(self, symbol: str) -> Decimal:
        """Last price of the source; active orders are matched against it."""
        price = await self._data.fetch_ticker(symbol)
        if self._match_on_reads:
            await self.load_markets()
            self.on_price(symbol, price)
        return price

    async def watch_ticker(self, symbol: str) -> Decimal:
        """Next price of the source; active orders are matched against it."""
        price = await self._data.watch_ticker(symbol)
        if self._match_on_reads:
            await self.load_markets()
            self.on_price(symbol, price)
        return price

    def on_price(self, symbol: str, price: Decimal, timestamp: int | None = None) -> list[Fill]:
        """Match the active orders of ``symbol`` against a new price.

        Markets must have been loaded (any awaited call does it).

        Args:
            symbol: unified symbol.
            price: the new last price.
            timestamp: time of the price in ms UTC (default: the clock).

        Returns:
            The fills this price produced, in order.
        """
        self._last[symbol] = price
        market = self._markets.get(symbol)
        if market is None:
            return []
        when = self._clock.now_ms() if timestamp is None else timestamp
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
                    self._expire(order, when)
                continue
            fill = self._execute(order, market, execution, when)
            if fill is not None:
                fills.append(fill)
        return fills

    # ------------------------------------------------------------------ orders
    async def create_order(
        self,
        client_order_id: str,
        symbol: str,
        side: Side,
        order_type: OrderType,
        amount: Decimal,
        price: Decimal | None = None,
        stop_price: Decimal | None = None,
        time_in_force: TimeInForce = TimeInForce.GTC,
    ) -> Order:
        """Place a simulated order; it fills on a later price (see the module rules).

        Raises:
            BadSymbol: the symbol is not listed.
            InvalidOrder: off the tick/step grid, below the minimum notional, or no price known.
            DuplicateOrder: ``client_order_id`` was used before on this account.
            InsufficientFunds: the free balance cannot cover the reservation.
        """
        markets = await self.load_markets()
        market = market_for(markets, symbol, self._id)
        if client_order_id in self._orders:
            raise DuplicateOrder(
                f"{self._id}: client order id {client_order_id} was already used; "
                "look that order up instead of placing it again"
            )
        last = self._last.get(symbol)
        if last is None:
            last = await self._data.fetch_ticker(symbol)
            self._last[symbol] = last
        check_order(market, order_type, amount, price, stop_price, reference_price=last)
        post_only = time_in_force is TimeInForce.POST_ONLY and order_type is OrderType.LIMIT
        if post_only and price is not None and limit_crossed(side, price, last):
            raise InvalidOrder(
                f"{self._id}: post-only {side} at {price} would trade at once against the "
                f"last price {last}; move the limit price away from the market"
            )
        order = Order(
            client_order_id=client_order_id,
            symbol=symbol,
            side=side,
            type=order_type,
            amount=amount,
            price=price,
            stop_price=stop_price,
            time_in_force=time_in_force,
            status=OrderStatus.OPEN,
            exchange_order_id=f"paper-{len(self._orders) + 1}",
            created_at=self._clock.now_ms(),
            updated_at=self._clock.now_ms(),
        )
        reference = self._account.reference_price(order, last)
        currency, needed = self._account.reservation(order, market, reference)
        self._ledger.save_order(order)  # recorded before anything changes in memory
        self._index(order)
        self._account.hold(client_order_id, currency, needed)
        if order_type is OrderType.LIMIT and price is not None and limit_crossed(side, price, last):
            self._taker.add(client_order_id)
        self._ledger.save_balances(self._account.snapshot())
        logger.info(
            "paper: placed %s %s %s %s at %s (client id %s)",
            side,
            order_type,
            amount,
            symbol,
            price if price is not None else "market",
            client_order_id,
        )
        return order

    async def cancel_order(self, symbol: str, client_order_id: str) -> Order:
        """Cancel an active order and release its reservation; a finished order is returned.

        Raises:
            OrderNotFound: no order with this client order id.
        """
        await self.load_markets()
        order = self._get(symbol, client_order_id)
        if not order.status.is_active:
            return order
        self._release(order)
        cancelled = order.with_changes(status=OrderStatus.CANCELED, updated_at=self._clock.now_ms())
        self._store(cancelled)
        self._ledger.save_balances(self._account.snapshot())
        return cancelled

    async def fetch_order(self, symbol: str, client_order_id: str) -> Order:
        """The order with ``client_order_id``.

        Raises:
            OrderNotFound: no order with this client order id.
        """
        await self.load_markets()
        return self._get(symbol, client_order_id)

    async def fetch_open_orders(self, symbol: str | None = None) -> Sequence[Order]:
        """Active orders, oldest first."""
        await self.load_markets()
        return [
            o
            for o in self._orders.values()
            if o.status.is_active and (symbol is None or o.symbol == symbol)
        ]

    async def fetch_balance(self) -> Mapping[str, Balance]:
        """Balances by currency."""
        await self.load_markets()
        return self._account.snapshot()

    async def fetch_my_trades(
        self, symbol: str, since: int | None = None, limit: int | None = None
    ) -> Sequence[Fill]:
        """Fills in ``symbol`` from ``since`` (ms UTC), oldest first, at most ``limit``."""
        fills = [
            f for f in self._fills if f.symbol == symbol and (since is None or f.timestamp >= since)
        ]
        return fills[:limit] if limit is not None else fills

    async def close(self) -> None:
        """Close the price source."""
        await self._data.close()

    # ------------------------------------------------------------------ internals
    def _get(self, symbol: str, client_order_id: str) -> Order:
        order = self._orders.get(client_order_id)
        if order is None or order.symbol != symbol:
            raise OrderNotFound(f"{self._id}: no order {client_order_id} in {symbol}")
        return order

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

    def _release(self, order: Order) -> None:
        self._account.release(order, self._markets[order.symbol])
        self._taker.discard(order.client_order_id)

    def _expire(self, order: Order, when: int) -> None:
        self._release(order)
        self._store(
            order.with_changes(
                status=OrderStatus.EXPIRED,
                updated_at=when,
                reason=f"{order.time_in_force} limit could not trade at once",
            )
        )
        self._ledger.save_balances(self._account.snapshot())

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
        self._release(order)
        missing = self._account.shortfall(order, market, cost, fee)
        if missing > 0:
            rejected = order.with_changes(
                status=OrderStatus.REJECTED,
                updated_at=when,
                reason=f"{market.quote} balance short by {missing} at the fill price",
            )
            self._store(rejected)
            self._ledger.save_balances(self._account.snapshot())
            return None
        self._account.settle(order, market, cost, fee)
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
        self._ledger.save_balances(self._account.snapshot())
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

    def _restore_reservations(self) -> None:
        """Rebuild reservations of orders left active by a previous run.

        A market order still waiting for its first price when the app stopped cannot be priced
        consistently after the restart and is expired (nothing was bought or sold).
        """
        self._restored = True
        active: list[tuple[Order, Market]] = []
        for symbol, coids in self._active.items():
            market = self._markets.get(symbol)
            for coid in list(coids):
                order = self._orders[coid]
                if market is None:
                    continue
                if order.type is OrderType.MARKET:
                    self._store(
                        order.with_changes(
                            status=OrderStatus.EXPIRED,
                            reason="the paper exchange restarted before the next price",
                            updated_at=max(order.updated_at, self._clock.now_ms()),
                        )
                    )
                    continue
                active.append((order, market))
        self._account.rebuild(active)
        if self._orders:
            self._ledger.save_balances(self._account.snapshot())
