"""Websocket candles through ``ccxt.pro`` (``watch_ohlcv``), one connection per series.

Each (symbol, timeframe) gets its own ``ccxt.pro`` client, so a dropped or silent connection of
one series is reset without disturbing the others. The clients reuse the markets the REST client
already loaded (no second ``load_markets``). Failures are mapped to the project's errors; the
caller (the engine's candle feed) decides when to poll REST instead and when to retry.

ccxt's ``watch_ohlcv`` drops the venue's "closed" flag: a candle is known closed only once a
later candle is pushed. It also wakes a caller only for a push that arrives while it waits: of
several pushes arriving together (a bar's final update and the next bar's first one) only the
first wakes it, and pushes arriving between two calls wake nobody. So each call first returns
what ccxt's candle cache took in since the previous call, and after a wake also the pushes that
arrived with it; a close is then reported at once instead of at the venue's next push.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any

import ccxt
import ccxt.pro as ccxt_pro

from app.core.errors import BadExchangeReply, NetworkError, StreamNotSupported
from app.core.models import Candle
from app.exchange.convert import candles_from_ccxt
from app.exchange.errors import map_ccxt_error

logger = logging.getLogger(__name__)

_PARSE_ERRORS = (TypeError, ValueError, KeyError, AttributeError, IndexError)
_DRAIN_TURNS = 3
"""Loop turns given to ccxt's reader after a wake, to take in pushes that arrived with it."""

Series = tuple[str, str]
RawMarkets = Callable[[], Mapping[str, Any] | None]


class CandleStreams:
    """Pushed candles of any number of series from one exchange.

    Args:
        exchange_id: ccxt id.
        config: the ccxt constructor config (shared with the REST client).
        sandbox: use the venue's testnet.
        enabled: use websockets at all (False: every call raises StreamNotSupported).
        markets: the REST client's loaded ccxt markets (None until loaded), handed to each
            websocket client so it need not load them again.
    """

    def __init__(
        self,
        exchange_id: str,
        config: Mapping[str, Any],
        *,
        sandbox: bool,
        enabled: bool,
        markets: RawMarkets = lambda: None,
    ) -> None:
        self._id = exchange_id
        self._config = dict(config)
        self._sandbox = sandbox
        self._klass: Any = getattr(ccxt_pro, exchange_id, None) if enabled else None
        self._enabled = enabled
        self._markets = markets
        self._clients: dict[Series, Any] = {}
        self._last_row: dict[Series, list[Any]] = {}

    def _client(self, series: Series) -> Any:
        client = self._clients.get(series)
        if client is None:
            client = self._klass(dict(self._config))
            if self._sandbox:
                client.set_sandbox_mode(True)
            loaded = self._markets()
            if loaded:
                client.set_markets(loaded)
            self._clients[series] = client
        return client

    def _unsupported(self, symbol: str, timeframe: str) -> StreamNotSupported | None:
        where = f"{self._id} {symbol} {timeframe}"
        if not self._enabled:
            return StreamNotSupported(f"{where}: websockets are turned off; candles are polled")
        if self._klass is None or not self._client((symbol, timeframe)).has.get("watchOHLCV"):
            return StreamNotSupported(
                f"{where}: ccxt has no websocket candles for {self._id}; candles are polled"
            )
        return None

    async def next_candles(self, symbol: str, timeframe: str) -> list[Candle]:
        """The candles pushed since the previous call for the series, oldest first.

        A cancelled wait closes the series' connection (the next call opens a fresh one).

        Raises:
            StreamNotSupported: websockets are off, or ccxt cannot stream this venue's candles.
            NetworkError: the connection dropped or could not be opened.
            ExchangeError: the venue refused the subscription (mapped from ccxt).
            BadExchangeReply: a pushed candle could not be read.
        """
        refused = self._unsupported(symbol, timeframe)
        if refused is not None:
            raise refused
        series = (symbol, timeframe)
        operation = f"watch_ohlcv {symbol} {timeframe}"
        try:
            client = self._client(series)
            rows = await self._with_received(series, client, symbol, timeframe)
        except asyncio.CancelledError:
            await self._drop(series)
            raise
        except ccxt.BaseError as exc:
            await self._drop(series)
            raise map_ccxt_error(exc, exchange_id=self._id, operation=operation) from exc
        except (OSError, TimeoutError) as exc:
            await self._drop(series)
            raise NetworkError(f"{self._id} {operation}: websocket failed ({exc})") from exc
        except _PARSE_ERRORS as exc:
            await self._drop(series)
            raise BadExchangeReply(f"{self._id} {operation}: unreadable push ({exc})") from exc
        return candles_from_ccxt(rows)

    async def _with_received(
        self, series: Series, client: Any, symbol: str, timeframe: str
    ) -> list[Any]:
        """Pushes ccxt took in since the last call, else the rows of the next wake plus every
        push that arrived with it."""
        last = self._last_row.get(series)
        cached = client.ohlcvs.get(symbol, {}).get(timeframe)
        if cached and last is not None and list(cached[-1]) != last:
            rows = [row for row in cached if row[0] >= last[0]]
        else:
            rows = list(await client.watch_ohlcv(symbol, timeframe))
            for _ in range(_DRAIN_TURNS):
                await asyncio.sleep(0)
            cached = client.ohlcvs.get(symbol, {}).get(timeframe)
            if cached and rows:
                rows = [row for row in cached if row[0] >= rows[0][0]]
        if rows:
            self._last_row[series] = list(rows[-1])
        return rows

    async def _drop(self, series: Series) -> None:
        self._last_row.pop(series, None)
        client = self._clients.pop(series, None)
        if client is None:
            return
        try:
            await client.close()
        except (ccxt.BaseError, OSError, TimeoutError) as exc:
            logger.debug("%s: closing the candle websocket failed: %s", self._id, exc)

    async def close(self) -> None:
        """Close every candle connection."""
        for series in list(self._clients):
            await self._drop(series)
