"""Translate ccxt exceptions into the project's error hierarchy (app.core.errors).

The translation is declarative: :data:`CCXT_ERROR_MAP` maps each ccxt exception class to a
project class and is looked up along the raised exception's MRO, so the most specific entry
wins. :data:`EXCHANGE_MESSAGE_RULES` refines the result for venue quirks that ccxt classifies
too broadly (a Binance duplicate client order id arrives as a generic ``InvalidOrder``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import ccxt

from app.core import errors as project

CCXT_ERROR_MAP: Mapping[type[Exception], type[project.ExchangeError]] = {
    ccxt.InvalidNonce: project.ClockSkewError,
    ccxt.RateLimitExceeded: project.RateLimitExceeded,
    ccxt.DDoSProtection: project.RateLimitExceeded,
    ccxt.RequestTimeout: project.NetworkError,
    ccxt.OnMaintenance: project.ExchangeUnavailable,
    ccxt.ExchangeNotAvailable: project.ExchangeUnavailable,
    ccxt.BadResponse: project.BadExchangeReply,
    ccxt.NetworkError: project.NetworkError,
    ccxt.OperationFailed: project.TemporaryExchangeError,
    ccxt.PermissionDenied: project.PermissionDenied,
    ccxt.AccountSuspended: project.PermissionDenied,
    ccxt.AuthenticationError: project.AuthenticationError,
    ccxt.InsufficientFunds: project.InsufficientFunds,
    ccxt.DuplicateOrderId: project.DuplicateOrder,
    ccxt.OrderNotFound: project.OrderNotFound,
    ccxt.InvalidOrder: project.InvalidOrder,
    ccxt.BadSymbol: project.BadSymbol,
    ccxt.ExchangeError: project.PermanentExchangeError,
    ccxt.BaseError: project.ExchangeError,
}
"""ccxt exception class -> project error class (looked up along the exception's MRO)."""

MessageRule = tuple[re.Pattern[str], type[project.ExchangeError]]

EXCHANGE_MESSAGE_RULES: Mapping[str, tuple[MessageRule, ...]] = {
    "binance": (
        (re.compile(r"Duplicate order sent"), project.DuplicateOrder),
        (re.compile(r'"code"\s*:\s*-2015\b'), project.AuthenticationError),
        (re.compile(r'"code"\s*:\s*-1022\b'), project.AuthenticationError),
        (re.compile(r'"code"\s*:\s*-1021\b'), project.ClockSkewError),
    ),
}
"""Per-venue refinements: a message matching the pattern maps to the given class instead.

Binance answers -2015 ("Invalid API-key, IP, or permissions") with a rate-limit class once a
key has worked before; we keep it an authentication error so the user is asked to check the key
instead of the app retrying a request that will keep failing.
"""

_HINTS: Mapping[type[project.ExchangeError], str] = {
    project.ClockSkewError: "sync the system clock (the exchange rejected the request time)",
    project.PermissionDenied: "check the API key's permissions on the exchange",
    project.AuthenticationError: "check the API key, secret and IP allow-list in the settings",
    project.InsufficientFunds: "the account balance cannot cover this order",
    project.RateLimitExceeded: "the exchange throttled requests; they are retried after a pause",
    project.ExchangeUnavailable: "the exchange is unavailable or in maintenance; try again later",
    project.NetworkError: "check the network connection or proxy settings",
}


def mapped_class(exc: BaseException, exchange_id: str = "") -> type[project.ExchangeError]:
    """The project error class for a ccxt exception (without building it).

    Args:
        exc: the exception ccxt raised.
        exchange_id: ccxt id of the venue, to apply its message rules.

    Returns:
        The project class; :class:`~app.core.errors.ExchangeError` for anything unknown.
    """
    text = str(exc)
    for pattern, rule_class in EXCHANGE_MESSAGE_RULES.get(exchange_id, ()):
        if pattern.search(text):
            return rule_class
    for klass in type(exc).__mro__:
        target = CCXT_ERROR_MAP.get(klass)
        if target is not None:
            return target
    return project.ExchangeError


def map_ccxt_error(
    exc: BaseException,
    *,
    exchange_id: str = "",
    operation: str = "",
    retry_after: float | None = None,
) -> project.ExchangeError:
    """Build the project error for a ccxt exception; the caller raises it ``from exc``.

    Args:
        exc: the exception ccxt raised.
        exchange_id: ccxt id of the venue (message rules, and named in the message).
        operation: what was attempted ("fetch_ohlcv BTC/USDT"), named in the message.
        retry_after: seconds from the venue's Retry-After header, for rate-limit errors.

    Returns:
        An instance of the mapped class whose message names the venue, the operation, the
        exchange's answer and what the user can do.
    """
    klass = mapped_class(exc, exchange_id)
    where = " ".join(part for part in (exchange_id, operation) if part) or "exchange"
    detail = str(exc) or type(exc).__name__
    hint = next((text for base, text in _HINTS.items() if issubclass(klass, base)), "")
    message = f"{where}: {detail}" + (f" ({hint})" if hint else "")
    if issubclass(klass, project.RateLimitExceeded):
        return klass(message, retry_after=retry_after)
    return klass(message)


def parse_retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds form), if present.

    Args:
        headers: the last response's headers (any letter case).

    Returns:
        The non-negative delay in seconds, or None when absent or not a number.
    """
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == "retry-after":
            try:
                seconds = float(str(value).strip())
            except ValueError:
                return None
            return max(seconds, 0.0)
    return None


def is_ambiguous_submission(exc: BaseException) -> bool:
    """True when an order request failed in a way that may have left the order on the book.

    Timeouts, dropped connections, 5xx answers and garbled replies are ambiguous; throttling
    (429/418) and clock-skew rejections happen before the order is processed and are not.

    Args:
        exc: the exception ccxt raised during ``create_order``.
    """
    if isinstance(exc, ccxt.RateLimitExceeded | ccxt.DDoSProtection | ccxt.InvalidNonce):
        return False
    return isinstance(exc, ccxt.NetworkError | ccxt.BadResponse)
