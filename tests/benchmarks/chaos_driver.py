"""Chaos driver: run the order path against the emulator under faults and SIGKILLs, then audit.

:func:`run_chaos` starts :mod:`tests.benchmarks.chaos_worker` in a subprocess pointed at an
emulator running in this process and at one SQLite file. While the worker submits orders the
driver injects seeded faults (timeouts after acceptance, lost requests, 5xx, 429, failed order
lookups, dropped websockets), moves the price (resting orders fill) and SIGKILLs the worker at
random moments, restarting it each time (it reconciles on start), until the store holds the
target number of orders. Finally it reconciles once more in-process and compares the store
with the emulator: orders by client id, statuses, filled amounts, fills by trade id.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from app.core.enums import OrderStatus
from app.engine.order_path import build_order_path
from app.engine.portfolio import Portfolio
from app.storage.database import Database
from app.storage.repositories import AuditLog, FillRepository, OrderRepository
from tests.benchmarks.chaos_worker import SYMBOL, WorkerConfig, build_exchange
from tests.emulator.emulator import ExchangeEmulator

REPO_ROOT = Path(__file__).resolve().parents[2]
VENUE = "binance:chaos"
REQUEST_TIMEOUT_MS = 400
EMULATOR_STATUS = {
    "NEW": OrderStatus.OPEN,
    "PARTIALLY_FILLED": OrderStatus.PARTIALLY_FILLED,
    "FILLED": OrderStatus.FILLED,
    "CANCELED": OrderStatus.CANCELED,
    "EXPIRED": OrderStatus.EXPIRED,
    "REJECTED": OrderStatus.REJECTED,
}
POST_ORDER = "POST /api/v3/order"
FINAL_PASSES = 5


@dataclass
class ChaosResult:
    """Figures of one chaos run."""

    orders_requested: int = 0
    orders_on_exchange: int = 0
    kills: int = 0
    faults_injected: int = 0
    websocket_drops: int = 0
    duplicates: int = 0
    lost: int = 0
    status_mismatches: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    fills_store: int = 0
    fills_exchange: int = 0
    fills_missing: int = 0
    fills_extra: int = 0
    position_store: Decimal = Decimal(0)
    position_exchange: Decimal = Decimal(0)
    rejected_not_received: int = 0
    """Stored orders the exchange never held (throttled, refused, or never received)."""
    unknown_outcomes: int = 0
    """Submissions whose outcome stayed unknown after the adapter's lookups."""
    reconciliation_fixes: int = 0
    """Orders whose stored state reconciliation corrected (after kills and unknown outcomes)."""
    alerts: int = 0
    """Reconciliation alerts raised (a mismatch above 0.1 % of notional)."""
    seconds: float = 0.0

    @property
    def store_equals_exchange(self) -> bool:
        """True when every comparison came out equal."""
        return (
            self.duplicates == 0
            and self.lost == 0
            and not self.status_mismatches
            and not self.unresolved
            and self.fills_missing == 0
            and self.fills_extra == 0
            and self.position_store == self.position_exchange
        )


