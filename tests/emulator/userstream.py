"""Spot user data stream over the WebSocket API (``/ws-api/v3``), as ccxt.pro uses it.

A client sends ``userDataStream.subscribe.signature`` with ``apiKey``, ``timestamp`` and an
HMAC ``signature`` of the other parameters sorted by name; the reply carries a
``subscriptionId``. Every order change then arrives as ``{"subscriptionId": n, "event":
executionReport}``, followed by an ``outboundAccountPosition`` with the symbol's balances.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.emulator.auth import sign
from tests.emulator.errors import INVALID_KEY, BinanceError, bad_request
from tests.emulator.markets import fmt
from tests.emulator.orders import OrderUpdate
from tests.emulator.state import State

SUBSCRIBE_METHOD = "userDataStream.subscribe.signature"


def verify_subscription(state: State, params: Mapping[str, Any]) -> None:
    """Check a signed subscription request (key, signature, timestamp, permissions).

    Raises:
        BinanceError: -2014/-2015 key problems, -1022 bad signature, -1021 clock skew.
    """
    auth = state.auth
    key = str(params.get("apiKey") or "")
    if not key:
        raise BinanceError(401, -2014, "API-key format invalid.")
    if key != auth.api_key or not auth.permissions.ip_allowed:
        raise BinanceError(401, -2015, INVALID_KEY)
    unsigned = {k: str(v) for k, v in sorted(params.items()) if k != "signature"}
    query = "&".join(f"{k}={v}" for k, v in unsigned.items())
    if str(params.get("signature") or "") != sign(query, auth.api_secret):
        raise bad_request(-1022, "Signature for this request is not valid.")
    auth.check_time(unsigned, state.server_time())


def execution_report(state: State, update: OrderUpdate) -> dict[str, object]:
    """The ``executionReport`` event of one order update."""
    order, trade = update.order, update.trade
    canceled = update.execution == "CANCELED"
    return {
        "e": "executionReport",
        "E": state.server_time(),
        "s": order.symbol,
        "c": f"emucancel{order.order_id:010d}" if canceled else order.client_order_id,
        "S": order.side,
        "o": order.type,
        "f": order.time_in_force,
        "q": fmt(order.quantity),
        "p": fmt(order.price),
        "P": fmt(order.stop_price),
        "F": "0.00000000",
        "g": -1,
        "C": order.client_order_id if canceled else "",
        "x": update.execution,
        "X": order.status,
        "r": "NONE",
        "i": order.order_id,
        "l": fmt(trade.qty) if trade else "0.00000000",
        "z": fmt(order.executed_qty),
        "L": fmt(trade.price) if trade else "0.00000000",
        "n": fmt(trade.commission) if trade else "0",
        "N": trade.commission_asset if trade else None,
        "T": order.update_time,
        "t": trade.trade_id if trade else -1,
        "I": order.order_id,
        "w": order.is_open and order.is_working,
        "m": trade.is_maker if trade else False,
        "M": False,
        "O": order.time,
        "Z": fmt(order.cumulative_quote),
        "Y": fmt(trade.quote_qty) if trade else "0.00000000",
        "Q": fmt(order.orig_quote_qty),
        "W": order.time,
        "V": "EXPIRE_MAKER",
    }


def account_position(state: State, symbol: str) -> dict[str, object]:
    """The ``outboundAccountPosition`` event with the balances of ``symbol``'s two assets."""
    spec = state.market(symbol)
    ledger = state.venue.ledger
    return {
        "e": "outboundAccountPosition",
        "E": state.server_time(),
        "u": state.server_time(),
        "B": [
            {"a": asset, "f": fmt(ledger.free(asset)), "l": fmt(ledger.locked(asset))}
            for asset in (spec.base, spec.quote)
        ],
    }


def user_events(state: State) -> list[dict[str, object]]:
    """Drain the venue's order updates into user-stream events (call with the lock held)."""
    updates = state.venue.updates[:]
    state.venue.updates.clear()
    events: list[dict[str, object]] = []
    for update in updates:
        events.append(execution_report(state, update))
        events.append(account_position(state, update.order.symbol))
    return events
