"""Test an API key against its exchange: markets, balances and the key's permissions.

Used by the setup wizard's "Test connection" and by key rotation. A key that the venue reports
as able to withdraw funds is refused: a trading bot never needs that permission, and a stolen
key without it cannot empty the account. Where the venue reports permissions is declared in
:data:`PERMISSION_READERS` (a capability mapping, not ``if exchange == ...`` branches).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import ccxt

from app.core.errors import BadExchangeReply, PermissionDenied
from app.core.models import Balance
from app.exchange.ccxt_adapter import CcxtExchange
from app.exchange.credentials import Credentials
from app.exchange.errors import map_ccxt_error
from app.exchange.retry import RetryPolicy

logger = logging.getLogger(__name__)

PermissionReader = Callable[[Any], Awaitable[dict[str, bool]]]
"""Reads the key's permissions from a ``ccxt.async_support`` client."""


async def _binance_permissions(client: Any) -> dict[str, bool]:
    raw = await client.sapi_get_account_apirestrictions()
    if not isinstance(raw, Mapping):
        raise BadExchangeReply("binance apiRestrictions: the reply is not an object")
    return {
        "reading": bool(raw.get("enableReading", False)),
        "trading": bool(raw.get("enableSpotAndMarginTrading", False)),
        "withdrawals": bool(raw.get("enableWithdrawals", False)),
        "ip_restricted": bool(raw.get("ipRestrict", False)),
    }


PERMISSION_READERS: Mapping[str, PermissionReader] = {"binance": _binance_permissions}
"""ccxt id -> how to read an API key's permissions (venues that report them)."""


@dataclass(frozen=True, slots=True)
class ConnectionReport:
    """What a successful connection test found.

    Attributes:
        exchange_id: ccxt id of the venue.
        markets: number of markets listed.
        symbols: the listed symbols (to check the watch-list against).
        balances: non-zero balances by currency.
        permissions: the key's permissions where the venue reports them, else None.
    """

    exchange_id: str
    markets: int
    symbols: frozenset[str] = frozenset()
    balances: Mapping[str, Balance] = field(default_factory=dict)
    permissions: Mapping[str, bool] | None = None


async def check_connection(
    exchange_id: str,
    credentials: Credentials,
    *,
    sandbox: bool = False,
    ccxt_config: Mapping[str, Any] | None = None,
) -> ConnectionReport:
    """Log in to ``exchange_id`` with ``credentials`` and read markets, balances and permissions.

    Nothing is retried (the user is waiting for an answer) and nothing is ordered.

    Args:
        exchange_id: ccxt id.
        credentials: the key to test (kept in memory only).
        sandbox: use the venue's testnet.
        ccxt_config: extra ccxt constructor arguments (``settings.exchange.ccxt_config``).

    Returns:
        The report.

    Raises:
        ConfigError: unknown exchange, or sandbox asked for a venue without one.
        AuthenticationError: key/secret rejected or IP not allowed.
        ClockSkewError: the venue rejected the request time.
        PermissionDenied: the key may withdraw funds (refused).
        NetworkError, ExchangeUnavailable: the venue could not be reached.
    """
    exchange = CcxtExchange(
        exchange_id,
        ccxt_config,
        credentials=credentials,
        sandbox=sandbox,
        retry_policy=RetryPolicy(attempts=1),
        use_websocket=False,
    )
    try:
        markets = await exchange.load_markets()
        balances = await exchange.fetch_balance()
        permissions = await _permissions(exchange)
    finally:
        await exchange.close()
    if permissions is not None:
        _refuse_unsafe(exchange_id, permissions)
    logger.info(
        "%s: connection test passed (%d markets, permissions %s)",
        exchange_id,
        len(markets),
        "reported" if permissions is not None else "not reported",
    )
    return ConnectionReport(
        exchange_id=exchange_id,
        markets=len(markets),
        symbols=frozenset(markets),
        balances={code: item for code, item in balances.items() if item.total != 0},
        permissions=permissions,
    )


async def _permissions(exchange: CcxtExchange) -> dict[str, bool] | None:
    reader = PERMISSION_READERS.get(exchange.exchange_id)
    if reader is None:
        return None
    try:
        return await reader(exchange.client)
    except ccxt.NotSupported:
        # The venue's testnet does not serve the endpoint (binance's has no sapi).
        logger.info("%s: key permissions are not reported here", exchange.exchange_id)
        return None
    except ccxt.BaseError as exc:
        raise map_ccxt_error(
            exc, exchange_id=exchange.exchange_id, operation="read the key's permissions"
        ) from exc


def _refuse_unsafe(exchange_id: str, permissions: Mapping[str, bool]) -> None:
    if permissions.get("withdrawals"):
        raise PermissionDenied(
            f"{exchange_id}: this API key is allowed to withdraw funds. Cryptobot refuses such "
            "keys: create a new key with withdrawals disabled (reading and spot trading only) "
            "and enter that one"
        )
