"""Backtests run every order through the same RiskManager as live trading."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from pathlib import Path

import pandas as pd

from app.backtest import run_backtest
from app.core.enums import BreakerState, RiskVerdict
from app.risk.limits import RiskLimits
from app.risk.manager import RiskManager
from app.risk.sizing import PercentOfEquity
from tests.backtest.helpers import DAY_START, FixedSignals, candles, falling_day, flags

DAY_MS = 86_400_000
HOUR_MS = 3_600_000


def test_daily_loss_limit_halts_new_entries_until_the_next_utc_day() -> None:
    data = falling_day()
    strategy = FixedSignals(flags(30, 0, 6, 25), flags(30, 3))
    manager = RiskManager(RiskLimits(daily_loss_pct=Decimal(1)))
    result = run_backtest(strategy, data, size=1, cash=1000, fee=0, risk=manager)

    # long 1 @ 100 loses 12 (1.2 % of 1000) at the close of bar 2: the breaker trips there
    (trade,) = result.trades
    assert (trade.entry_bar, trade.exit_bar, trade.pnl) == (1, 4, Decimal(-12))
    (refused,) = result.rejected_orders
    assert refused.stage == "risk"
    assert refused.time == DAY_START + 6 * HOUR_MS
    assert "daily_loss" in refused.reason
    (period,) = result.halted_periods
    assert period.breaker == "daily_loss"
    assert period.state is BreakerState.REDUCING
    assert (period.start, period.end) == (DAY_START + 2 * HOUR_MS, DAY_START + DAY_MS)
    # the next day trading resumes: the entry at bar 25 fills at bar 26
    assert result.open_trade is not None and result.open_trade.entry_bar == 26
    payload = result.to_dict()
    assert [event["new_state"] for event in payload["risk_events"]] == ["reducing", "active"]
    assert payload["halted_periods"][0]["end"] == DAY_START + DAY_MS
    assert payload["rejected_orders"][0]["stage"] == "risk"


def test_without_the_risk_manager_the_same_orders_trade() -> None:
    data = falling_day()
    strategy = FixedSignals(flags(30, 0, 6, 25), flags(30, 3))
    result = run_backtest(strategy, data, size=1, cash=1000, fee=0)
    assert result.rejected_orders == ()
    assert result.open_trade is not None and result.open_trade.entry_bar == 7
    assert result.halted_periods == () and result.risk_events == ()


def test_max_order_notional_resizes_the_entry() -> None:
    data = candles([100.0] * 5)
    strategy = FixedSignals(flags(5, 0), flags(5))
    manager = RiskManager(RiskLimits(max_order_notional=Decimal(50)))
    result = run_backtest(strategy, data, size=1, cash=1000, fee=0, risk=manager)
    held = result.open_trade
    assert held is not None and held.qty == Decimal("0.5")  # 50 / 100
    (decision,) = result.risk_decisions
    assert (decision.rule, decision.verdict) == ("max_order_notional", RiskVerdict.RESIZE)
    assert decision.original_amount == 1 and decision.amount == Decimal("0.5")


def test_risk_sizers_plug_in(data_dir: Path) -> None:
    candles_1h = pd.read_csv(data_dir / "btc_usdt_1h.csv")
    closes = candles_1h["close"].tolist()
    result = run_backtest("sma_cross", candles_1h, sizer=PercentOfEquity(Decimal(20)), fee=0)
    assert result.sizing == "20 % of equity"
    equity = Decimal(10_000)
    for trade in result.trades[:30]:
        # 20 % of the equity (all cash while flat) at the signal close, rounded down to 1e-8
        signal_close = Decimal(repr(closes[trade.entry_bar - 1]))
        expected = (equity * Decimal("0.2") / signal_close).quantize(
            Decimal("0.00000001"), rounding=ROUND_DOWN
        )
        assert trade.qty == expected
        equity += trade.pnl


def test_an_exit_resized_by_the_risk_manager_closes_part_and_keeps_the_rest() -> None:
    # long 1 @ 100; at 200 the exit's notional (200) exceeds max_order_notional 150, so the
    # manager resizes it to 0.75; the rest leaves at the next exit signal.
    data = candles([100.0, 100.0, 200.0, 200.0, 200.0, 200.0, 200.0])
    strategy = FixedSignals(flags(7, 0), flags(7, 2, 4))
    manager = RiskManager(RiskLimits(max_order_notional=Decimal(150)))
    result = run_backtest(strategy, data, size=1, cash=1000, fee="0.01", risk=manager)
    first, second = result.trades
    assert (first.qty, first.exit_bar, second.qty, second.exit_bar) == (
        Decimal("0.75"), 3, Decimal("0.25"), 5,
    )  # fmt: skip
    assert first.entry_fee + second.entry_fee == Decimal("1.00")  # 1 % of 100, split pro rata
    assert first.pnl == Decimal("0.75") * 100 - Decimal("0.75") - Decimal("1.5")
    assert result.position.tolist() == [0, 1, 1, 0.25, 0.25, 0, 0]
    assert result.final_equity == Decimal(1000) + first.pnl + second.pnl
    assert result.open_trade is None
