"""Backtrader as the reference engine: the same strategies under the same assumptions.

Assumptions shared with our engine: fixed order size, cash, commission as a fraction of notional
per fill, market orders created at a bar's close and filled at the next bar's open (no
cheat-on-close), no slippage. Backtrader's CrossOver gives the crossing rule; TA-Lib's RSI (via
``bt.talib``) gives the RSI with Wilder smoothing seeded by the first ``period`` changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import backtrader as bt
import pandas as pd

from app.backtest import BacktestResult


@dataclass(frozen=True)
class BtFill:
    """One execution seen by backtrader: bar index, side, price, size, commission."""

    bar: int
    is_buy: bool
    price: float
    size: float
    commission: float


@dataclass
class BtRun:
    """What backtrader did: every fill, refused orders and the final portfolio value."""

    fills: list[BtFill] = field(default_factory=list)
    refused_bars: list[int] = field(default_factory=list)
    final_value: float = 0.0
    position_size: float = 0.0


class _Recorder(bt.Strategy):  # type: ignore[misc]
    params: Any = (("run", None), ("size", 0.1))

    def notify_order(self, order: bt.Order) -> None:
        run: BtRun = self.p.run
        bar = len(self.data) - 1
        if order.status == order.Completed:
            run.fills.append(
                BtFill(
                    bar=bar,
                    is_buy=order.isbuy(),
                    price=order.executed.price,
                    size=abs(order.executed.size),
                    commission=order.executed.comm,
                )
            )
        elif order.status in (order.Margin, order.Rejected):
            run.refused_bars.append(bar)


class BtSmaCross(_Recorder):
    """Long on SMA(fast) crossing above SMA(slow), close on crossing below."""

    params: Any = (("fast", 10), ("slow", 30))

    def __init__(self) -> None:
        fast = bt.ind.SMA(self.data.close, period=self.p.fast)
        slow = bt.ind.SMA(self.data.close, period=self.p.slow)
        self.cross = bt.ind.CrossOver(fast, slow)

    def next(self) -> None:
        if not self.position:
            if self.cross[0] > 0:
                self.buy(size=self.p.size)
        elif self.cross[0] < 0:
            self.close()


class BtRsiRevert(_Recorder):
    """Buy when RSI crosses below ``lower``, sell when it crosses above ``upper``."""

    params: Any = (("period", 14), ("lower", 30.0), ("upper", 70.0))

    def __init__(self) -> None:
        rsi = bt.talib.RSI(self.data.close, timeperiod=self.p.period)
        self.cross_lower = bt.ind.CrossOver(rsi, self.p.lower)
        self.cross_upper = bt.ind.CrossOver(rsi, self.p.upper)

    def next(self) -> None:
        if not self.position:
            if self.cross_lower[0] < 0:
                self.buy(size=self.p.size)
        elif self.cross_upper[0] > 0:
            self.close()


def run_backtrader(
    strategy: type[_Recorder],
    candles: pd.DataFrame,
    *,
    cash: float = 10_000.0,
    commission: float = 0.001,
    size: float = 0.1,
    **params: object,
) -> BtRun:
    """Run ``strategy`` in backtrader over ``candles`` and return what it did."""
    frame = candles.copy()
    frame.index = pd.to_datetime(frame["timestamp"], unit="ms")
    feed = bt.feeds.PandasData(
        dataname=frame[["open", "high", "low", "close", "volume"]], openinterest=None
    )
    cerebro = bt.Cerebro(stdstats=False)
    cerebro.adddata(feed)
    cerebro.broker.setcash(cash)
    cerebro.broker.setcommission(commission=commission)
    run = BtRun()
    cerebro.addstrategy(strategy, run=run, size=size, **params)
    strategies = cerebro.run()
    run.final_value = cerebro.broker.getvalue()
    run.position_size = strategies[0].position.size
    return run


def engine_fills(result: BacktestResult) -> list[BtFill]:
    """Our engine's fills in backtrader's shape, in time order (the open trade's entry last)."""
    fills: list[BtFill] = []
    for trade in result.trades:
        fills.append(
            BtFill(
                trade.entry_bar,
                True,
                float(trade.entry_price),
                float(trade.qty),
                float(trade.entry_fee),
            )
        )
        fills.append(
            BtFill(
                trade.exit_bar,
                False,
                float(trade.exit_price),
                float(trade.qty),
                float(trade.exit_fee),
            )
        )
    if result.open_trade is not None:
        held = result.open_trade
        fills.append(
            BtFill(
                held.entry_bar,
                True,
                float(held.entry_price),
                float(held.qty),
                float(held.entry_fee),
            )
        )
    return fills  # fmt: skip
