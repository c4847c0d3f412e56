"""Chaos test: the order path under injected faults and SIGKILLs loses and duplicates nothing.

A worker process submits 60 orders through the real executor/tracker/reconciliation to the
exchange emulator (running in this process) while the driver injects seeded faults (timeouts
after acceptance, lost requests, 5xx, 429, failed lookups, dropped websockets) and kills the
worker with SIGKILL twice; each restart reconciles. The store must then equal the emulator.
The 500-order version is ``tests/benchmarks/bench_chaos.py``.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest

from tests.benchmarks.chaos_driver import run_chaos
from tests.emulator.emulator import ExchangeEmulator

pytestmark = pytest.mark.skipif(
    sys.platform == "win32" or not hasattr(signal, "SIGKILL"), reason="needs SIGKILL"
)


def test_sixty_orders_with_faults_and_kills_leave_store_equal_to_exchange(
    tmp_path: Path,
) -> None:
    with ExchangeEmulator(data_dir=None) as emulator:
        result = run_chaos(emulator, tmp_path, orders=60, kills=2, seed=20261120)
    assert result.kills == 2
    assert result.faults_injected > 0
    assert result.unknown_outcomes >= 1
    assert result.reconciliation_fixes >= 1  # kills and faults did leave work to recover
    assert result.fills_store == result.fills_exchange > 0
    # one comparison, so a failure shows every figure at once
    assert {
        "orders requested": result.orders_requested,
        "on the exchange or never placed": result.orders_on_exchange + result.rejected_not_received,
        "duplicates": result.duplicates,
        "lost": result.lost,
        "unresolved": result.unresolved,
        "status mismatches": result.status_mismatches,
        "fills missing": result.fills_missing,
        "fills extra": result.fills_extra,
        "position difference": result.position_store - result.position_exchange,
        "alerts": result.alerts,  # every difference the faults caused was explained and fixed
    } == {
        "orders requested": 60,
        "on the exchange or never placed": 60,
        "duplicates": 0,
        "lost": 0,
        "unresolved": [],
        "status mismatches": [],
        "fills missing": 0,
        "fills extra": 0,
        "position difference": 0,
        "alerts": 0,
    }
