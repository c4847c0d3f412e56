"""The ccxt constructor config: per-venue defaults, the user's ``ccxt_config``, credentials."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from app.exchange.credentials import Credentials

VENUE_DEFAULT_OPTIONS: Mapping[str, Mapping[str, Any]] = {
    "binance": {"warnOnFetchOpenOrdersWithoutSymbol": False},
}
"""Per-venue ccxt options applied under the user's ``ccxt_config`` (the user's values win)."""


def build_ccxt_config(
    exchange_id: str, ccxt_config: Mapping[str, Any] | None, credentials: Credentials | None
) -> dict[str, Any]:
    """The constructor config: venue defaults, then ``ccxt_config``, then the credentials.

    Args:
        exchange_id: ccxt id.
        ccxt_config: user mapping (options, urls, proxies, timeout, ...); deep-copied.
        credentials: API key and secret, kept in memory only.
    """
    config: dict[str, Any] = {"enableRateLimit": True}
    user = copy.deepcopy(dict(ccxt_config or {}))
    options = dict(VENUE_DEFAULT_OPTIONS.get(exchange_id, {}))
    options.update(user.pop("options", None) or {})
    config.update(user)
    config["options"] = options
    if credentials is not None:
        config.update(credentials.as_ccxt_config())
    return config


def merge_ccxt_config(
    base: Mapping[str, Any], override: Mapping[str, Any] | None
) -> dict[str, Any]:
    """``override`` merged over ``base``: nested mappings (options, urls) merge key by key.

    Args:
        base: the settings' ``ccxt_config``.
        override: a one-run override (``--ccxt-config``).
    """
    merged: dict[str, Any] = copy.deepcopy(dict(base))
    for key, value in (override or {}).items():
        current = merged.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            merged[key] = merge_ccxt_config(current, value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
