"""The exchanges ccxt supports, with what the picker shows: name, sandbox, passphrase.

Read from ccxt's class metadata only (no network); built once per process (about 0.4 s).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

import ccxt

logger = logging.getLogger(__name__)

RECOMMENDED: tuple[str, ...] = (
    "binance",
    "coinbase",
    "kraken",
    "bybit",
    "okx",
    "kucoin",
    "bitget",
    "gate",
)
"""Well-known venues listed first, in this order."""


@dataclass(frozen=True, slots=True)
class ExchangeInfo:
    """One exchange as the picker lists it."""

    id: str
    name: str
    has_sandbox: bool
    needs_passphrase: bool
    recommended: bool

    @property
    def rank(self) -> tuple[int, str]:
        """Sort key: recommended first (in :data:`RECOMMENDED` order), then by name."""
        if self.recommended:
            return (RECOMMENDED.index(self.id), "")
        return (len(RECOMMENDED), self.name.lower())


@functools.cache
def exchange_catalog() -> tuple[ExchangeInfo, ...]:
    """Every ccxt exchange, recommended first, then alphabetical."""
    items: list[ExchangeInfo] = []
    for exchange_id in ccxt.exchanges:
        klass = getattr(ccxt, exchange_id, None)
        if klass is None:
            continue
        try:
            client = klass()
        except Exception:
            logger.warning("ccxt exchange %s could not be described; skipped", exchange_id)
            continue
        items.append(
            ExchangeInfo(
                id=exchange_id,
                name=str(client.name or exchange_id),
                has_sandbox=bool(client.urls.get("test")),
                needs_passphrase=bool(client.requiredCredentials.get("password")),
                recommended=exchange_id in RECOMMENDED,
            )
        )
    return tuple(sorted(items, key=lambda item: item.rank))


def exchange_info(exchange_id: str) -> ExchangeInfo | None:
    """The catalog entry of ``exchange_id``, or None when ccxt does not know it."""
    return next((item for item in exchange_catalog() if item.id == exchange_id), None)
