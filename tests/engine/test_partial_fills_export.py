"""Partial fills in the trade export (CSV) and the audit trail: every piece with its own fee."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from app.core.enums import OrderStatus, OrderType, Side
from app.engine.executor import OrderRequest
from app.engine.order_path import OrderPath
from app.engine.trade_export import round_trips, write_fills_csv, write_round_trips_csv
from app.storage.database import Database
from app.storage.repositories import AuditLog, FillRepository
from tests.emulator.emulator import ExchangeEmulator
from tests.engine import order_fixtures as fx
from tests.engine.order_fixtures import SYMBOL, VENUE

database = fx.database
emulator = fx.emulator
exchange_emulator = fx.exchange_emulator
exchange_emulator_factory = fx.exchange_emulator_factory
make_path = fx.make_path
path = fx.path

D = Decimal


async def trade_in_pieces(path: OrderPath, emulator: ExchangeEmulator) -> list[str]:
    """Buy 0.007 at 29990.37 in pieces of 0.003, then sell it at 30100.5 in pieces of 0.004."""
    ids = []
    for side, price, cap, moves in (
        (Side.BUY, "29990.37", "0.003", ("29990", "29989", "29988")),
        (Side.SELL, "30100.5", "0.004", ("30100.5", "30101")),
    ):
        emulator.set_fill_limit(SYMBOL, cap)
        request = OrderRequest(SYMBOL, side, OrderType.LIMIT, D("0.007"), D(price))
        order = await path.executor.submit(request)
        for move in moves:
            emulator.set_price(SYMBOL, move)
            await path.tracker.poll_once()
        done = path.tracker.get(order.client_order_id)
        assert done is not None and done.status is OrderStatus.FILLED
        ids.append(order.client_order_id)
    return ids


async def test_the_fills_csv_lists_every_piece_with_its_own_fee(
    path: OrderPath, emulator: ExchangeEmulator, database: Database, tmp_path: Path
) -> None:
    buy_id, sell_id = await trade_in_pieces(path, emulator)
    target = tmp_path / "fills.csv"
    assert write_fills_csv(FillRepository(database).list(VENUE), target) == 5
    with target.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    trades = emulator.snapshot().trades
    assert [
        (r["trade_id"], r["client_order_id"], r["side"], D(r["amount"]), D(r["price"]), D(r["fee"]))
        for r in rows
    ] == [
        (
            str(t.trade_id),
            buy_id if t.side == "BUY" else sell_id,
            t.side.lower(),
            t.qty,
            t.price,
            t.commission,
        )
        for t in trades
    ]
    assert [D(r["notional"]) for r in rows] == [t.quote_qty for t in trades]
    assert sum((D(r["fee"]) for r in rows), D(0)) == sum((t.commission for t in trades), D(0))


async def test_the_round_trip_of_pieces_carries_every_fee_and_the_exact_pnl(
    path: OrderPath, emulator: ExchangeEmulator, database: Database, tmp_path: Path
) -> None:
    await trade_in_pieces(path, emulator)
    fills = FillRepository(database).list(VENUE)
    (trip,) = round_trips(fills)
    trades = emulator.snapshot().trades
    fees = sum((t.commission for t in trades), D(0))
    assert (trip.quantity, trip.fills) == (D("0.007"), 5)
    assert (trip.average_entry, trip.average_exit) == (D("29990.37"), D("30100.5"))
    assert trip.fees == fees
    assert trip.net_pnl == (D("30100.5") - D("29990.37")) * D("0.007") - fees
    portfolio = path.tracker.portfolio
    assert portfolio is not None
    assert trip.net_pnl == portfolio.cash == sum(emulator.balance("USDT")) - D(10000)
    target = tmp_path / "trips.csv"
    assert write_round_trips_csv(fills, target) == 1
    with target.open(newline="", encoding="utf-8") as stream:
        (row,) = csv.DictReader(stream)
    assert (D(row["fees"]), D(row["net_pnl"]), row["fills"]) == (fees, trip.net_pnl, "5")


async def test_the_audit_trail_records_every_piece_with_its_fee_under_its_order(
    path: OrderPath, emulator: ExchangeEmulator, database: Database
) -> None:
    buy_id, sell_id = await trade_in_pieces(path, emulator)
    path.audit.flush()
    log = AuditLog(database)
    records = log.query(kind="fill")
    trades = emulator.snapshot().trades
    assert [r.payload["trade_id"] for r in records] == [str(t.trade_id) for t in trades]
    for record, trade in zip(records, trades, strict=True):
        assert D(record.payload["fee"]) == trade.commission
        assert record.payload["client_order_id"] == (buy_id if trade.side == "BUY" else sell_id)
        assert f"fee {D(record.payload['fee'])} USDT" in record.message
    buy = path.tracker.get(buy_id)
    assert buy is not None and buy.correlation_id is not None
    chain = [r.kind for r in log.query(correlation_id=buy.correlation_id)]
    assert chain.count("fill") == 3
    updates = [
        r.payload["status"]
        for r in log.query(correlation_id=buy.correlation_id, kind="order_update")
    ]
    assert updates[-1] == "filled"
    assert "partially_filled" in updates
