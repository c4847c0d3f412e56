"""ccxt exception -> project error mapping (the declarative table and venue message rules)."""

from __future__ import annotations

import ccxt
import pytest

from app.core import errors as project
from app.exchange.errors import (
    is_ambiguous_submission,
    map_ccxt_error,
    mapped_class,
    parse_retry_after,
)


@pytest.mark.parametrize(
    ("ccxt_exc", "expected"),
    [
        (ccxt.InvalidNonce("binance -1021"), project.ClockSkewError),
        (ccxt.RateLimitExceeded("429"), project.RateLimitExceeded),
        (ccxt.DDoSProtection("418"), project.RateLimitExceeded),
        (ccxt.RequestTimeout("timeout"), project.NetworkError),
        (ccxt.OnMaintenance("maintenance"), project.ExchangeUnavailable),
        (ccxt.ExchangeNotAvailable("503"), project.ExchangeUnavailable),
        (ccxt.NetworkError("reset"), project.NetworkError),
        (ccxt.BadResponse("garbled"), project.BadExchangeReply),
        (ccxt.NullResponse("empty"), project.BadExchangeReply),
        (ccxt.AuthenticationError("bad key"), project.AuthenticationError),
        (ccxt.PermissionDenied("no trading"), project.PermissionDenied),
        (ccxt.AccountSuspended("suspended"), project.PermissionDenied),
        (ccxt.InsufficientFunds("no money"), project.InsufficientFunds),
        (ccxt.DuplicateOrderId("dup"), project.DuplicateOrder),
        (ccxt.OrderNotFound("unknown"), project.OrderNotFound),
        (ccxt.InvalidOrder("lot size"), project.InvalidOrder),
        (ccxt.BadSymbol("XYZ/ABC"), project.BadSymbol),
        (ccxt.NotSupported("nope"), project.PermanentExchangeError),
        (ccxt.ExchangeError("generic"), project.PermanentExchangeError),
        (ccxt.BaseError("odd"), project.ExchangeError),
    ],
)
def test_every_ccxt_class_maps_to_the_most_specific_project_error(
    ccxt_exc: Exception, expected: type[project.ExchangeError]
) -> None:
    mapped = map_ccxt_error(ccxt_exc, exchange_id="kraken", operation="fetch_ticker BTC/USD")
    assert type(mapped) is expected
    assert "kraken fetch_ticker BTC/USD" in str(mapped)


def test_temporary_subtree_is_exactly_the_network_family() -> None:
    assert isinstance(map_ccxt_error(ccxt.RequestTimeout("t")), project.TemporaryExchangeError)
    assert not isinstance(map_ccxt_error(ccxt.InvalidNonce("t")), project.TemporaryExchangeError)
    assert not isinstance(map_ccxt_error(ccxt.BadResponse("t")), project.TemporaryExchangeError)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ('binance {"code":-2010,"msg":"Duplicate order sent."}', project.DuplicateOrder),
        (
            'binance {"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}',
            project.AuthenticationError,
        ),
        (
            'binance {"code": -1022,"msg":"Signature for this request is not valid."}',
            project.AuthenticationError,
        ),
        ('binance {"code":-1021,"msg":"Timestamp outside recvWindow"}', project.ClockSkewError),
    ],
)
def test_binance_message_rules_refine_broad_ccxt_classes(
    message: str, expected: type[project.ExchangeError]
) -> None:
    # ccxt raises DDoSProtection for -2015 once a key has worked, InvalidOrder for duplicates.
    for raised in (ccxt.InvalidOrder(message), ccxt.DDoSProtection(message)):
        assert mapped_class(raised, "binance") is expected
    # The rules are per venue: another exchange keeps ccxt's classification.
    assert mapped_class(ccxt.InvalidOrder(message), "kraken") is project.InvalidOrder


def test_rate_limit_carries_retry_after_and_messages_tell_the_user_what_to_do() -> None:
    mapped = map_ccxt_error(ccxt.DDoSProtection("429"), exchange_id="binance", retry_after=7.0)
    assert isinstance(mapped, project.RateLimitExceeded)
    assert mapped.retry_after == 7.0
    auth = map_ccxt_error(ccxt.AuthenticationError("-2015"), exchange_id="binance")
    assert "check the API key" in str(auth)
    skew = map_ccxt_error(ccxt.InvalidNonce("-1021"), exchange_id="binance")
    assert "sync the system clock" in str(skew)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "12"}, 12.0),
        ({"retry-after": " 3 "}, 3.0),
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, None),
        ({"Retry-After": "-5"}, 0.0),
        ({}, None),
        (None, None),
    ],
)
def test_parse_retry_after(headers: dict[str, str] | None, expected: float | None) -> None:
    assert parse_retry_after(headers) == expected


@pytest.mark.parametrize(
    ("exc", "ambiguous"),
    [
        (ccxt.RequestTimeout("t"), True),
        (ccxt.ExchangeNotAvailable("500"), True),
        (ccxt.NetworkError("reset"), True),
        (ccxt.BadResponse("garbled"), True),
        (ccxt.RateLimitExceeded("429"), False),
        (ccxt.DDoSProtection("418"), False),
        (ccxt.InvalidNonce("-1021"), False),
        (ccxt.InsufficientFunds("x"), False),
        (ccxt.InvalidOrder("x"), False),
    ],
)
def test_which_submission_failures_leave_the_outcome_unknown(
    exc: Exception, ambiguous: bool
) -> None:
    assert is_ambiguous_submission(exc) is ambiguous
