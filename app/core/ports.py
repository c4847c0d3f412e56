"""Ports: the protocols the engine depends on; implementations live with their concern."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Protocol, runtime_checkable

from app.core.enums import OrderType, Side, TimeInForce
from app.core.models import Balance, Candle, Fill, Market, Order


@runtime_checkable
class ExchangePort(Protocol):
    """One async interface over every exchange implementation (ccxt adapter, paper, replay).

    Order submission is never retried blindly: ``create_order`` takes the client order id chosen
    by the caller; on an ambiguous outcome the implementation looks the order up by that id and
    returns what it finds, or raises :class:`~app.core.errors.OrderOutcomeUnknown`.
    """

    @property
    def exchange_id(self) -> str:
        """ccxt id of the venue ("binance", "paper", ...)."""
        ...

    async def load_markets(self, reload: bool = False) -> Mapping[str, Market]:
        """Markets by unified symbol, with precision and limits."""
        ...

    async def fetch_ohlcv(
        self, symbol: str, timeframe: str, since: int | None = None, limit: int | None = None
    ) -> Sequence[Candle]:
        """Closed (and possibly the forming) candles, oldest first."""
        ...

    async def fetch_ticker(self, symbol: str) -> Decimal:
        """Last traded price."""
        ...

    async def watch_ticker(self, symbol: str) -> Decimal:
        """Wait for the next last-price update (websocket where available, else polling)."""
        ...

    async def watch_ohlcv(self, symbol: str, timeframe: str) -> Sequence[Candle]:
        """Wait for the venue's next candle push of one series.

        Returns:
            The candles the venue pushed since the previous call, oldest first (at least
            one). The last one may still be forming; a candle is closed once a candle with a
            later open time has been pushed. A candle can appear again in a later call with
            newer values while it forms.

        Raises:
            StreamNotSupported: this venue or implementation has no candle stream (poll
                ``fetch_ohlcv`` instead).
            ExchangeError: the stream failed (dropped connection, refused subscription).
        """
        ...

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
        """Submit one order exactly once; resolve an ambiguous outcome by client order id."""
        ...

    async def cancel_order(self, symbol: str, client_order_id: str) -> Order:
        """Cancel by client order id; returns the order's final known state."""
        ...

    async def fetch_order(self, symbol: str, client_order_id: str) -> Order:
        """Look an order up by client order id."""
        ...

    async def fetch_open_orders(self, symbol: str | None = None) -> Sequence[Order]:
        """Orders still resting on the book."""
        ...

    async def fetch_balance(self) -> Mapping[str, Balance]:
        """Balances by currency."""
        ...

    async def fetch_my_trades(
        self, symbol: str, since: int | None = None, limit: int | None = None
    ) -> Sequence[Fill]:
        """Our executions, oldest first."""
        ...

    async def close(self) -> None:
        """Release connections (always awaited on shutdown)."""
        ...


class SecretStorePort(Protocol):
    """Where API secrets live (OS keyring, or an opt-in encrypted file)."""

    def get(self, reference: str) -> str | None:
        """The secret stored under ``reference``, or None."""
        ...

    def set(self, reference: str, secret: str) -> None:
        """Store ``secret`` under ``reference``."""
        ...

    def delete(self, reference: str) -> None:
        """Forget the secret under ``reference`` (no error when absent)."""
        ...


class Clock(Protocol):
    """Source of the current time in ms UTC (replaced by a fake in tests and replay)."""

    def now_ms(self) -> int:
        """Current time in ms UTC."""
        ...
