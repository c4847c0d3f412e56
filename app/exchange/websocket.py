"""Live ticker updates through ``ccxt.pro`` websockets, falling back to REST polling.

When the websocket cannot be opened or drops, updates come from polling ``fetch_ticker`` every
``poll_interval`` seconds; the websocket is tried again after ``retry_websocket_after`` seconds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from typing import Any

import ccxt
import ccxt.pro as ccxt_pro

from app.exchange.convert import last_price_from_ticker
from app.exchange.retry import Sleep

logger = logging.getLogger(__name__)

_WS_FAILURES = (ccxt.BaseError, OSError, asyncio.TimeoutError)


class TickerStream:
    """Next-price source for one exchange.

    Args:
        exchange_id: ccxt id.
        config: the ccxt constructor config (shared with the REST client).
        sandbox: use the venue's testnet.
        enabled: try websockets at all (False: always poll).
        poll: REST ticker fetch used by the fallback.
        poll_interval: seconds between polls.
        sleep: awaitable sleep (injected by tests).
        retry_websocket_after: seconds of polling before the websocket is tried again.
        clock: monotonic seconds (injected by tests).
    """

    def __init__(
        self,
        exchange_id: str,
        config: Mapping[str, Any],
        *,
        sandbox: bool,
        enabled: bool,
        poll: Callable[[str], Awaitable[Decimal]],
        poll_interval: float,
        sleep: Sleep = asyncio.sleep,
        retry_websocket_after: float = 60.0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._id = exchange_id
        self._config = dict(config)
        self._sandbox = sandbox
        self._enabled = enabled and getattr(ccxt_pro, exchange_id, None) is not None
        self._poll = poll
        self._poll_interval = poll_interval
        self._sleep = sleep
        self._retry_after = retry_websocket_after
        self._clock = clock
        self._client: Any = None
        self._ws_down_until = 0.0

    @property
    def using_websocket(self) -> bool:
        """True while updates come from the websocket."""
        return self._enabled and self._now() >= self._ws_down_until

    def _now(self) -> float:
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()

    def _pro_client(self) -> Any:
        if self._client is None:
            self._client = getattr(ccxt_pro, self._id)(dict(self._config))
            if self._sandbox:
                self._client.set_sandbox_mode(True)
        return self._client

    async def next_price(self, symbol: str) -> Decimal:
        """Wait for the next last price of ``symbol``.

        Raises:
            ExchangeError: the REST fallback failed after its retries.
        """
        if self.using_websocket:
            try:
                raw = await self._pro_client().watch_ticker(symbol)
                return last_price_from_ticker(raw, symbol)
            except _WS_FAILURES as exc:
                self._ws_down_until = self._now() + self._retry_after
                logger.warning(
                    "%s: websocket ticker for %s unavailable (%s); polling REST every %.1f s",
                    self._id,
                    symbol,
                    exc,
                    self._poll_interval,
                )
                await self._drop_client()
                return await self._poll(symbol)
        await self._sleep(self._poll_interval)
        return await self._poll(symbol)

    async def _drop_client(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                await client.close()
            except _WS_FAILURES as exc:
                logger.debug("%s: closing the websocket client failed: %s", self._id, exc)

    async def close(self) -> None:
        """Close the websocket connection, if any."""
        await self._drop_client()
