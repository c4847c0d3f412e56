"""The strategy runner's view of a partially filled entry: the exit sells what was filled.

The runner is wired to the real order path (executor, tracker, bus) on the emulator, with the
real risk manager and account, as :class:`~app.engine.engine.Engine` wires them.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from app.core.enums import OrderStatus, OrderType, Side
from app.core.events import CandleClosed, FillReceived, OrderUpdated
from app.core.models import Candle
from app.engine.account import Account
from app.engine.candle_book import CandleBook
from app.engine.order_path import OrderPath
from app.engine.read_model import ReadModel
from app.engine.specs import StrategySpec
from app.engine.strategy_runner import StrategyRunner
from app.risk.manager import RiskManager
from app.strategies import BaseStrategy, Parameter, SignalFrame, StrategyRegistry
from tests.emulator.emulator import ExchangeEmulator
from tests.engine import order_fixtures as fx
from tests.engine.engine_harness import PERMISSIVE_LIMITS
from tests.engine.order_fixtures import SYMBOL, PathFactory

database = fx.database
emulator = fx.emulator
exchange_emulator = fx.exchange_emulator
exchange_emulator_factory = fx.exchange_emulator_factory
make_path = fx.make_path

D = Decimal
HOUR = 3_600_000
ENTER, EXIT = 30001.0, 29999.0


class EnterExit(BaseStrategy):
    """Enters on a close of 30001, exits on a close of 29999."""

    name = "enter_exit"
    title = "Enter/exit"
    description = "Signals chosen by the close price (tests)."

    @classmethod
    def get_parameters(cls) -> tuple[Parameter, ...]:
        return (Parameter("unused", "int", 1, min=1, max=10),)

    def generate_signals(self, data: pd.DataFrame) -> SignalFrame:
        close = self.column(data, "close")
        return SignalFrame(entries=np.asarray(close == ENTER), exits=np.asarray(close == EXIT))


class Rig:
    """A strategy runner on the order path of the test."""

    def __init__(self, path: OrderPath, runner: StrategyRunner, strategy_id: str) -> None:
        self.path = path
        self.runner = runner
        self.strategy_id = strategy_id
        self.bar = 0

    async def close_bar(self, close: float) -> None:
        candle = Candle(self.bar * HOUR, close, close + 1, close - 1, close, 10.0)
        event = CandleClosed(
            timestamp=(self.bar + 1) * HOUR, exchange="binance", symbol=SYMBOL, timeframe="1h",
            candle=candle,
        )  # fmt: skip
        self.bar += 1
        self.path.bus.publish(event)
        await self.runner.on_candle_closed(event)

    def position(self) -> Decimal:
        (status,) = self.runner.statuses()
        return status.position


async def rig(make_path: PathFactory, qty: str) -> Rig:
    path = make_path()
    portfolio = path.tracker.portfolio
    assert portfolio is not None
    portfolio.cash = D(10000)
    await path.start()
    view = ReadModel()
    view.set_markets(await path.tracker.exchange.load_markets())
    candles = CandleBook()
    path.bus.subscribe(CandleClosed, candles.on_event)
    account = Account(portfolio, path.tracker, view, candles)
    registry = StrategyRegistry()
    registry.register(EnterExit)
    risk = RiskManager(PERMISSIVE_LIMITS)
    runner = StrategyRunner(path.executor, risk, account, path.bus.publish, registry, window=50)
    path.bus.subscribe(OrderUpdated, runner.on_order_updated)
    path.bus.subscribe(FillReceived, runner.on_fill)
    spec = StrategySpec("enter_exit", SYMBOL, "1h", {}, {"kind": "fixed_quantity", "qty": qty})
    return Rig(path, runner, runner.add(spec))


async def test_an_entry_filled_in_part_is_exited_with_exactly_the_filled_amount(
    make_path: PathFactory, emulator: ExchangeEmulator
) -> None:
    bench = await rig(make_path, "0.01")
    emulator.set_fill_limit(SYMBOL, "0.004")  # the market buy fills 0.004, the rest expires
    await bench.close_bar(ENTER)
    (entry,) = bench.path.tracker.orders()
    assert (entry.status, entry.amount, entry.filled) == (
        OrderStatus.EXPIRED,
        D("0.01"),
        D("0.004"),
    )
    assert bench.position() == D("0.004")
    await bench.close_bar(ENTER)  # already long: no second entry
    assert len(bench.path.tracker.orders()) == 1

    emulator.set_fill_limit(SYMBOL, None)
    await bench.close_bar(EXIT)
    exits = [o for o in bench.path.tracker.orders() if o.side is Side.SELL]
    (exit_order,) = exits
    assert (exit_order.type, exit_order.amount, exit_order.status) == (
        OrderType.MARKET, D("0.004"), OrderStatus.FILLED,
    )  # fmt: skip
    assert exit_order.reduce_only
    assert bench.position() == 0
    assert sum(emulator.balance("BTC")) == D("0.5")
    (trade,) = bench.runner.trades(bench.strategy_id)
    fees = sum((t.commission for t in emulator.snapshot().trades), D(0))
    assert (trade.qty, trade.pnl) == (D("0.004"), -fees)
    portfolio = bench.path.tracker.portfolio
    assert portfolio is not None and portfolio.position(SYMBOL).is_flat
