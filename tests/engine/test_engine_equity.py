"""Daily P&L and drawdown published with every equity update."""

from __future__ import annotations

from decimal import Decimal

from app.engine.equity import DAY_MS, EquityCurve


def test_drawdown_runs_from_the_peak_and_daily_pnl_from_the_day_start() -> None:
    curve = EquityCurve()
    assert curve.update(Decimal(10_000), 0) == (Decimal(0), Decimal(0))
    assert curve.update(Decimal(11_000), 3_600_000) == (Decimal(1_000), Decimal(0))
    daily, drawdown = curve.update(Decimal(9_900), 7_200_000)
    assert daily == Decimal(-100)
    assert drawdown == Decimal(10)  # 1,100 below the 11,000 peak
    daily, drawdown = curve.update(Decimal(9_800), DAY_MS + 1)
    assert daily == Decimal(0)  # a new UTC day starts at the current equity
    assert drawdown == Decimal(1_200) / Decimal(11_000) * 100
    assert curve.update(Decimal(9_900), DAY_MS + 2) == (
        Decimal(100),
        Decimal(1_100) / Decimal(11_000) * 100,
    )
