"""The float replay makes the engine's trades: same fills, refusals and equity path."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.backtest.config import BacktestConfig
from app.backtest.data import CandleArrays
from app.backtest.engine import simulate
from app.backtest.interfaces import SignalArrays
from app.backtest.sizing import default_market, sizer_rule
from app.research.fastsim import Sizing, replay_long
from app.strategies.builtin.sma_cross import SmaCross


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    bars=st.integers(3, 120),
    entry_rate=st.floats(0.02, 0.6),
    exit_rate=st.floats(0.02, 0.6),
    kind=st.sampled_from(["size", "stake_pct", "stake_amount"]),
    cash=st.sampled_from(["95", "105", "150", "10000"]),
)
def test_replay_matches_the_engine(
    seed: int, bars: int, entry_rate: float, exit_rate: float, kind: str, cash: str
) -> None:
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0, 0.03, bars)))
    open_ = np.round(close * np.exp(rng.normal(0, 0.01, bars)), 2)
    close = np.round(close, 2)
    entries = rng.random(bars) < entry_rate
    exits = rng.random(bars) < exit_rate
    value = {"size": "1", "stake_pct": "60", "stake_amount": "120"}[kind]
    arrays = CandleArrays(
        np.arange(bars, dtype=np.int64) * 3_600_000,
        open_,
        np.maximum(open_, close) + 1,
        np.minimum(open_, close) - 1,
        close,
    )
    config = BacktestConfig(cash=Decimal(cash), fee=Decimal("0.001"), slippage_bps=Decimal(3))
    market = default_market("X/Y", config.qty_step, config.fee)
    rule = sizer_rule(
        size=Decimal(value) if kind == "size" else None,
        stake_pct=Decimal(value) if kind == "stake_pct" else None,
        stake_amount=Decimal(value) if kind == "stake_amount" else None,
        market=market,
    )
    engine = simulate(SmaCross(), arrays, SignalArrays(entries, exits), config, rule)
    fast = replay_long(
        open_,
        close,
        entries,
        exits,
        cash=float(cash),
        fee=0.001,
        slippage=0.0003,
        sizing=Sizing(kind, float(value)),
    )
    assert len(fast.trade_pnl) == engine.num_trades
    assert fast.refused == len(engine.rejected_orders)
    assert fast.trade_pnl == pytest.approx([float(t.pnl) for t in engine.trades], abs=1e-6)
    assert fast.equity == pytest.approx(engine.equity, rel=1e-9)
    assert fast.position == pytest.approx(engine.position)
