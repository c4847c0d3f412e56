"""Paper exchange: the ExchangePort with simulated fills and Decimal balances.

Prices come from a market-data source (live ccxt prices in paper mode, the replay feed in
offline mode). Every price the exchange sees — through ``fetch_ticker``/``watch_ticker`` or pushed
with :meth:`PaperExchange.on_price` — is matched against the active orders of that symbol
(rules in :mod:`app.exchange.paper_matching`, kept by :class:`~app.exchange.paper_book.
PaperBook`). Orders, fills and balances are written to a
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

from app.core.enums import OrderStatus, OrderType, Side, TimeInForce
from app.core.errors import DuplicateOrder, InvalidOrder, StreamNotSupported
from app.core.models import Balance, Candle, Fill, Market, Order
from app.core.ports import Clock
from app.exchange.paper_book import PaperBook
from app.exchange.paper_ledger import PaperLedger
from app.exchange.paper_matching import limit_crossed
from app.exchange.paper_source import CandleStreamSource, MarketDataSource
from app.exchange.validation import check_order, market_for

logger = logging.getLogger(__name__)

DEFAULT_SLIPPAGE = Decimal("0.0005")

__all__ = ["DEFAULT_SLIPPAGE", "MarketDataSource", "PaperExchange"]


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
        self._clock = clock
        self._fee_rate = fee_rate
        self._match_on_reads = match_on_reads
        self._id = exchange_id
        self._markets: dict[str, Market] = {}
        self._last: dict[str, Decimal] = {}
        self._book = PaperBook(ledger, initial_balances, slippage, exchange_id)
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
            self._restored = True
            self._book.restore_reservations(self._markets, self._clock.now_ms())
        return self._markets

    async def fetch_ohlcv(
        self, symbol: str, timeframe: str, since: int | None = None, limit: int | None = None
    ) -> Sequence[Candle]:
        """Candles of the price source."""
        return await self._data.fetch_ohlcv(symbol, timeframe, since, limit)

    async def watch_ohlcv(self, symbol: str, timeframe: str) -> Sequence[Candle]:
        """Candles the price source pushed since the last call (when it streams candles).

        Raises:
            StreamNotSupported: the source has no candle stream (the replay feed, a REST-only
                source); poll :meth:`fetch_ohlcv` instead.
            ExchangeError: the source's stream failed.
        """
        if not isinstance(self._data, CandleStreamSource):
            raise StreamNotSupported(
                f"{self._id}: the price source {self._data.exchange_id} pushes no candles; "
                "candles are polled"
            )
        return await self._data.watch_ohlcv(symbol, timeframe)

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
        return self._book.match(symbol, price, market, when)

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
        if client_order_id in self._book:
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
            exchange_order_id=f"paper-{len(self._book) + 1}",
            created_at=self._clock.now_ms(),
            updated_at=self._clock.now_ms(),
        )
        account = self._book.account
        currency, needed = account.reservation(order, market, account.reference_price(order, last))
        crossed = price is not None and limit_crossed(side, price, last)
        taker = order_type is OrderType.LIMIT and crossed
        self._book.place(order, currency, needed, taker=taker)
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
        order = self._book.get(symbol, client_order_id)
        if not order.status.is_active:
            return order
        return self._book.cancel(order, self._markets[symbol], self._clock.now_ms())

    async def fetch_order(self, symbol: str, client_order_id: str) -> Order:
        """The order with ``client_order_id``.

        Raises:
            OrderNotFound: no order with this client order id.
        """
        await self.load_markets()
        return self._book.get(symbol, client_order_id)

    async def fetch_open_orders(self, symbol: str | None = None) -> Sequence[Order]:
        """Active orders, oldest first."""
        await self.load_markets()
        return self._book.open_orders(symbol)

    async def fetch_balance(self) -> Mapping[str, Balance]:
        """Balances by currency."""
        await self.load_markets()
        return self._book.account.snapshot()

    async def fetch_my_trades(
        self, symbol: str, since: int | None = None, limit: int | None = None
    ) -> Sequence[Fill]:
        """Fills in ``symbol`` from ``since`` (ms UTC), oldest first, at most ``limit``."""
        return self._book.fills(symbol, since, limit)

    async def close(self) -> None:
        """Close the price source."""
        await self._data.close()
