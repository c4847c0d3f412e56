"""Chaos benchmark: 500+ orders under injected faults and SIGKILL restarts (see chaos_driver).

Figures: orders requested, kills, faults, duplicate orders (goal 0), lost orders (goal 0),
orders/fills whose store state differs from the emulator (goal 0), and the run time.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.benchmarks.chaos_driver import run_chaos
from tests.benchmarks.runner import Report
from tests.emulator.emulator import ExchangeEmulator

ORDERS = 520
KILLS = 12
SEED = 6


def run(report: Report) -> None:
    """Run the scenario once (it takes about a minute) and record its figures."""
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
    report.figure("chaos run time", result.seconds, "s")
