"""Golden test: our engine reproduces backtrader trade for trade on the shared datasets.

Same assumptions on both sides: fixed size 0.1, cash 10,000, fee 0.1 % per fill, no slippage,
market orders filled at the next bar's open. Fills are compared by bar time, side, price,
quantity and fee; then the final equity and the position left open at the end.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from app.backtest import BacktestResult, run_backtest
from tests.backtest.bt_reference import (
    BtRsiRevert,
    BtRun,
    BtSmaCross,
    engine_fills,
    run_backtrader,
)

REFERENCES = {"sma_cross": BtSmaCross, "rsi_revert": BtRsiRevert}
DATASETS = ("btc_usdt_1h.csv", "eth_usdt_1h.csv", "eth_btc_5m.csv", "btc_usd_1h_coinbase.csv")


def _assert_same(result: BacktestResult, reference: BtRun, candles: pd.DataFrame) -> None:
    times = candles["timestamp"].to_numpy()
    ours = engine_fills(result)
    assert len(ours) == len(reference.fills)
    for mine, theirs in zip(ours, reference.fills, strict=True):
        assert times[mine.bar] == times[theirs.bar]
        assert mine.is_buy == theirs.is_buy
        assert mine.price == pytest.approx(theirs.price, rel=1e-12)  # bt adds ulp noise
        assert mine.size == pytest.approx(theirs.size, abs=1e-12)
        assert mine.commission == pytest.approx(theirs.commission, rel=1e-9)
    assert float(result.final_equity) == pytest.approx(reference.final_value, abs=1e-6)
    open_qty = 0.0 if result.open_trade is None else float(result.open_trade.qty)
    assert open_qty == pytest.approx(reference.position_size, abs=1e-12)


@pytest.mark.parametrize("strategy", sorted(REFERENCES))
@pytest.mark.parametrize("dataset", DATASETS)
def test_trades_match_backtrader(strategy: str, dataset: str, data_dir: Path) -> None:
    candles = pd.read_csv(data_dir / dataset)
    ours = run_backtest(strategy, candles, size="0.1", cash=10_000, fee="0.001")
    reference = run_backtrader(REFERENCES[strategy], candles)
    assert ours.num_trades > 5  # the comparison is about real trading, not two empty lists
    _assert_same(ours, reference, candles)


def test_refused_buys_match_backtrader(data_dir: Path) -> None:
    # 3,000 of cash cannot always buy 0.1 BTC (BTC went from 19k to 64k): both engines refuse
    # the same orders and end with the same equity.
    candles = pd.read_csv(data_dir / "btc_usdt_1h.csv")
    ours = run_backtest("sma_cross", candles, size="0.1", cash=3_000, fee="0.001")
    reference = run_backtrader(BtSmaCross, candles, cash=3_000.0)
    _assert_same(ours, reference, candles)
    times = candles["timestamp"].to_numpy()
    # backtrader notifies a refusal on the bar after the order was created
    refused_at_signal = [times[bar - 1] for bar in reference.refused_bars]
    assert [order.time for order in ours.rejected_orders] == refused_at_signal
    assert {order.stage for order in ours.rejected_orders} == {"signal"}
    assert all("insufficient cash" in order.reason for order in ours.rejected_orders)
