"""Repositories: orders, fills, balances, runs, audit log and settings history, Decimals exact."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from app.core.enums import OrderStatus, OrderType, Side, TimeInForce
from app.core.errors import StorageError
from app.core.models import Balance, Fill, Order
from app.storage.database import Database
from app.storage.repositories import (
    AuditLog,
    BacktestRun,
    BacktestRunRepository,
    BalanceRepository,
    FillRepository,
    OrderRepository,
    SettingsHistoryRepository,
    StrategyRunRepository,
)

VENUE = "binance:paper"


def _order(client_order_id: str = "cb-1", **changes: object) -> Order:
    order = Order(
        client_order_id=client_order_id,
        symbol="BTC/USDT",
        side=Side.BUY,
        type=OrderType.LIMIT,
        amount=Decimal("0.00120000"),
        price=Decimal("19695.87"),
        stop_price=Decimal("19000.10"),
        time_in_force=TimeInForce.IOC,
        created_at=1_000,
        updated_at=1_000,
        strategy_id="sma_cross#1",
        correlation_id="corr-1",
        reduce_only=True,
        reason="signal",
    )
    return order.with_changes(**changes)


def _fill(trade_id: str = "t-1", **changes: object) -> Fill:
    fill = Fill(
        trade_id=trade_id,
        client_order_id="cb-1",
        symbol="BTC/USDT",
        side=Side.BUY,
        price=Decimal("19695.87"),
        amount=Decimal("0.0006"),
        fee=Decimal("0.011817522"),
        fee_currency="USDT",
        timestamp=2_000,
        exchange_order_id="ex-9",
        is_maker=True,
    )
    return replace(fill, **changes)  # type: ignore[arg-type]


# ----------------------------------------------------------------- orders
def test_order_round_trips_every_field_exactly(database: Database) -> None:
    repo = OrderRepository(database)
    order = _order(
        exchange_order_id="ex-9",
        filled=Decimal("0.0006"),
        average_price=Decimal("19695.870"),
        fee=Decimal("0.011817522"),
        fee_currency="USDT",
        status=OrderStatus.PARTIALLY_FILLED,
    )
    assert repo.upsert(VENUE, order)
    back = repo.get("cb-1")
    assert back == order
    assert back is not None and str(back.amount) == "0.00120000"
    assert repo.get_by_exchange_id(VENUE, "ex-9") == order
    assert repo.get("unknown") is None


def test_order_snapshots_replace_but_never_go_back_in_time(database: Database) -> None:
    repo = OrderRepository(database)
    repo.upsert(VENUE, _order())
    filled = _order(status=OrderStatus.FILLED, filled=Decimal("0.0012"), updated_at=3_000)
    assert repo.upsert(VENUE, filled)
    stale = _order(status=OrderStatus.OPEN, updated_at=2_000)
    assert not repo.upsert(VENUE, stale)
    assert repo.get("cb-1") == filled
    assert len(repo.list_all(VENUE)) == 1


def test_open_orders_are_the_active_ones_of_the_venue(database: Database) -> None:
    repo = OrderRepository(database)
    repo.upsert(VENUE, _order("a", status=OrderStatus.OPEN, created_at=1))
    repo.upsert(VENUE, _order("b", status=OrderStatus.FILLED, created_at=2))
    repo.upsert(VENUE, _order("c", status=OrderStatus.UNKNOWN, created_at=3))
    repo.upsert(VENUE, _order("d", status=OrderStatus.PENDING_SUBMIT, created_at=4))
    repo.upsert("binance:live", _order("e", status=OrderStatus.OPEN, created_at=5))
    assert [o.client_order_id for o in repo.list_open(VENUE)] == ["a", "c", "d"]
    assert [o.client_order_id for o in repo.list_all(VENUE)] == ["d", "c", "b", "a"]
    assert [o.client_order_id for o in repo.list_all(VENUE, limit=2)] == ["d", "c"]


def test_client_order_id_cannot_move_to_another_venue(database: Database) -> None:
    repo = OrderRepository(database)
    repo.upsert(VENUE, _order())
    with pytest.raises(StorageError, match="stored for venue binance:paper, not binance:live"):
        repo.upsert("binance:live", _order(updated_at=5_000))


# ----------------------------------------------------------------- fills
def test_fills_are_stored_once_per_venue_and_trade_id(database: Database) -> None:
    repo = FillRepository(database)
    assert repo.add(VENUE, _fill())
    assert not repo.add(VENUE, _fill())
    assert repo.add("kraken:paper", _fill())  # same trade id at another venue is another trade
    assert repo.add_many(VENUE, [_fill("t-1"), _fill("t-2", timestamp=1_500), _fill("t-3")]) == 2
    fills = repo.list(VENUE)
    assert [f.trade_id for f in fills] == ["t-2", "t-1", "t-3"]
    assert fills[1] == _fill()
    assert str(fills[1].fee) == "0.011817522"


def test_fill_filters(database: Database) -> None:
    repo = FillRepository(database)
    repo.add_many(
        VENUE,
        [
            _fill("t-1"),
            _fill("t-2", client_order_id="cb-2", timestamp=5_000),
            _fill("t-3", symbol="ETH/USDT", timestamp=6_000),
        ],
    )
    assert [f.trade_id for f in repo.list(VENUE, client_order_id="cb-2")] == ["t-2"]
    assert [f.trade_id for f in repo.list(VENUE, symbol="ETH/USDT")] == ["t-3"]
    assert [f.trade_id for f in repo.list(VENUE, since=5_000)] == ["t-2", "t-3"]


# ----------------------------------------------------------------- balances
def test_balances_set_update_and_replace(database: Database) -> None:
    repo = BalanceRepository(database)
    repo.set(VENUE, [Balance("USDT", Decimal("10000.00")), Balance("BTC", Decimal("0"))], 1)
    repo.set(VENUE, [Balance("BTC", Decimal("0.0012"), used=Decimal("0.0003"))], 2)
    assert repo.get(VENUE) == {
        "USDT": Balance("USDT", Decimal("10000.00")),
        "BTC": Balance("BTC", Decimal("0.0012"), Decimal("0.0003")),
    }
    repo.set(VENUE, [Balance("ETH", Decimal("1.5"))], 3, replace=True)
    assert repo.get(VENUE) == {"ETH": Balance("ETH", Decimal("1.5"))}
    assert repo.get("other") == {}


# ----------------------------------------------------------------- audit log
def test_audit_log_appends_and_queries(database: Database) -> None:
    log = AuditLog(database)
    first = log.append("signal", "enter long", "c1", "strategy", {"price": Decimal("1.10")}, ts=10)
    log.append("risk_rejected", "daily loss limit", "c2", "risk", ts=20)
    log.append("order_submitted", "buy 0.001", "c1", "executor", ts=30)
    by_correlation = log.query(correlation_id="c1")
    assert [e.kind for e in by_correlation] == ["signal", "order_submitted"]
    assert by_correlation[0].id == first
    assert by_correlation[0].payload == {"price": "1.10"}  # Decimal kept exact, as text
    assert [e.message for e in log.query(kind="risk_rejected")] == ["daily loss limit"]
    assert [e.ts for e in log.query(since=20, until=30)] == [20, 30]
    assert [e.ts for e in log.query(limit=1)] == [10]


def test_audit_payload_must_be_json(database: Database) -> None:
    with pytest.raises(StorageError, match="cannot be stored as JSON"):
        AuditLog(database).append("x", "y", payload={"bad": object()})
    assert AuditLog(database).query() == []


def test_audit_log_has_no_update_or_delete_api() -> None:
    public = {name for name in dir(AuditLog) if not name.startswith("_")}
    assert public == {"append", "query"}


# ----------------------------------------------------------------- runs and settings
def test_backtest_runs_save_list_and_get(database: Database) -> None:
    repo = BacktestRunRepository(database)
    run = BacktestRun(
        strategy="sma_cross",
        params={"fast": 10, "slow": 30},
        exchange="binance",
        symbol="BTC/USDT",
        timeframe="1h",
        start_ts=1,
        end_ts=2,
        summary={"net_profit": Decimal("123.45"), "trades": 7},
        result={"equity": [1.0, 2.5]},
        created_at=100,
    )
    first = repo.add(run)
    second = repo.add(BacktestRun(**{**_fields(run), "strategy": "rsi", "created_at": 200}))
    listed = repo.list()
    assert [r.id for r in listed] == [second, first]
    assert listed[1].result is None
    assert listed[1].summary == {"net_profit": "123.45", "trades": 7}
    stored = repo.get(first)
    assert stored is not None and stored.result == {"equity": [1.0, 2.5]}
    assert [r.id for r in repo.list(strategy="sma_cross")] == [first]
    assert repo.get(999) is None


def _fields(run: BacktestRun) -> dict[str, object]:
    return {name: getattr(run, name) for name in run.__dataclass_fields__}


def test_strategy_runs_start_and_stop_once(database: Database) -> None:
    repo = StrategyRunRepository(database)
    run_id = repo.start("sma#1", "sma_cross", VENUE, "BTC/USDT", "1h", {"fast": 10}, 100)
    assert [r.id for r in repo.list(running_only=True)] == [run_id]
    repo.stop(run_id, "stopped by user", 200)
    repo.stop(run_id, "again", 300)
    (run,) = repo.list("sma#1")
    assert (run.stopped_at, run.stop_reason, run.params) == (200, "stopped by user", {"fast": 10})
    assert repo.list(running_only=True) == []
    with pytest.raises(StorageError, match="does not exist"):
        repo.stop(999, "x")


def test_settings_history_newest_first(database: Database) -> None:
    repo = SettingsHistoryRepository(database)
    assert repo.latest() is None
    repo.record({"general": {"theme": "dark"}}, "wizard", ts=1)
    repo.record({"general": {"theme": "light"}}, "settings dialog", ts=2)
    latest = repo.latest()
    assert latest is not None
    assert (latest.source, latest.content) == ("settings dialog", {"general": {"theme": "light"}})
    assert [v.ts for v in repo.list()] == [2, 1]