def _inject_random_fault(emulator: ExchangeEmulator, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.25:
        mode = rng.choice(["drop", "delay"])
        emulator.inject(POST_ORDER, "timeout_after_accept", mode=mode, delay_ms=1500)
        return "timeout_after_accept"
    if roll < 0.35:
        emulator.inject(POST_ORDER, "timeout_before_accept", mode="drop")
        return "timeout_before_accept"
    if roll < 0.5:
        emulator.inject(POST_ORDER, rng.choice(["http_500", "http_502", "http_503"]))
        return "5xx"
    if roll < 0.65:
        emulator.inject("*", "http_429", retry_after=0)
        return "429"
    if roll < 0.8:
        emulator.inject(POST_ORDER, "timeout_after_accept", mode="drop")
        emulator.inject("GET /api/v3/order", "http_503", times=rng.randint(3, 8))
        return "unknown_outcome"
    emulator.inject("GET /api/v3/myTrades", "http_500", times=rng.randint(1, 3))
    return "trades_5xx"


def _count_orders(database: Database) -> int:
    return len(OrderRepository(database).list_all(VENUE))


def _start_worker(config_path: Path, log_path: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.benchmarks.chaos_worker", str(config_path)],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )


def _drive_one_run(
    emulator: ExchangeEmulator,
    database: Database,
    process: subprocess.Popen[bytes],
    kill_at: int | None,
    rng: random.Random,
    result: ChaosResult,
    fault_rate: float,
) -> bool:
    """Watch one worker: faults, price moves, the kill. True when it was killed.

    Each order the worker stores arms, with probability ``fault_rate``, one random fault for
    the requests that follow it.
    """
    price = Decimal(30000)
    seen = _count_orders(database)
    while process.poll() is None:
        time.sleep(0.02)
        count = _count_orders(database)
        for _ in range(count - seen):
            if rng.random() < fault_rate:
                _inject_random_fault(emulator, rng)
                result.faults_injected += 1
        seen = count
        if rng.random() < 0.01:
            result.websocket_drops += 1
            emulator.drop_websockets()
        if rng.random() < 0.1:
            price = max(Decimal(29000), price + Decimal(rng.randint(-400, 400)) * Decimal("0.01"))
            emulator.set_price(SYMBOL, price)
        if kill_at is not None and count >= kill_at:
            time.sleep(rng.uniform(0, 0.05))  # land anywhere inside the next submission
            process.send_signal(signal.SIGKILL)
            process.wait()
            return True
    return False


def run_chaos(
    emulator: ExchangeEmulator,
    workdir: Path,
    *,
    orders: int,
    kills: int,
    seed: int,
    fault_rate: float = 0.3,
    timeout: float = 600.0,
) -> ChaosResult:
    """Run the chaos scenario and compare the store with the emulator (see the module doc).

    Raises:
        RuntimeError: the worker failed on its own (not killed), or the run took too long.
    """
    started = time.perf_counter()
    rng = random.Random(seed)
    emulator.set_price(SYMBOL, "30000")
    db_path = workdir / "chaos.db"
    database = Database(f"sqlite:///{db_path}")
    database.migrate()
    config = WorkerConfig(
        db_url=f"sqlite:///{db_path}",
        ccxt_config=emulator.ccxt_config(timeout=REQUEST_TIMEOUT_MS),
        venue=VENUE,
        seed=seed,
        target_orders=orders,
    )
    config_path = workdir / "chaos_worker.json"
    config_path.write_text(json.dumps(dataclasses.asdict(config)), encoding="utf-8")
    log_path = workdir / "chaos_worker.log"
    result = ChaosResult()
    # the first order always meets an unknown outcome (accepted, reply lost, lookups fail)
    emulator.inject(POST_ORDER, "timeout_after_accept", mode="drop")
    emulator.inject("GET /api/v3/order", "http_503", times=3)
    result.faults_injected += 1
    kill_points = sorted(rng.sample(range(5, max(orders - 5, 6)), kills))
    while True:
        if time.perf_counter() - started > timeout:
            raise RuntimeError(f"chaos run exceeded {timeout:.0f} s; see {log_path}")
        kill_at = kill_points[result.kills] if result.kills < len(kill_points) else None
        process = _start_worker(config_path, log_path)
        if _drive_one_run(emulator, database, process, kill_at, rng, result, fault_rate):
            result.kills += 1
            continue
        if process.returncode != 0:
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise RuntimeError(f"chaos worker exited with {process.returncode}:\n{tail}")
        break
    emulator.clear_faults()
    asyncio.run(_final_reconcile(config, database))
    compare(emulator, database, result)
    result.seconds = time.perf_counter() - started
    database.dispose()
    return result


async def _final_reconcile(config: WorkerConfig, database: Database) -> None:
    exchange = build_exchange(config)
    path = build_order_path(
        exchange, database, VENUE, portfolio=Portfolio("USDT"), symbols=(SYMBOL,)
    )
    try:
        report = await path.start()
        for _ in range(FINAL_PASSES):  # as the periodic worker would, until nothing is open
            if not report.unresolved:
                break
            report = await path.reconciler.reconcile()
    finally:
        path.close()
        await exchange.close()


def compare(emulator: ExchangeEmulator, database: Database, result: ChaosResult) -> None:
    """Fill ``result`` with the store-versus-emulator comparison."""
    snapshot = emulator.snapshot()
    stored = {o.client_order_id: o for o in OrderRepository(database).list_all(VENUE)}
    result.orders_requested = len(stored)
    result.orders_on_exchange = len(snapshot.orders)
    result.lost = sum(1 for coid in snapshot.orders if coid not in stored)
    per_request: dict[str, int] = {}
    for coid in snapshot.orders:
        if coid in stored:
            key = stored[coid].correlation_id or coid
            per_request[key] = per_request.get(key, 0) + 1
    result.duplicates = sum(count - 1 for count in per_request.values() if count > 1)
    for coid, order in stored.items():
        if order.status in (OrderStatus.PENDING_SUBMIT, OrderStatus.UNKNOWN):
            result.unresolved.append(coid)
        remote = snapshot.orders.get(coid)
        if remote is None:
            if order.status is not OrderStatus.REJECTED:
                result.status_mismatches.append(f"{coid}: {order.status}, not on the exchange")
            else:
                result.rejected_not_received += 1
            continue
        want = EMULATOR_STATUS[remote.status]
        if order.status is not want or order.filled != remote.executed_qty:
            result.status_mismatches.append(
                f"{coid}: store {order.status} {order.filled}, "
                f"exchange {want} {remote.executed_qty}"
            )
    audit = AuditLog(database)
    replies = audit.query(kind="order_reply")
    result.unknown_outcomes = sum(1 for r in replies if r.payload.get("status") == "unknown")
    result.reconciliation_fixes = len(audit.query(kind="reconciliation_fix"))
    result.alerts = len(audit.query(kind="reconciliation_alert"))
    fills = {f.trade_id: f for f in FillRepository(database).list(VENUE)}
    trades = {str(t.trade_id): t for t in snapshot.trades}
    result.fills_store = len(fills)
    result.fills_exchange = len(trades)
    result.fills_missing = sum(1 for trade_id in trades if trade_id not in fills)
    result.fills_extra = sum(
        1
        for trade_id, fill in fills.items()
        if trade_id not in trades or fill.amount != trades[trade_id].qty
    )
    result.position_store = sum((f.amount * f.side.sign for f in fills.values()), Decimal(0))
    result.position_exchange = sum(
        (t.qty if t.side == "BUY" else -t.qty for t in snapshot.trades), Decimal(0)
    )
