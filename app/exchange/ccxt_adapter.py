"""ExchangePort over ccxt: any ccxt exchange by id, REST through ``ccxt.async_support``, live
tickers and candles through ``ccxt.pro`` websockets (tickers fall back to REST polling here;
candles in the engine's candle feed).

Reads are retried (:mod:`app.exchange.retry`). Orders are sent exactly once: each carries the
caller's client order id, and an ambiguous outcome is resolved by looking that id up
(:meth:`CcxtExchange.create_order` documents the rule).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

import ccxt
import ccxt.async_support as ccxt_async

from app.core.enums import OrderType, Side, TimeInForce
from app.core.errors import (
    BadExchangeReply,
    ConfigError,
    ExchangeError,
)
from app.core.models import Balance, Candle, Fill, Market, Order
from app.exchange.ccxt_config import build_ccxt_config
from app.exchange.ccxt_streams import CandleStreams
from app.exchange.convert import (
    balances_from_ccxt,
    candles_from_ccxt,
    ccxt_order_arguments,
    fill_from_ccxt,
    last_price_from_ticker,
    order_from_ccxt,
)
from app.exchange.credentials import Credentials
from app.exchange.errors import is_ambiguous_submission, map_ccxt_error, parse_retry_after
from app.exchange.markets import markets_from_ccxt
from app.exchange.resolution import resolve_by_client_id
from app.exchange.retry import RetryPolicy, Sleep, call_with_retry
from app.exchange.validation import check_order, market_for
from app.exchange.websocket import TickerStream

logger = logging.getLogger(__name__)

T = TypeVar("T")

_PARSE_ERRORS = (TypeError, ValueError, KeyError, AttributeError, IndexError)


class CcxtExchange:
    """ExchangePort implementation for any ccxt exchange.

    Args:
        exchange_id: ccxt id ("binance", "kraken", ...).
        ccxt_config: passed to the ccxt constructor (options, urls, proxies, timeout).
        credentials: API key/secret held in memory only (never logged).
        sandbox: use the venue's testnet.
        retry_policy: how reads are retried.
        sleep: awaitable sleep (injected by tests).
        rng: jitter source (injected by tests).
        order_lookups: how many times an ambiguous order is looked up by client order id.
        lookup_delay: seconds between those lookups (lets a queued request land).
        poll_interval: seconds between REST ticker polls when websockets are unavailable.
        use_websocket: try ``ccxt.pro`` for ``watch_ticker`` and ``watch_ohlcv``.

    Raises:
        ConfigError: ccxt does not know ``exchange_id``, or the venue has no sandbox.
    """

    def __init__(
        self,
        exchange_id: str,
        ccxt_config: Mapping[str, Any] | None = None,
        *,
        credentials: Credentials | None = None,
        sandbox: bool = False,
        retry_policy: RetryPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
        order_lookups: int = 3,
        lookup_delay: float = 1.0,
        poll_interval: float = 2.0,
        use_websocket: bool = True,
    ) -> None:
        klass = getattr(ccxt_async, exchange_id, None)
        if exchange_id not in ccxt.exchanges or klass is None:
            raise ConfigError(
                f"exchange.id: {exchange_id!r} is not an exchange ccxt supports; "
                "use a ccxt id such as 'binance' or 'kraken'"
            )
        self._id = exchange_id
        self._config = build_ccxt_config(exchange_id, ccxt_config, credentials)
        self._client: Any = klass(self._config)
        self._sandbox = sandbox
        if sandbox:
            self._enable_sandbox()
        self._retry = retry_policy or RetryPolicy()
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not crypto
        self._order_lookups = max(order_lookups, 1)
        self._lookup_delay = lookup_delay
        self._markets: dict[str, Market] = {}
        self._client_ids: dict[str, str] = {}
        self._exchange_ids: dict[str, str] = {}
        self._tickers = TickerStream(
            exchange_id,
            self._config,
            sandbox=sandbox,
            enabled=use_websocket,
            poll=self.fetch_ticker,
            poll_interval=poll_interval,
            sleep=sleep,
        )
        self._candles = CandleStreams(
            exchange_id,
            self._config,
            sandbox=sandbox,
            enabled=use_websocket,
            markets=lambda: self._client.markets,
        )

    def _enable_sandbox(self) -> None:
        message = f"exchange.sandbox: {self._id} has no testnet; turn sandbox off"
        if not self._client.urls.get("test"):
            raise ConfigError(message)
        try:
            self._client.set_sandbox_mode(True)
        except (ccxt.NotSupported, TypeError) as exc:
            raise ConfigError(message) from exc

    @property
    def exchange_id(self) -> str:
        """ccxt id of the venue."""
        return self._id

    @property
    def client(self) -> Any:
        """The underlying ``ccxt.async_support`` instance (for diagnostics and tests)."""
        return self._client

    # ------------------------------------------------------------------ plumbing
    async def _request(self, operation: str, call: Callable[[], Awaitable[T]]) -> T:
        """One attempt of a ccxt call with its exceptions mapped to the project hierarchy."""
        try:
            return await call()
        except ccxt.BaseError as exc:
            raise self._mapped(exc, operation) from exc
        except _PARSE_ERRORS as exc:
            raise BadExchangeReply(
                f"{self._id} {operation}: the exchange's reply could not be read ({exc})"
            ) from exc

    async def _read(self, operation: str, call: Callable[[], Awaitable[T]]) -> T:
        """A read request, retried on temporary errors per the retry policy."""
        return await call_with_retry(
            lambda: self._request(operation, call),
            policy=self._retry,
            description=f"{self._id} {operation}",
            sleep=self._sleep,
            rng=self._rng,
        )

    def _order(self, raw: Mapping[str, Any], client_order_id: str | None = None) -> Order:
        """Parse an order reply; ``client_order_id`` (the id we asked about) wins over the
        venue's echo, which for a cancel is the cancel request's own id."""
        fallback = client_order_id or self._client_ids.get(str(raw.get("id")))
        order = order_from_ccxt(raw, fallback or f"exchange-{raw.get('id')}")
        if client_order_id is not None and order.client_order_id != client_order_id:
            order = order.with_changes(client_order_id=client_order_id)
        if order.exchange_order_id is not None:
            self._client_ids[order.exchange_order_id] = order.client_order_id
            self._exchange_ids[order.client_order_id] = order.exchange_order_id
        return order

    # ------------------------------------------------------------------ market data
    async def load_markets(self, reload: bool = False) -> Mapping[str, Market]:
        """Markets by unified symbol with precision and limits (cached until ``reload``).

        The first call after :meth:`close` reopens the client (an engine started again).
        """
        if self._client.closed_by_user:
            self._client.open()
        if self._markets and not reload:
            return self._markets
        raw = await self._read("load_markets", lambda: self._client.load_markets(reload))
        self._markets = markets_from_ccxt(raw, int(self._client.precisionMode))
        logger.info("%s: %d markets loaded", self._id, len(self._markets))
        return self._markets

    async def market(self, symbol: str) -> Market:
        """The market of ``symbol`` (markets are loaded on first use).

        Raises:
            BadSymbol: the venue does not list it.
        """
        return market_for(await self.load_markets(), symbol, self._id)

    async def fetch_ohlcv(
        self, symbol: str, timeframe: str, since: int | None = None, limit: int | None = None
    ) -> Sequence[Candle]:
        """Candles oldest first (the last one may still be forming)."""
        rows = await self._read(
            f"fetch_ohlcv {symbol} {timeframe}",
            lambda: self._client.fetch_ohlcv(symbol, timeframe, since, limit),
        )
        return candles_from_ccxt(rows)

    async def fetch_ticker(self, symbol: str) -> Decimal:
        """Last traded price of ``symbol``."""
        raw = await self._read(f"fetch_ticker {symbol}", lambda: self._client.fetch_ticker(symbol))
        return last_price_from_ticker(raw, symbol)

    async def watch_ticker(self, symbol: str) -> Decimal:
        """Next last-price update: websocket when available, else a REST poll."""
        return await self._tickers.next_price(symbol)

    async def watch_ohlcv(self, symbol: str, timeframe: str) -> Sequence[Candle]:
        """Candles pushed over the websocket since the last call, oldest first (the last one
        may still be forming); see :class:`~app.exchange.ccxt_streams.CandleStreams`.

        Raises:
            StreamNotSupported: websockets are off or ccxt cannot stream this venue's candles.
            ExchangeError: the websocket failed.
        """
        return await self._candles.next_candles(symbol, timeframe)

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
        """Submit one order exactly once.

        The request is sent once and never repeated. When its outcome is ambiguous (timeout,
        dropped connection, 5xx, unreadable reply) the order is looked up by
        ``client_order_id`` up to ``order_lookups`` times, ``lookup_delay`` seconds apart:

        - found: the exchange's record of the order is returned;
        - every lookup answered "no such order": the request never reached the book, and the
          order is returned with status REJECTED and the reason;
        - a lookup could not be completed: :class:`OrderOutcomeUnknown` is raised (the order
          executor keeps it UNKNOWN and reconciles it later by the same client order id).

        Raises:
            InvalidOrder: off the tick/step grid or below the minimum notional (nothing sent),
                or refused by the exchange.
            DuplicateOrder: the exchange already has an order with this client order id.
            InsufficientFunds, AuthenticationError, RateLimitExceeded: refused by the venue.
            OrderOutcomeUnknown: see above.
        """
        market = await self.market(symbol)
        check_order(market, order_type, amount, price, stop_price)
        request = Order(
            client_order_id=client_order_id,
            symbol=symbol,
            side=side,
            type=order_type,
            amount=amount,
            price=price,
            stop_price=stop_price,
            time_in_force=time_in_force,
        )
        logger.info(
            "%s: submitting %s %s %s %s (client id %s)",
            self._id,
            side,
            order_type,
            amount,
            symbol,
            client_order_id,
            extra={"symbol": symbol, "client_order_id": client_order_id},
        )
        try:
            raw = await self._client.create_order(*ccxt_order_arguments(request))
            order = self._order(raw, client_order_id)
        except ccxt.BaseError as exc:
            if is_ambiguous_submission(exc):
                return await self._resolve_unknown(request, exc)
            raise self._mapped(exc, f"create_order {client_order_id}") from exc
        except (BadExchangeReply, *_PARSE_ERRORS) as exc:
            return await self._resolve_unknown(request, exc)
        if order.price is None and price is not None:
            order = order.with_changes(price=price)
        return order

    def _mapped(self, exc: ccxt.BaseError, operation: str) -> ExchangeError:
        retry_after = parse_retry_after(getattr(self._client, "last_response_headers", None))
        return map_ccxt_error(
            exc, exchange_id=self._id, operation=operation, retry_after=retry_after
        )

    async def _resolve_unknown(self, request: Order, cause: BaseException) -> Order:
        return await resolve_by_client_id(
            request,
            cause,
            lookup=lambda: self._fetch_order_once(request.symbol, request.client_order_id),
            lookups=self._order_lookups,
            delay=self._lookup_delay,
            sleep=self._sleep,
            venue=self._id,
        )

    async def _fetch_order_once(self, symbol: str, client_order_id: str) -> Order:
        exchange_order_id = self._exchange_ids.get(client_order_id)
        raw = await self._request(
            f"fetch_order {client_order_id}",
            lambda: self._client.fetch_order(
                exchange_order_id, symbol, {"clientOrderId": client_order_id}
            ),
        )
        return self._order(raw, client_order_id)

    async def fetch_order(self, symbol: str, client_order_id: str) -> Order:
        """The exchange's record of the order with ``client_order_id``.

        Raises:
            OrderNotFound: the exchange does not know it.
        """
        return await call_with_retry(
            lambda: self._fetch_order_once(symbol, client_order_id),
            policy=self._retry,
            description=f"{self._id} fetch_order {client_order_id}",
            sleep=self._sleep,
            rng=self._rng,
        )

    async def cancel_order(self, symbol: str, client_order_id: str) -> Order:
        """Cancel by client order id (sent once); returns the order's state afterwards.

        When the cancel's outcome is ambiguous, or the exchange says the order is unknown to
        the cancel endpoint (already filled or cancelled), the order is fetched and returned.

        Raises:
            OrderNotFound: the exchange has no order with this client order id.
        """
        operation = f"cancel_order {client_order_id}"
        try:
            raw = await self._client.cancel_order(None, symbol, {"clientOrderId": client_order_id})
            order = self._order(raw, client_order_id)
        except ccxt.BaseError as exc:
            if not (is_ambiguous_submission(exc) or isinstance(exc, ccxt.OrderNotFound)):
                raise self._mapped(exc, operation) from exc
            logger.info("%s: %s ended with %s; fetching its state", self._id, operation, exc)
            return await self.fetch_order(symbol, client_order_id)
        except (BadExchangeReply, *_PARSE_ERRORS):
            return await self.fetch_order(symbol, client_order_id)
        if order.status.is_active:
            return await self.fetch_order(symbol, client_order_id)
        return order

    async def fetch_open_orders(self, symbol: str | None = None) -> Sequence[Order]:
        """Orders resting on the book (all symbols when ``symbol`` is None)."""
        rows = await self._read(
            f"fetch_open_orders {symbol or 'all'}",
            lambda: self._client.fetch_open_orders(symbol),
        )
        if not isinstance(rows, list):
            raise BadExchangeReply(f"{self._id} fetch_open_orders: reply is not a list")
        return [self._order(raw) for raw in rows]

    async def fetch_balance(self) -> Mapping[str, Balance]:
        """Balances by currency."""
        raw = await self._read("fetch_balance", lambda: self._client.fetch_balance())
        return balances_from_ccxt(raw)

    async def fetch_my_trades(
        self, symbol: str, since: int | None = None, limit: int | None = None
    ) -> Sequence[Fill]:
        """Our executions in ``symbol``, oldest first."""
        rows = await self._read(
            f"fetch_my_trades {symbol}",
            lambda: self._client.fetch_my_trades(symbol, since, limit),
        )
        if not isinstance(rows, list):
            raise BadExchangeReply(f"{self._id} fetch_my_trades: reply is not a list")
        fills = [
            fill_from_ccxt(raw, self._client_ids.get(str(raw.get("order")), "")) for raw in rows
        ]
        fills.sort(key=lambda fill: fill.timestamp)
        return fills

    async def close(self) -> None:
        """Close the REST session and any websocket connection."""
        await self._tickers.close()
        await self._candles.close()
        await self._client.close()
