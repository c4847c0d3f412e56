"""Real ccxt against the emulator: orders by id and client id, fills, balances, trades."""

from __future__ import annotations

import asyncio
import threading
from decimal import Decimal
from typing import Any

import ccxt
import pytest

from tests.emulator.emulator import ExchangeEmulator


async def test_limit_order_rests_then_fills_when_the_price_crosses(
    client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.set_price("BTC/USDT", "30000")
    order = await client.create_order(
        "BTC/USDT", "limit", "buy", 0.01, 29000, {"clientOrderId": "cb-limit-1"}
    )
    assert order["status"] == "open"
    assert order["clientOrderId"] == "cb-limit-1"
    assert exchange_emulator.balance("USDT") == (Decimal("9709.71"), Decimal("290.29"))

    open_orders = await client.fetch_open_orders("BTC/USDT")
    assert [o["clientOrderId"] for o in open_orders] == ["cb-limit-1"]

    trades = exchange_emulator.set_price("BTC/USDT", "28999.99")
    assert [(t.price, t.qty, t.is_maker) for t in trades] == [
        (Decimal(29000), Decimal("0.01000"), True)
    ]
    fetched = await client.fetch_order(order["id"], "BTC/USDT")
    assert fetched["status"] == "closed"
    assert fetched["filled"] == 0.01
    assert fetched["average"] == 29000
    assert exchange_emulator.balance("USDT") == (Decimal("9709.71"), Decimal(0))
    assert exchange_emulator.balance("BTC") == (Decimal("0.51000"), Decimal(0))
    assert await client.fetch_open_orders("BTC/USDT") == []


async def test_market_order_fills_at_the_current_price_with_fee_in_quote(
    client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.set_price("ETH/USDT", "2000")
    order = await client.create_order("ETH/USDT", "market", "sell", 1.5)
    assert order["status"] == "closed"
    assert order["average"] == 2000
    assert order["fee"] == {"currency": "USDT", "cost": 3.0}
    balance = await client.fetch_balance()
    assert balance["ETH"]["free"] == 3.5
    assert balance["USDT"]["free"] == 12997.0
    trades = await client.fetch_my_trades("ETH/USDT")
    assert [(t["side"], t["price"], t["amount"], t["takerOrMaker"]) for t in trades] == [
        ("sell", 2000.0, 1.5, "taker")
    ]


async def test_fetch_and_cancel_by_client_order_id(
    client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.set_price("BTC/USDT", "30000")
    await client.create_order("BTC/USDT", "limit", "sell", 0.1, 31000, {"clientOrderId": "cb-x"})
    found = await client.fetch_order(None, "BTC/USDT", {"origClientOrderId": "cb-x"})
    assert found["clientOrderId"] == "cb-x"
    assert found["status"] == "open"
    assert exchange_emulator.balance("BTC") == (Decimal("0.4"), Decimal("0.1"))

    canceled = await client.cancel_order(None, "BTC/USDT", {"origClientOrderId": "cb-x"})
    assert canceled["status"] == "canceled"
    assert exchange_emulator.balance("BTC") == (Decimal("0.5"), Decimal("0.0"))
    assert exchange_emulator.order("cb-x").status == "CANCELED"
    with pytest.raises(ccxt.OrderNotFound):
        await client.cancel_order(found["id"], "BTC/USDT")


async def test_unknown_order_is_order_not_found(client: Any) -> None:
    with pytest.raises(ccxt.OrderNotFound, match="-2013"):
        await client.fetch_order(None, "BTC/USDT", {"origClientOrderId": "never-sent"})
    with pytest.raises(ccxt.OrderNotFound, match="-2013"):
        await client.fetch_order("999", "BTC/USDT")


async def test_duplicate_client_order_id_is_rejected_and_not_stored(
    client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.set_price("BTC/USDT", "30000")
    params = {"clientOrderId": "cb-dup"}
    await client.create_order("BTC/USDT", "limit", "buy", 0.001, 20000, params)
    with pytest.raises(ccxt.InvalidOrder, match="Duplicate order sent"):
        await client.create_order("BTC/USDT", "limit", "buy", 0.001, 20000, params)
    snapshot = exchange_emulator.snapshot()
    assert len(snapshot.orders) == 1
    assert exchange_emulator.calls("POST /api/v3/order") == 2


@pytest.mark.parametrize(
    ("quantity", "price", "failed_filter", "ccxt_error"),
    [
        ("0.000015", "30000", "LOT_SIZE", ccxt.InvalidOrder),
        ("0.000001", "30000", "LOT_SIZE", ccxt.InvalidOrder),
        ("0.001", "30000.001", "PRICE_FILTER", ccxt.InvalidOrder),
        # ccxt finds LOT_SIZE / PRICE_FILTER in the text but maps a plain -1013 to BadRequest.
        ("0.0001", "30000", "NOTIONAL", ccxt.BadRequest),
    ],
)
async def test_filter_failures_are_rejected_with_1013(
    client: Any,
    exchange_emulator: ExchangeEmulator,
    quantity: str,
    price: str,
    failed_filter: str,
    ccxt_error: type[Exception],
) -> None:
    params = {"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC"}
    params |= {"quantity": quantity, "price": price}
    with pytest.raises(ccxt_error, match=f"Filter failure: {failed_filter}"):
        await client.private_post_order(params)
    assert exchange_emulator.snapshot().orders == {}
    assert exchange_emulator.requests("POST /api/v3/order")[0].code == -1013


async def test_insufficient_balance(client: Any, exchange_emulator: ExchangeEmulator) -> None:
    exchange_emulator.set_price("BTC/USDT", "30000")
    exchange_emulator.set_balance("USDT", "100")
    with pytest.raises(ccxt.InsufficientFunds):
        await client.create_order("BTC/USDT", "market", "buy", 0.01)
    assert exchange_emulator.balance("USDT") == (Decimal(100), Decimal(0))


async def test_stop_loss_limit_triggers_on_the_way_down(
    client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.set_price("BTC/USDT", "30000")
    order = await client.create_order(
        "BTC/USDT", "STOP_LOSS_LIMIT", "sell", 0.1, 28900, {"stopPrice": 29000}
    )
    assert order["status"] == "open"
    assert exchange_emulator.set_price("BTC/USDT", "29500") == []
    trades = exchange_emulator.set_price("BTC/USDT", "28950")
    assert [(t.price, t.is_maker) for t in trades] == [(Decimal("28950"), False)]
    assert (await client.fetch_order(order["id"], "BTC/USDT"))["status"] == "closed"


async def test_stop_that_would_trigger_immediately_is_rejected(
    client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.set_price("BTC/USDT", "30000")
    with pytest.raises(ccxt.OrderImmediatelyFillable):
        await client.create_order(
            "BTC/USDT", "STOP_LOSS_LIMIT", "sell", 0.1, 30500, {"stopPrice": 31000}
        )


async def test_cancel_all_open_orders(client: Any, exchange_emulator: ExchangeEmulator) -> None:
    exchange_emulator.set_price("ETH/USDT", "2000")
    for price in (1900, 1800):
        await client.create_order("ETH/USDT", "limit", "buy", 0.1, price)
    canceled = await client.cancel_all_orders("ETH/USDT")
    assert [o["status"] for o in canceled] == ["canceled", "canceled"]
    assert exchange_emulator.balance("USDT") == (Decimal("10000.0000000"), Decimal("0E-7"))
    all_orders = await client.fetch_orders("ETH/USDT")
    assert [o["status"] for o in all_orders] == ["canceled", "canceled"]


async def test_partial_fills_show_in_ccxt_and_cancel_keeps_the_filled_part(
    client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.set_price("BTC/USDT", "30000")
    exchange_emulator.set_fill_limit("BTC/USDT", "0.004")
    order = await client.create_order("BTC/USDT", "limit", "sell", 0.01, 30500)
    exchange_emulator.set_price("BTC/USDT", "30600")
    partial = await client.fetch_order(order["id"], "BTC/USDT")
    assert (partial["status"], partial["filled"], partial["remaining"]) == ("open", 0.004, 0.006)
    assert partial["info"]["status"] == "PARTIALLY_FILLED"
    canceled = await client.cancel_order(order["id"], "BTC/USDT")
    assert canceled["status"] == "canceled"
    assert canceled["filled"] == 0.004
    assert exchange_emulator.balance("BTC") == (Decimal("0.496"), Decimal(0))
    assert len(await client.fetch_my_trades("BTC/USDT")) == 1


async def test_concurrent_orders_and_price_moves_keep_the_books_balanced(
    client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.set_price("BTC/USDT", "30000")

    async def place(index: int) -> None:
        side = "buy" if index % 2 else "sell"
        price = 29900 + (index % 7) * 30
        await client.create_order(
            "BTC/USDT", "limit", side, 0.001, price, {"clientOrderId": f"cb-c-{index}"}
        )

    done = threading.Event()

    def move_prices() -> None:
        step = 0
        while not done.is_set() or step < 20:
            exchange_emulator.set_price("BTC/USDT", str(29850 + (step * 137) % 300))
            step += 1

    mover = asyncio.create_task(asyncio.to_thread(move_prices))
    await asyncio.gather(*(place(i) for i in range(120)))
    done.set()
    await mover
    exchange_emulator.set_price("BTC/USDT", "29000")  # every resting buy fills

    snapshot = exchange_emulator.snapshot()
    assert len(snapshot.orders) == 120
    assert len({o.order_id for o in snapshot.orders.values()}) == 120
    buys = [t for t in snapshot.trades if t.side == "BUY"]
    sells = [t for t in snapshot.trades if t.side == "SELL"]
    assert buys and sells
    bought = sum((t.qty for t in buys), Decimal(0))
    sold = sum((t.qty for t in sells), Decimal(0))
    spent = sum((t.quote_qty + t.commission for t in buys), Decimal(0))
    earned = sum((t.quote_qty - t.commission for t in sells), Decimal(0))
    assert sum(snapshot.balances["BTC"]) == Decimal("0.5") + bought - sold
    assert sum(snapshot.balances["USDT"]) == Decimal(10000) - spent + earned


async def test_server_time_follows_the_injected_offset(
    client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    before = await client.fetch_time()
    exchange_emulator.set_time_offset(3_600_000)
    skewed = await client.fetch_time()
    assert 3_500_000 < skewed - before < 3_700_000


async def test_test_order_endpoint_validates_without_placing(
    client: Any, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.set_price("BTC/USDT", "30000")
    await client.create_order("BTC/USDT", "limit", "buy", 0.001, 29000, {"test": True})
    assert exchange_emulator.calls("POST /api/v3/order/test") == 1
    assert exchange_emulator.snapshot().orders == {}
    with pytest.raises(ccxt.BadSymbol):
        await client.private_post_order_test(
            {"symbol": "DOGEUSDT", "side": "BUY", "type": "MARKET"}
        )
