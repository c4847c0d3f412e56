"""Where the paper exchange takes its prices from: the read-only half of an exchange."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Protocol, runtime_checkable

from app.core.models import Candle, Market


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


@runtime_checkable
class CandleStreamSource(Protocol):
    """A price source that also pushes candles (the ccxt adapter); optional."""

    async def watch_ohlcv(self, symbol: str, timeframe: str) -> Sequence[Candle]:
        """Candles pushed since the previous call, oldest first (the last may be forming)."""
        ...
