"""Error-mapping matrix: every injected fault -> the project error AND the HTTP calls made.

Reads are retried (3 attempts, fake sleep); order creation is sent exactly once and an
ambiguous outcome is resolved by looking the client order id up (up to 3 lookups).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from app.core import errors as project
from app.core.enums import OrderStatus, OrderType, Side
from app.exchange.ccxt_adapter import CcxtExchange
from tests.emulator.emulator import ExchangeEmulator
from tests.exchange.conftest import RecordingSleep

D = Decimal
TICKER = "GET /api/v3/ticker/24hr"
ACCOUNT = "GET /api/v3/account"
POST_ORDER = "POST /api/v3/order"
GET_ORDER = "GET /api/v3/order"
DELETE_ORDER = "DELETE /api/v3/order"
SLOW = {"delay_ms": 3000}

MakeCcxt = Callable[..., CcxtExchange]


@pytest.fixture()
async def ready(make_ccxt: MakeCcxt, exchange_emulator: ExchangeEmulator) -> CcxtExchange:
    exchange = make_ccxt()
    exchange_emulator.set_price("BTC/USDT", "30000")
    await exchange.load_markets()
    exchange_emulator.reset_counters()
    return exchange


# ---------------------------------------------------------------------- reads
READ_FAULTS = [
    # (fault, options, times, expected error, calls)
    ("http_429", {"retry_after": 2}, None, project.RateLimitExceeded, 3),
    ("http_418", {"retry_after": 60}, None, project.RateLimitExceeded, 3),
    ("http_500", {}, None, project.ExchangeUnavailable, 3),
    ("http_503", {}, None, project.ExchangeUnavailable, 3),
    ("timeout_before_accept", SLOW, None, project.NetworkError, 3),
    ("bad_json", {}, None, project.BadExchangeReply, 1),
]


@pytest.mark.parametrize(("fault", "options", "times", "expected", "calls"), READ_FAULTS)
async def test_read_faults_are_mapped_and_retried_only_when_temporary(
    ready: CcxtExchange,
    exchange_emulator: ExchangeEmulator,
    fake_sleep: RecordingSleep,
    fault: str,
    options: dict[str, object],
    times: int | None,
    expected: type[Exception],
    calls: int,
) -> None:
    exchange_emulator.inject(TICKER, fault, times=times, **options)
    with pytest.raises(expected) as info:
        await ready.fetch_ticker("BTC/USDT")
    assert type(info.value) is expected
    assert exchange_emulator.calls(TICKER) == calls
    assert len(fake_sleep.delays) == calls - 1
    retry_after = options.get("retry_after")
    if isinstance(retry_after, int):
        assert isinstance(info.value, project.RateLimitExceeded)
        assert info.value.retry_after == retry_after
        assert all(delay >= retry_after for delay in fake_sleep.delays)


@pytest.mark.parametrize("fault", ["http_429", "http_503", "timeout_before_accept"])
async def test_a_transient_read_fault_recovers_on_retry(
    ready: CcxtExchange, exchange_emulator: ExchangeEmulator, fault: str
) -> None:
    exchange_emulator.inject(TICKER, fault, times=1, **(SLOW if "timeout" in fault else {}))
    assert await ready.fetch_ticker("BTC/USDT") == D(30000)
    assert exchange_emulator.calls(TICKER) == 2


async def test_invalid_key_ip_not_allowed_2015(
    ready: CcxtExchange, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.set_permissions(ip_allowed=False)
    with pytest.raises(project.AuthenticationError, match="check the API key"):
        await ready.fetch_balance()
    assert exchange_emulator.calls(ACCOUNT) == 1


async def test_2015_stays_an_auth_error_after_a_successful_call(
    ready: CcxtExchange, exchange_emulator: ExchangeEmulator
) -> None:
    await ready.fetch_balance()  # ccxt now treats -2015 as a temporary ban (DDoSProtection)
    exchange_emulator.set_permissions(ip_allowed=False)
    with pytest.raises(project.AuthenticationError):
        await ready.fetch_balance()
    assert exchange_emulator.calls(ACCOUNT) == 2


async def test_bad_signature_1022(make_ccxt: MakeCcxt, exchange_emulator: ExchangeEmulator) -> None:
    exchange = make_ccxt()
    exchange.client.secret = "0" * 64
    with pytest.raises(project.AuthenticationError) as info:
        await exchange.fetch_balance()
    assert "-1022" in str(info.value)
    assert exchange_emulator.calls(ACCOUNT) == 1


async def test_clock_skew_1021(ready: CcxtExchange, exchange_emulator: ExchangeEmulator) -> None:
    exchange_emulator.set_time_offset(-120_000)
    with pytest.raises(project.ClockSkewError, match="sync the system clock"):
        await ready.fetch_balance()
    assert exchange_emulator.calls(ACCOUNT) == 1


# ---------------------------------------------------------------------- orders
async def buy(exchange: CcxtExchange, coid: str, amount: str = "0.01") -> object:
    return await exchange.create_order(coid, "BTC/USDT", Side.BUY, OrderType.MARKET, D(amount))


async def test_timeout_after_accept_is_found_by_client_id_and_never_placed_twice(
    ready: CcxtExchange, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.inject(POST_ORDER, "timeout_after_accept", times=1, **SLOW)
    order = await ready.create_order(
        "amb-1", "BTC/USDT", Side.BUY, OrderType.LIMIT, D("0.01"), D(29000)
    )
    assert order.client_order_id == "amb-1"
    assert order.status is OrderStatus.OPEN
    assert order.exchange_order_id == str(exchange_emulator.order("amb-1").order_id)
    assert exchange_emulator.calls(POST_ORDER) == 1
    assert exchange_emulator.calls(GET_ORDER) == 1
    assert list(exchange_emulator.snapshot().orders) == ["amb-1"]


async def test_dropped_connection_after_accept_returns_the_filled_order(
    ready: CcxtExchange, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.inject(POST_ORDER, "timeout_after_accept", times=1, mode="drop")
    order = await buy(ready, "amb-2")
    assert order.status is OrderStatus.FILLED  # type: ignore[attr-defined]
    assert exchange_emulator.calls(POST_ORDER) == 1
    assert len(exchange_emulator.snapshot().trades) == 1


async def test_bad_json_reply_to_an_accepted_order_is_resolved_by_lookup(
    ready: CcxtExchange, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.inject(POST_ORDER, "bad_json", times=1)
    order = await buy(ready, "amb-3")
    assert order.status is OrderStatus.FILLED  # type: ignore[attr-defined]
    assert (exchange_emulator.calls(POST_ORDER), exchange_emulator.calls(GET_ORDER)) == (1, 1)


@pytest.mark.parametrize(
    ("fault", "options"),
    [("timeout_before_accept", SLOW), ("http_500", {}), ("http_503", {})],
)
async def test_a_request_that_never_landed_is_reported_rejected_after_bounded_lookups(
    ready: CcxtExchange,
    exchange_emulator: ExchangeEmulator,
    fault: str,
    options: dict[str, object],
) -> None:
    exchange_emulator.inject(POST_ORDER, fault, times=1, **options)
    order = await buy(ready, "gone-1")
    assert order.status is OrderStatus.REJECTED  # type: ignore[attr-defined]
    assert "never placed" in (order.reason or "")  # type: ignore[attr-defined]
    assert exchange_emulator.calls(POST_ORDER) == 1
    assert exchange_emulator.calls(GET_ORDER) == 3
    assert exchange_emulator.snapshot().orders == {}


async def test_outcome_unknown_when_the_lookup_also_fails(
    ready: CcxtExchange, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.inject(POST_ORDER, "timeout_after_accept", times=1, **SLOW)
    exchange_emulator.inject(GET_ORDER, "http_503", times=None)
    with pytest.raises(project.OrderOutcomeUnknown) as info:
        await buy(ready, "unk-1")
    assert info.value.client_order_id == "unk-1"
    assert exchange_emulator.calls(POST_ORDER) == 1
    assert exchange_emulator.calls(GET_ORDER) == 3
    exchange_emulator.clear_faults()
    # the order did land: reconciliation by client id finds it later
    assert (await ready.fetch_order("BTC/USDT", "unk-1")).status is OrderStatus.FILLED


@pytest.mark.parametrize(
    ("fault", "options", "expected"),
    [
        ("http_429", {"retry_after": 5}, project.RateLimitExceeded),
        ("http_418", {"retry_after": 60}, project.RateLimitExceeded),
    ],
)
async def test_throttled_order_is_not_retried_and_not_looked_up(
    ready: CcxtExchange,
    exchange_emulator: ExchangeEmulator,
    fault: str,
    options: dict[str, object],
    expected: type[Exception],
) -> None:
    exchange_emulator.inject(POST_ORDER, fault, times=1, **options)
    with pytest.raises(expected):
        await buy(ready, "thr-1")
    assert exchange_emulator.calls(POST_ORDER) == 1
    assert exchange_emulator.calls(GET_ORDER) == 0


async def test_insufficient_balance(
    ready: CcxtExchange, exchange_emulator: ExchangeEmulator
) -> None:
    with pytest.raises(project.InsufficientFunds, match="cannot cover"):
        await buy(ready, "big-1", "5")
    assert exchange_emulator.calls(POST_ORDER) == 1
    assert exchange_emulator.calls(GET_ORDER) == 0


async def test_filter_failure_from_the_venue(
    ready: CcxtExchange, exchange_emulator: ExchangeEmulator
) -> None:
    with pytest.raises(project.InvalidOrder, match="PRICE_FILTER"):
        await ready.create_order(
            "flt-1", "BTC/USDT", Side.SELL, OrderType.LIMIT, D("0.01"), D(2_000_000)
        )
    assert exchange_emulator.calls(POST_ORDER) == 1


async def test_unknown_order_on_cancel(
    ready: CcxtExchange, exchange_emulator: ExchangeEmulator
) -> None:
    with pytest.raises(project.OrderNotFound):
        await ready.cancel_order("BTC/USDT", "nope")
    assert exchange_emulator.calls(DELETE_ORDER) == 1
    assert exchange_emulator.calls(GET_ORDER) == 1


async def test_duplicate_client_order_id(
    ready: CcxtExchange, exchange_emulator: ExchangeEmulator
) -> None:
    await buy(ready, "dup-1")
    with pytest.raises(project.DuplicateOrder):
        await buy(ready, "dup-1")
    assert exchange_emulator.calls(POST_ORDER) == 2
    assert len(exchange_emulator.snapshot().trades) == 1


async def test_load_markets_is_retried_after_a_transient_failure(
    make_ccxt: MakeCcxt, exchange_emulator: ExchangeEmulator
) -> None:
    exchange = make_ccxt()
    exchange_emulator.inject("GET /api/v3/exchangeInfo", "http_503", times=1)
    markets = await exchange.load_markets()
    assert "BTC/USDT" in markets
    assert exchange_emulator.calls("GET /api/v3/exchangeInfo") == 2


async def test_cancel_with_unknown_outcome_reports_the_state_found(
    ready: CcxtExchange, exchange_emulator: ExchangeEmulator
) -> None:
    await ready.create_order("cx-1", "BTC/USDT", Side.BUY, OrderType.LIMIT, D("0.01"), D(25000))
    exchange_emulator.inject(DELETE_ORDER, "timeout_after_accept", times=1, **SLOW)
    order = await ready.cancel_order("BTC/USDT", "cx-1")
    assert order.status is OrderStatus.CANCELED
    assert exchange_emulator.calls(DELETE_ORDER) == 1
    assert exchange_emulator.calls(GET_ORDER) == 1
