"""Parity: strategies run through the engine (replay feed at full speed + paper exchange) trade
exactly as the backtest engine does on the same candles and settings."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd

from app.backtest import Trade, run_backtest
from app.engine.specs import EngineTrade, StrategySpec
from tests.engine.engine_harness import offline_engine, offline_settings, wait_for_replay

FIXED = {"kind": "fixed_quantity", "qty": "0.1"}
STRATEGIES = {"sma_cross": {"fast": 10, "slow": 30}, "rsi_revert": {"period": 14}}


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


def _run_engine(
    data_dir: Path, names: list[str], slippage_bps: str = "0"
) -> dict[str, tuple[list[EngineTrade], Decimal, Decimal, int]]:
    # enough cash that the strategies, sharing one account, never run out of it
    settings = offline_settings(slippage_bps=slippage_bps, cash=1_000_000)
    facade = offline_engine(settings, data_dir)
    try:
        ids = {
            name: facade.start_strategy(
                StrategySpec(name, "BTC/USDT", "1h", STRATEGIES[name], FIXED)
            ).result(10)
            for name in names
        }
        facade.start().result(30)
        wait_for_replay(facade)
        statuses = {s.strategy_id: s for s in facade.strategies()}
        return {
            name: (
                facade.strategy_trades(strategy_id).result(10),
                statuses[strategy_id].realised_pnl,
                statuses[strategy_id].position,
                statuses[strategy_id].trades,
            )
            for name, strategy_id in ids.items()
        }
    finally:
        facade.shutdown()


def test_engine_trades_equal_backtest_trades(data_dir: Path) -> None:
    candles = pd.read_csv(data_dir / "btc_usdt_1h.csv")
    results = _run_engine(data_dir, list(STRATEGIES))
    for name, params in STRATEGIES.items():
        trades, realised, position, count = results[name]
        expected = run_backtest(name, candles, params=params, fee="0.001", size="0.1")
        assert len(expected.trades) > 10
        assert [_row(t) for t in trades] == [_row(t) for t in expected.trades], name
        assert count == len(expected.trades)
        assert realised == sum((t.pnl for t in expected.trades), Decimal(0))
        open_qty = expected.open_trade.qty if expected.open_trade is not None else Decimal(0)
        assert position == open_qty


def test_with_slippage_the_exchange_rounds_fill_prices_to_the_tick(
    data_dir: Path, tmp_path: Path
) -> None:
    """The one difference: an exchange fills on its price grid, the backtest does not round.

    Same trades at the same times; each fill price is the backtest's rounded to the nearest
    tick (0.01 here), so P&L differs by well under a cent per trade.
    """
    candles = pd.read_csv(data_dir / "btc_usdt_1h.csv").iloc[:1500]
    candles.to_csv(tmp_path / "btc_usdt_1h.csv", index=False)
    trades, _, _, _ = _run_engine(tmp_path, ["sma_cross"], slippage_bps="5")["sma_cross"]
    expected = run_backtest(
        "sma_cross", candles, params=STRATEGIES["sma_cross"], fee="0.001", size="0.1",
        slippage_bps="5",
    )  # fmt: skip
    assert [(t.entry_time, t.exit_time) for t in trades] == [
        (t.entry_time, t.exit_time) for t in expected.trades
    ]
    assert len(trades) > 10
    tick = Decimal("0.01")
    for got, want in zip(trades, expected.trades, strict=True):
        assert got.entry_price == want.entry_price.quantize(tick)
        assert got.exit_price == want.exit_price.quantize(tick)
        assert abs(got.pnl - want.pnl) < Decimal("0.01")
