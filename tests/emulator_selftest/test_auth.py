"""Signed endpoints: API key, HMAC signature, clock skew, IP allow-list and key permissions."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any
from urllib.parse import urlencode

import aiohttp
import ccxt
import ccxt.async_support as ccxt_async
import pytest

from tests.emulator.emulator import ExchangeEmulator

ACCOUNT = "/api/v3/account"


async def _signed_get(
    emulator: ExchangeEmulator,
    path: str,
    *,
    key: str | None = None,
    secret: str | None = None,
    timestamp: int | None = None,
    age_ms: int = 0,
    extra: dict[str, str] | None = None,
    signed: bool = True,
) -> tuple[int, Any]:
    sent_at = timestamp or int(time.time() * 1000) - age_ms
    query = urlencode({"timestamp": sent_at, **(extra or {})})
    if signed:
        digest = hmac.new(
            (secret or emulator.api_secret).encode(), query.encode(), hashlib.sha256
        ).hexdigest()
        query += f"&signature={digest}"
    headers = {} if key == "" else {"X-MBX-APIKEY": key or emulator.api_key}
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{emulator.base_url}{path}?{query}", headers=headers) as reply,
    ):
        return reply.status, await reply.json()


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({}, 200, None),
        ({"key": ""}, 401, -2014),
        ({"key": "someone-else"}, 401, -2015),
        ({"secret": "wrong-secret"}, 400, -1022),
        ({"signed": False}, 400, -1102),
        ({"age_ms": 6_000}, 400, -1021),
        ({"age_ms": -2_000}, 400, -1021),
        ({"extra": {"recvWindow": "70000"}}, 400, -1131),
    ],
)
async def test_signed_request_checks(
    exchange_emulator: ExchangeEmulator, kwargs: dict[str, Any], status: int, code: int | None
) -> None:
    got_status, body = await _signed_get(exchange_emulator, ACCOUNT, **kwargs)
    assert got_status == status
    if code is not None:
        assert body["code"] == code
    else:
        assert "balances" in body


async def test_recv_window_widens_the_accepted_timestamp(
    exchange_emulator: ExchangeEmulator,
) -> None:
    old = int(time.time() * 1000) - 10_000
    status, _ = await _signed_get(exchange_emulator, ACCOUNT, timestamp=old)
    assert status == 400
    status, _ = await _signed_get(
        exchange_emulator, ACCOUNT, timestamp=old, extra={"recvWindow": "20000"}
    )
    assert status == 200


async def _ccxt_outcome(emulator: ExchangeEmulator, call: str, **config: Any) -> Any:
    """Run a balance fetch or a market order with a fresh client; the ccxt error or None."""
    exchange = ccxt_async.binance(emulator.ccxt_config(**config))
    try:
        await exchange.load_markets()
        if call == "order":
            await exchange.create_order("BTC/USDT", "market", "buy", 0.001)
        else:
            await exchange.fetch_balance()
    except ccxt.BaseError as exc:
        return exc
    finally:
        await exchange.close()
    return None


async def _ccxt_error(emulator: ExchangeEmulator, call: str, **config: Any) -> BaseException:
    error = await _ccxt_outcome(emulator, call, **config)
    assert isinstance(error, BaseException), "the call succeeded"
    return error


async def test_ccxt_classes_for_key_problems(exchange_emulator: ExchangeEmulator) -> None:
    bad_key = await _ccxt_error(exchange_emulator, "balance", apiKey="unknown")
    assert type(bad_key) is ccxt.AuthenticationError
    assert "-2015" in str(bad_key)
    bad_secret = await _ccxt_error(exchange_emulator, "balance", secret="wrong")
    assert type(bad_secret) is ccxt.AuthenticationError
    assert "-1022" in str(bad_secret)

    exchange_emulator.set_time_offset(-30_000)
    assert type(await _ccxt_error(exchange_emulator, "balance")) is ccxt.InvalidNonce
    exchange_emulator.set_time_offset(+30_000)
    assert type(await _ccxt_error(exchange_emulator, "balance")) is ccxt.InvalidNonce
    exchange_emulator.set_time_offset(0)

    exchange_emulator.set_permissions(ip_allowed=False)
    ip_error = await _ccxt_error(exchange_emulator, "balance")
    assert type(ip_error) is ccxt.AuthenticationError
    assert "-2015" in str(ip_error)


async def test_2015_after_a_successful_private_call_becomes_ddos_protection_in_ccxt(
    client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    await client.fetch_balance()
    exchange_emulator.set_permissions(ip_allowed=False)
    with pytest.raises(ccxt.DDoSProtection, match="-2015"):
        await client.fetch_balance()


async def test_key_without_trading_permission_reads_but_cannot_trade(
    client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.set_permissions(enable_spot_and_margin_trading=False)
    restrictions = await client.sapi_get_account_apirestrictions()
    assert restrictions["enableSpotAndMarginTrading"] is False
    assert restrictions["enableReading"] is True
    assert (await client.fetch_balance())["USDT"]["free"] == 10000
    exchange_emulator.reset_counters()
    fresh = await _ccxt_error(exchange_emulator, "order")
    assert type(fresh) is ccxt.AuthenticationError
    assert exchange_emulator.snapshot().orders == {}


async def test_api_restrictions_report_withdrawal_permission(
    client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    assert (await client.sapi_get_account_apirestrictions())["enableWithdrawals"] is False
    exchange_emulator.set_permissions(enable_withdrawals=True, ip_restrict=True)
    restrictions = await client.sapi_get_account_apirestrictions()
    assert restrictions["enableWithdrawals"] is True
    assert restrictions["ipRestrict"] is True
    assert exchange_emulator.calls("GET /sapi/v1/account/apiRestrictions") == 2


def test_unknown_permission_names_are_refused(exchange_emulator: ExchangeEmulator) -> None:
    with pytest.raises(ValueError, match="enable_withdrawls"):
        exchange_emulator.set_permissions(enable_withdrawls=True)


@pytest.mark.parametrize(
    ("flags", "read_error", "trade_error"),
    [
        ({"enable_reading": False}, ccxt.AuthenticationError, ccxt.AuthenticationError),
        ({"can_trade": False}, None, ccxt.AuthenticationError),
        ({"enable_withdrawals": True}, None, None),
    ],
)
async def test_permission_flags_gate_reads_and_trades(
    exchange_emulator: ExchangeEmulator,
    flags: dict[str, bool],
    read_error: type[Exception] | None,
    trade_error: type[Exception] | None,
) -> None:
    exchange_emulator.set_price("BTC/USDT", "30000")
    exchange_emulator.set_permissions(**flags)
    for call, expected in (("balance", read_error), ("order", trade_error)):
        outcome = await _ccxt_outcome(exchange_emulator, call)
        assert (outcome if outcome is None else type(outcome)) is expected
    assert [r.code for r in exchange_emulator.requests() if r.code] == [
        -2015 for error in (read_error, trade_error) if error
    ]
