"""Daily-loss and drawdown breakers over real BTC/USDT hourly candles, checked independently.

A buy-and-hold account of 10,000 USDT is marked at every hourly close; the manager is fed that
equity and asked to approve an entry at every bar. The refused bars must be exactly those an
independent recomputation finds: from the first bar of a UTC day whose equity is 3 % below the
day's starting equity (the last equity before the day began) to the end of that day.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from app.core.enums import BreakerState
from app.risk.breakers import DAY_MS
from app.risk.limits import RiskLimits
from app.risk.manager import RiskManager
from tests.risk.helpers import D, make_ctx, make_intent

CAPITAL = D(10000)


def equity_path(data_dir: Path) -> list[tuple[int, Decimal]]:
    with (data_dir / "btc_usdt_1h.csv").open(newline="") as handle:
        rows = [(int(row["timestamp"]), D(row["close"])) for row in csv.DictReader(handle)]
    first = rows[0][1]
    return [(ts, CAPITAL * close / first) for ts, close in rows]


def expected_refusals(path: list[tuple[int, Decimal]], pct: Decimal) -> set[int]:
    refused: set[int] = set()
    day_start: Decimal | None = None
    previous: Decimal | None = None
    current_day = None
    tripped = False
    for ts, equity in path:
        day = ts // DAY_MS
        if day != current_day:
            current_day = day
            day_start = previous if previous is not None else equity
            tripped = False
        assert day_start is not None
        if not tripped and day_start - equity >= day_start * pct / 100:
            tripped = True
        if tripped:
            refused.add(ts)
        previous = equity
    return refused


def test_refused_bars_match_an_independent_recomputation(data_dir: Path) -> None:
    path = equity_path(data_dir)
    manager = RiskManager(
        RiskLimits(daily_loss_pct=D(3), max_drawdown_pct=D(100), max_order_notional=D(10**9))
    )
    ctx = make_ctx(equity="1000000", quote_free="1000000")
    refused: set[int] = set()
    trips = resets = 0
    for ts, equity in path:
        for event in manager.update_equity(equity, ts):
            assert event.breaker == "daily_loss"
            trips += event.new_state is BreakerState.REDUCING
            resets += event.new_state is BreakerState.ACTIVE
        result = manager.check(make_intent("0.01", timestamp=ts, strategy_id=None), ctx)
        if not result.approved:
            assert result.decisions[0].rule == "daily_loss"
            refused.add(ts)
    expected = expected_refusals(path, D(3))
    assert refused == expected
    halted_days = {ts // DAY_MS for ts in expected}
    assert trips == len(halted_days)
    assert len(halted_days) >= 5  # the year of data has several -3 % days
    assert resets in (trips, trips - 1)


def test_drawdown_halts_once_and_stays_halted(data_dir: Path) -> None:
    path = equity_path(data_dir)
    manager = RiskManager(RiskLimits(max_drawdown_pct=D(20), daily_loss_pct=D(100)))
    halted_at = None
    peak = path[0][1]
    for ts, equity in path:
        peak = max(peak, equity)
        events = manager.update_equity(equity, ts)
        if events:
            assert halted_at is None
            halted_at = ts
            assert (peak - equity) >= peak * D("0.2")
        elif halted_at is None:
            assert (peak - equity) < peak * D("0.2")
    assert halted_at is not None
    assert manager.states()["drawdown"] is BreakerState.HALTED
