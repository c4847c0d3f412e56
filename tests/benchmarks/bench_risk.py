"""Latency of one full pre-trade check (breakers + all ten rules), per call, p50 and p99.

Each sample times one ``RiskManager.check`` of a limit order that passes every rule (so all
ten run), against an account with three positions; every checked order is recorded as
submitted, 150 ms apart, so the rate-limit window and duplicate history are populated. The
anchor, measured in the same run, is the same manager with no rules (breakers, intent and
verdict event only): the ratio shows what the ten rules cost.
"""

from __future__ import annotations

import statistics
import time
from decimal import Decimal

from app.core.enums import OrderType, Side
from app.core.models import Market
from app.risk.context import OrderIntent, RiskContext
from app.risk.limits import RiskLimits
from app.risk.manager import RiskManager
from tests.benchmarks.runner import Report

SAMPLES = 20_000
WARMUP = 2_000
T0 = 1_700_000_000_000
GOAL_P99_US = 50.0

MARKET = Market(
    symbol="BTC/USDT",
    base="BTC",
    quote="USDT",
    tick_size=Decimal("0.01"),
    step_size=Decimal("0.00001"),
    min_notional=Decimal(5),
    min_amount=Decimal("0.00001"),
)
CONTEXT = RiskContext(
    equity=Decimal(100000),
    quote_free=Decimal(60000),
    positions={
        "BTC/USDT": Decimal("0.25"),
        "ETH/USDT": Decimal("3.5"),
        "SOL/USDT": Decimal(-40),
    },
    last_prices={
        "BTC/USDT": Decimal("43000.50"),
        "ETH/USDT": Decimal("2300.10"),
        "SOL/USDT": Decimal("61.25"),
    },
    open_orders=3,
    market=MARKET,
    fee_rate=Decimal("0.001"),
)
LIMITS = RiskLimits(max_order_notional=Decimal(5000), max_orders_per_second=20)


def _intents() -> list[OrderIntent]:
    amounts = [Decimal("0.01") + Decimal("0.00001") * (i % 500) for i in range(SAMPLES + WARMUP)]
    return [
        OrderIntent(
            symbol="BTC/USDT",
            side=Side.BUY,
            order_type=OrderType.LIMIT,
            amount=amount,
            price=Decimal("42950.00"),
            strategy_id="bench",
            timestamp=T0 + index * 150,
            client_order_id=f"cb-{index}",
        )
        for index, amount in enumerate(amounts)
    ]


def _samples_us(manager: RiskManager, intents: list[OrderIntent]) -> list[float]:
    """Per-call microseconds; every approved intent is recorded as submitted."""
    clock = time.perf_counter_ns
    check = manager.check
    samples: list[float] = []
    for index, intent in enumerate(intents):
        started = clock()
        result = check(intent, CONTEXT)
        elapsed = clock() - started
        if not result.approved:
            raise RuntimeError(f"benchmark intent was refused: {result.reason}")
        manager.record_submitted(intent)
        if index >= WARMUP:
            samples.append(elapsed / 1000)
    return samples


def _percentile(samples: list[float], pct: int) -> float:
    return statistics.quantiles(samples, n=100)[pct - 1]


def run(report: Report) -> None:
    """Measure p50/p99 of a full check and of the no-rule anchor."""
    intents = _intents()
    full = _samples_us(RiskManager(LIMITS), intents)
    bare = _samples_us(RiskManager(LIMITS, rules=()), intents)
    note = f"{SAMPLES:,} calls, limit buy passing all 10 rules"
    report.figure(
        "full check p50",
        statistics.median(full),
        "us",
        anchor=statistics.median(bare),
        note=note + "; anchor: breakers + verdict only",
    )
    report.figure(
        "full check p99",
        _percentile(full, 99),
        "us",
        goal=GOAL_P99_US,
        anchor=_percentile(bare, 99),
        note=note + "; anchor: breakers + verdict only",
    )
