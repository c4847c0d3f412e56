"""Parity: a strategy run through the engine (replay feed + paper exchange) trades exactly as
the backtest engine does on the same candles and settings."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from app.backtest import Trade, run_backtest
from app.engine.specs import EngineTrade, StrategySpec
from tests.engine.engine_harness import offline_engine, offline_settings, wait_for_replay


@pytest.mark.parametrize(
    ("strategy", "params"),
    [("sma_cross", {"fast": 10, "slow": 30}), ("rsi_revert", {"period": 14})],
)
def test_engine_trades_equal_backtest_trades(
    data_dir: Path, strategy: str, params: dict[str, int]
) -> None:
    candles = pd.read_csv(data_dir / "btc_usdt_1h.csv")
    facade = offline_engine(offline_settings(), data_dir)
    try:
        spec = StrategySpec(
            strategy, "BTC/USDT", "1h", params, {"kind": "fixed_quantity", "qty": "0.1"}
        )
        strategy_id = facade.start_strategy(spec).result(10)
        facade.start().result(30)
        wait_for_replay(facade)
        trades = facade.strategy_trades(strategy_id).result(10)
        status = {s.strategy_id: s for s in facade.strategies()}[strategy_id]
    finally:
        facade.shutdown()

    expected = run_backtest(strategy, candles, params=params, fee="0.001", size="0.1")
    assert len(expected.trades) > 10
    assert [_row(t) for t in trades] == [_row(t) for t in expected.trades]
    assert status.trades == len(expected.trades)
    assert status.realised_pnl == sum((t.pnl for t in expected.trades), Decimal(0))
    open_qty = expected.open_trade.qty if expected.open_trade is not None else Decimal(0)
    assert status.position == open_qty


def _row(trade: EngineTrade | Trade) -> tuple[object, ...]:
    return (
        trade.entry_time,
        trade.entry_price,
        trade.qty,
        trade.entry_fee,
        trade.exit_time,
        trade.exit_price,
        trade.exit_fee,
        trade.pnl,
    )
