"""Chaos benchmark: 500+ orders under injected faults and SIGKILL restarts (see chaos_driver).

Figures: orders requested, kills, faults, duplicate orders (goal 0), lost orders (goal 0),
orders/fills whose store state differs from the emulator (goal 0), and the run time. Before the
chaos run, the latency of one market order through the executor (persist, audit, send once,
record the reply, fetch its fill) is measured side by side with a bare adapter
``create_order`` on the same emulator (the anchor).
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from app.core.enums import OrderType, Side
from app.engine.executor import OrderRequest
from app.engine.order_path import build_order_path
from app.engine.portfolio import Portfolio
from app.exchange.ccxt_adapter import CcxtExchange
from app.storage.database import Database
from tests.benchmarks.chaos_driver import REQUEST_TIMEOUT_MS, run_chaos
from tests.benchmarks.runner import Report
from tests.emulator.emulator import ExchangeEmulator

ORDERS = 520
KILLS = 12
SEED = 6
LATENCY_ORDERS = 40


async def _latencies(emulator: ExchangeEmulator, folder: Path) -> tuple[float, float]:
    """Median seconds per market order: through the executor, and bare (interleaved)."""
    emulator.set_price("BTC/USDT", "30000")
    emulator.set_price("ETH/USDT", "2000")
    database = Database(f"sqlite:///{folder / 'latency.db'}")
    database.migrate()
    config = emulator.ccxt_config(timeout=REQUEST_TIMEOUT_MS * 10)
    engine_side = CcxtExchange("binance", config, use_websocket=False)
    bare = CcxtExchange("binance", config, use_websocket=False)
    path = build_order_path(engine_side, database, "binance:latency", portfolio=Portfolio("USDT"))
    await path.start()
    await bare.load_markets()
    through_path: list[float] = []
    direct: list[float] = []
    amount = Decimal("0.0005")
    eth = Decimal("0.005")  # the anchor trades another symbol: its fills are not the path's
    try:
        for index in range(LATENCY_ORDERS):
            side = Side.BUY if index % 2 == 0 else Side.SELL
            started = time.perf_counter()
            await bare.create_order(f"bare-{index}", "ETH/USDT", side, OrderType.MARKET, eth)
            direct.append(time.perf_counter() - started)
            started = time.perf_counter()
            await path.executor.submit(OrderRequest("BTC/USDT", side, OrderType.MARKET, amount))
            through_path.append(time.perf_counter() - started)
    finally:
        path.close()
        await engine_side.close()
        await bare.close()
        database.dispose()
    return statistics.median(through_path), statistics.median(direct)


def run(report: Report) -> None:
    """Measure the order-path latency, then run the chaos scenario once (a few minutes)."""
    with tempfile.TemporaryDirectory() as folder, ExchangeEmulator(data_dir=None) as emulator:
        via_path, bare = asyncio.run(_latencies(emulator, Path(folder)))
    report.figure(
        "market order via executor (persist+audit+send+reply+fill)",
        via_path * 1000,
        "ms",
        anchor=bare * 1000,
        note=f"median of {LATENCY_ORDERS}; anchor: bare create_order (ETH/USDT), interleaved",
    )
    with tempfile.TemporaryDirectory() as folder, ExchangeEmulator(data_dir=None) as emulator:
        result = run_chaos(emulator, Path(folder), orders=ORDERS, kills=KILLS, seed=SEED)
    note = f"{KILLS} SIGKILLs, seed {SEED}"
    report.figure("orders requested (stored)", result.orders_requested, "orders", note=note)
    report.figure("orders accepted by the exchange", result.orders_on_exchange, "orders")
    report.figure(
        "orders not placed (throttled, refused, or never received)",
        result.rejected_not_received,
        "orders",
    )
    report.figure("engine kills (SIGKILL) with restart", result.kills, "kills")
    report.figure("faults injected", result.faults_injected, "faults")
    report.figure("submissions with an unknown outcome", result.unknown_outcomes, "orders")
    report.figure("orders corrected by reconciliation", result.reconciliation_fixes, "orders")
    report.figure("websocket drops", result.websocket_drops, "drops")
    report.figure("duplicate orders", result.duplicates, "orders", goal=0)
    report.figure("lost orders", result.lost, "orders", goal=0)
    report.figure("orders unresolved at the end", len(result.unresolved), "orders", goal=0)
    report.figure(
        "orders whose status/filled differ from the exchange",
        len(result.status_mismatches),
        "orders",
        goal=0,
    )
    report.figure(
        "fills missing or extra (by trade id)",
        result.fills_missing + result.fills_extra,
        "fills",
        goal=0,
        note=f"{result.fills_store} stored, {result.fills_exchange} on the exchange",
    )
    report.figure(
        "net position store - exchange",
        float(abs(result.position_store - result.position_exchange)),
        "BTC",
        goal=0,
    )
    report.figure(
        "reconciliation alerts",
        result.alerts,
        "alerts",
        goal=0,
        note="every difference comes from a fault the emulator injected and is explained",
    )
    report.figure("chaos run time", result.seconds, "s")
